import { describe, expect, it } from 'vitest';
import { createConnectWaiter } from '../../sdk/src/connect-waiter.js';
import type { ClientStatus } from '../../sdk/src/status.js';

const connecting: ClientStatus = { state: 'connecting', attempt: 0, delayMs: 0, code: 'connect', reason: 'app' };
const connected: ClientStatus = { state: 'connected', code: 'connected', reason: 'up', transport: 'mqtt' };

describe('connect waiter', () => {
  it('resolves every waiter on connected, and at once when already connected', async () => {
    const waiter = createConnectWaiter();
    const both = [waiter.wait(connecting), waiter.wait(connecting)];
    waiter.statusChanged({ ...connecting, code: 'network_error', attempt: 1 }); // retries do not settle anything
    waiter.statusChanged(connected);
    await expect(Promise.all(both)).resolves.toEqual([undefined, undefined]);
    await expect(waiter.wait(connected)).resolves.toBeUndefined();
  });

  it.each([
    ['unauthorized', 'ERR_SDK_UNAUTHORIZED'],
    ['refused', 'ERR_SDK_CONNECTION_REFUSED'],
    ['closed', 'ERR_SDK_CLOSED'],
  ] as const)('rejects on the fatal status %s with %s, carrying the reason', async (code, errorCode) => {
    const waiter = createConnectWaiter();
    const pending = waiter.wait(connecting);
    waiter.statusChanged({ state: 'disconnected', code, reason: 'CONNACK 5: token refused' });
    await expect(pending).rejects.toMatchObject({ code: errorCode, message: expect.stringContaining('CONNACK 5') });
  });
});
