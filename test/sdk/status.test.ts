import { describe, expect, it } from 'vitest';
import { createStatusCell, type ClientStatus } from '../../sdk/src/status.js';

describe('status cell', () => {
  it('tells listeners about a status only when it differs from the current one', () => {
    const heard: ClientStatus[] = [];
    const cell = createStatusCell({ state: 'disconnected', code: 'idle', reason: 'new' }, (s) => heard.push(s));
    const connecting: ClientStatus = { state: 'connecting', attempt: 0, delayMs: 0, code: 'connect', reason: 'app' };
    cell.set(connecting);
    cell.set({ ...connecting });
    const connected: ClientStatus = { state: 'connected', code: 'connected', reason: 'up', transport: 'mqtt' };
    cell.set(connected);
    cell.set({ ...connected });
    cell.set({ ...connecting, attempt: 1, delayMs: 40 });
    expect(heard).toEqual([connecting, connected, { ...connecting, attempt: 1, delayMs: 40 }]);
    expect(cell.get()).toEqual({ ...connecting, attempt: 1, delayMs: 40 });
  });
});
