/**
 * Real-browser tests: Debian's Chromium driven by playwright-core (no browser is downloaded),
 * against a whole platform in this process that serves the page at /app with the development
 * sign-in on. Helpers sign a page in and read what it shows; tests await DOM conditions
 * (waitForSelector, expect.poll), never fixed sleeps.
 */
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { backendAvailable, CHROMIUM_PATH } from '../../support/backends.js';
import { startTestPlatform, type TestPlatform } from '../../support/platform.js';

/** False (with a loud warning) when Chromium is missing; CI requires it (REQUIRE_BACKENDS=...,chromium). */
export const chromiumAvailable = (): Promise<boolean> => backendAvailable('chromium');
export const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
/** Where screenshots go (gitignored; CI keeps it as an artifact). */
export const TEST_OUTPUT = fileURLToPath(new URL('../../../test-output/', import.meta.url));
export const UI_WAIT_MS = 15_000;

export async function startWebPlatform(env: Record<string, string> = {}): Promise<TestPlatform> {
  // A test fills a room with history from one device in a burst: setup, not what the page is tested for.
  return startTestPlatform(
    { database: 'pglite', brokerState: 'memory' },
    { DEV_SIGNIN: 'true', SEND_RATE_PER_SECOND: '1000', SEND_BURST: '1000', ...env },
  );
}

export async function launchChromium(): Promise<Browser> {
  await mkdir(TEST_OUTPUT, { recursive: true });
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

/** Contexts still open: a failed test must not leave its users online for the next one. */
const openContexts = new Set<BrowserContext>();

export async function closeOpenContexts(): Promise<void> {
  await Promise.all([...openContexts].map((context) => context.close()));
}

export async function newPage(browser: Browser): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1000, height: 640 } });
  openContexts.add(context);
  context.on('close', () => openContexts.delete(context));
  const page = await context.newPage();
  page.setDefaultTimeout(UI_WAIT_MS);
  return { context, page };
}

export interface WebFixture {
  /** The platform serving /app (set once the suite's beforeAll ran). */
  platform: TestPlatform;
  browser: Browser;
}

/**
 * One platform and one Chromium for a suite file, started together before its tests, and every
 * context a test opened closed after it. Call at the top of a file; when Chromium is missing
 * nothing starts (the suite skips itself with describe.skipIf).
 */
export function useWebFixture(hasChromium: boolean, env: Record<string, string> = {}): WebFixture {
  const fixture = {} as WebFixture;
  beforeAll(async () => {
    if (hasChromium) [fixture.platform, fixture.browser] = await Promise.all([startWebPlatform(env), launchChromium()]);
  });
  afterEach(closeOpenContexts);
  afterAll(async () => {
    await fixture.browser?.close();
    await fixture.platform?.stop();
  });
  return fixture;
}

/** Opens the page, signs in by name, waits until it is online, and opens the lobby (every development user is in it). */
export async function signIn(page: Page, apiUrl: string, name: string, transport: 'mqtt' | 'sse' = 'mqtt'): Promise<void> {
  await page.goto(`${apiUrl}/app/`);
  await page.fill('[data-testid=dev-name]', name);
  await page.click('[data-testid=dev-signin]');
  await waitOnline(page, transport);
  await openRoom(page, 'dev-lobby');
}

export async function openRoom(page: Page, roomId: string): Promise<void> {
  await page.click(`[data-testid=room][data-room-id="${roomId}"]`);
  await page.waitForSelector(`[data-testid=room-view][data-room-id="${roomId}"]`);
}

export async function waitOnline(page: Page, transport: 'mqtt' | 'sse' = 'mqtt'): Promise<void> {
  await page.waitForSelector(`[data-testid=status][data-state=online][data-transport=${transport}]`);
}

/** The messages the page shows, in order: [seq, text]. */
export async function shownMessages(page: Page): Promise<[number, string][]> {
  return page.$$eval('[data-testid=message]', (items) =>
    items.map((item) => [Number(item.getAttribute('data-seq')), item.querySelector('.text')?.textContent ?? ''] as [number, string]),
  );
}

export async function send(page: Page, text: string): Promise<void> {
  await page.fill('[data-testid=composer-input]', text);
  await page.click('[data-testid=composer-send]');
}

/** Waits until the page shows a message with `text`. */
export async function waitForText(page: Page, text: string): Promise<void> {
  await page.waitForSelector(`[data-testid=message] .text:text-is(${JSON.stringify(text)})`);
}
