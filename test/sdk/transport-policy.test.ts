import { describe, expect, it } from 'vitest';
import type { SessionEnd } from '../../sdk/src/reconnect-policy.js';
import { createTransportPolicy } from '../../sdk/src/transport-policy.js';

const blocked: SessionEnd = { kind: 'network', message: 'closed before CONNACK' };
const silent: SessionEnd = { kind: 'connectTimeout' };
const refused: SessionEnd = { kind: 'refused', returnCode: 3 };

describe('transport policy', () => {
  it('falls back to SSE after N MQTT attempts in a row fail before CONNACK, and never in mqtt mode', () => {
    const auto = createTransportPolicy({ mode: 'auto', fallbackAfterFailures: 2 });
    const mqttOnly = createTransportPolicy({ mode: 'mqtt', fallbackAfterFailures: 2 });
    for (const policy of [auto, mqttOnly]) {
      policy.ended('mqtt', false, blocked);
      expect(policy.next()).toBe('mqtt');
      policy.ended('mqtt', false, silent);
    }
    expect(auto.next()).toBe('sse');
    expect(mqttOnly.next()).toBe('mqtt');
    expect(createTransportPolicy({ mode: 'sse', fallbackAfterFailures: 2 }).next()).toBe('sse');
  });

  it('does not count a CONNACK refusal or a session that was up: the path works', () => {
    const policy = createTransportPolicy({ mode: 'auto', fallbackAfterFailures: 2 });
    policy.ended('mqtt', false, blocked);
    policy.ended('mqtt', false, refused);
    policy.ended('mqtt', false, blocked);
    expect(policy.next()).toBe('mqtt');
    policy.ended('mqtt', true, blocked);
    policy.ended('mqtt', false, blocked);
    expect(policy.next()).toBe('mqtt');
  });

  it('stays on SSE across losses of a stream that was up, goes back to MQTT when SSE cannot start either (offline)', () => {
    const policy = createTransportPolicy({ mode: 'auto', fallbackAfterFailures: 1 });
    policy.ended('mqtt', false, blocked);
    expect(policy.next()).toBe('sse');
    policy.connected('sse');
    expect(policy.shouldProbe()).toBe(true);
    policy.ended('sse', true, blocked);
    expect(policy.next()).toBe('sse');
    policy.ended('sse', false, blocked);
    expect([policy.next(), policy.shouldProbe()]).toEqual(['mqtt', false]);
  });

  it('climbs back to MQTT when a probe connects, and starts over on reset', () => {
    const policy = createTransportPolicy({ mode: 'auto', fallbackAfterFailures: 1 });
    policy.ended('mqtt', false, blocked);
    policy.connected('sse');
    policy.connected('mqtt');
    expect([policy.next(), policy.shouldProbe()]).toEqual(['mqtt', false]);
    policy.ended('mqtt', false, blocked);
    policy.reset();
    expect(policy.next()).toBe('mqtt');
  });

  it('refuses a fallback count below 1', () => {
    expect(() => createTransportPolicy({ mode: 'auto', fallbackAfterFailures: 0 })).toThrow(RangeError);
  });
});
