/**
 * The web page when the browser's WebSockets are blocked (routed to an immediate close, as a
 * proxy that refuses them): it falls back to Server-Sent Events + HTTP POST, says so in its
 * status, and chats, types and reads with a user on MQTT as usual, also after a reload. A plain
 * EventSource opens the event stream with a ticket (the browser API the ticket exists for).
 */
import { describe, expect, it } from 'vitest';
import { chromiumAvailable, newPage, send, shownMessages, signIn, waitForText, useWebFixture, waitOnline } from './support/browser.js';

const hasChromium = await chromiumAvailable();
const web = useWebFixture(hasChromium);

async function blockedPage() {
  const opened = await newPage(web.browser);
  let refused = 0;
  await opened.context.routeWebSocket(/\/mqtt$/, async (ws) => {
    refused += 1;
    await ws.close({ code: 1008, reason: 'WebSockets are not allowed here' });
  });
  return { ...opened, refused: () => refused };
}

describe.skipIf(!hasChromium)('web chat page with WebSockets blocked', () => {
  it('falls back to SSE and chats, types and reads both ways with a user on MQTT, also after a reload', async () => {
    const alice = await blockedPage();
    const bob = await newPage(web.browser);
    await signIn(alice.page, web.platform.endpoints.api, 'alice', 'sse');
    await signIn(bob.page, web.platform.endpoints.api, 'bob', 'mqtt');
    expect(alice.refused()).toBeGreaterThanOrEqual(2);
    expect(await alice.page.textContent('[data-testid=status]')).toBe('Online (SSE fallback)');

    await send(alice.page, 'from behind the proxy');
    await waitForText(bob.page, 'from behind the proxy');
    await send(bob.page, 'right back at you');
    await waitForText(alice.page, 'right back at you');
    await bob.page.waitForSelector('[data-testid=seen-by]:text("Seen by alice")');
    await alice.page.waitForSelector('[data-testid=seen-by]:text("Seen by bob")');

    await alice.page.fill('[data-testid=composer-input]', 'typing over http');
    await bob.page.waitForSelector('[data-testid=typing]:text("alice is typing")');
    await alice.page.fill('[data-testid=composer-input]', '');
    await bob.page.waitForSelector('[data-testid=typing]', { state: 'detached' });
    await bob.page.fill('[data-testid=composer-input]', 'typing over mqtt');
    await alice.page.waitForSelector('[data-testid=typing]:text("bob is typing")');

    const before = await shownMessages(alice.page);
    expect(before.map(([, text]) => text)).toEqual(['from behind the proxy', 'right back at you']);
    expect(await shownMessages(bob.page)).toEqual(before);
    await alice.page.reload();
    await waitOnline(alice.page, 'sse');
    await waitForText(alice.page, 'right back at you');
    expect(await shownMessages(alice.page)).toEqual(before);
  });

  it('opens the event stream from a plain EventSource with a ticket', async () => {
    const { page } = await blockedPage();
    await signIn(page, web.platform.endpoints.api, 'alice', 'sse');
    // Runs in the page (a string: this file is type-checked for Node, the page has the DOM).
    const ready = await page.evaluate(`(async () => {
      const { token } = JSON.parse(sessionStorage.getItem('mqtt-chat.session'));
      const answer = await fetch('/v1/events/tickets', { method: 'POST', headers: { authorization: 'Bearer ' + token } });
      const { ticket } = await answer.json();
      const source = new EventSource('/v1/events?ticket=' + encodeURIComponent(ticket));
      return new Promise((resolve) => source.addEventListener('ready', (event) => {
        source.close();
        resolve(JSON.parse(event.data));
      }));
    })()`);
    expect(ready).toMatchObject({ heartbeatMs: 15_000, granted: { 'chat/user/dev-alice/inbox': 1 } });
  });
});
