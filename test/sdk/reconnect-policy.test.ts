import { describe, expect, it } from 'vitest';
import { decideAfterEnd, type SessionEnd } from '../../sdk/src/reconnect-policy.js';

describe('reconnect policy', () => {
  it.each<[string, SessionEnd, boolean, string]>([
    ['CONNACK 4 (bad username or password)', { kind: 'refused', returnCode: 4 }, false, 'unauthorized'],
    ['CONNACK 5 (not authorized: invalid or expired token)', { kind: 'refused', returnCode: 5 }, false, 'unauthorized'],
    ['CONNACK 3 (server unavailable: load shedding)', { kind: 'refused', returnCode: 3 }, true, 'server_unavailable'],
    ['CONNACK 1 (protocol version)', { kind: 'refused', returnCode: 1 }, false, 'refused'],
    ['CONNACK 2 (client id rejected)', { kind: 'refused', returnCode: 2 }, false, 'refused'],
    ['CONNACK 6 (Aedes: keepalive above its limit)', { kind: 'refused', returnCode: 6 }, false, 'refused'],
    ['a network error', { kind: 'network', message: 'ECONNREFUSED' }, true, 'network_error'],
    ['no CONNACK in time', { kind: 'connectTimeout' }, true, 'connect_timeout'],
    ['no PINGRESP in time', { kind: 'pingTimeout' }, true, 'ping_timeout'],
    ['a REST 401', { kind: 'unauthorized', reason: 'REST 401' }, false, 'unauthorized'],
    ['close() by the app', { kind: 'closedByApp' }, false, 'closed'],
  ])('after %s: retry=%s with code %s', (_what, end, retry, code) => {
    expect(decideAfterEnd(end)).toMatchObject({ retry, code, reason: expect.any(String) });
  });
});
