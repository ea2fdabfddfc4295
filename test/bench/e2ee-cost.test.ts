/**
 * The per-message figures of `npm run bench:e2ee` measure what they say (docs/e2ee.md#costs): with
 * a few messages each, every recipient decrypts every message (measureCost throws otherwise), a
 * sender-key message does not grow with the room while a pairwise one grows by a Signal message
 * per device, and a first-contact chain hand-out (PreKey messages with Kyber ciphertexts) is larger
 * than one over established sessions.
 */
import { describe, expect, it } from 'vitest';
import { createLibsignalCrypto } from '@mqtt-chat/sdk/e2ee-node';
import { measureCost } from '../../bench/e2ee-cost.js';

const crypto = createLibsignalCrypto();
const measure = (members: number, strategy: 'sender-keys' | 'pairwise') =>
  measureCost(crypto, { members, strategy, messages: 3, plaintextBytes: 100 });

describe('bench:e2ee cost per message', () => {
  it('sender keys: the same bytes per message in rooms of 2 and 10, and a new chain costs more on first contact', async () => {
    const [small, large] = [await measure(2, 'sender-keys'), await measure(10, 'sender-keys')];
    // A byte or two of varints apart (ratchet counters, ids), never a part per device.
    expect(Math.abs(large.overheadBytes - small.overheadBytes)).toBeLessThanOrEqual(4);
    expect(small.overheadBytes).toBeGreaterThan(0);
    expect(large.distribution!.firstContactBytes).toBeGreaterThan(large.distribution!.establishedBytes);
    // Nine recipients: first contact carries nine PreKey messages of well over a kilobyte (the Kyber ciphertext).
    expect(large.distribution!.firstContactBytes).toBeGreaterThan(9 * 1568);
    expect(Math.min(small.encryptUs, small.decryptUs, large.encryptUs, large.decryptUs)).toBeGreaterThan(0);
  });

  it('pairwise: one Signal message per recipient device', async () => {
    const [small, large] = [await measure(2, 'pairwise'), await measure(10, 'pairwise')];
    // Each part carries the whole (padded) plaintext: with one recipient, the envelope is one part.
    const perDevice = small.overheadBytes + 100;
    const expected = 9 * perDevice - 100;
    expect(Math.abs(large.overheadBytes - expected)).toBeLessThan(0.05 * expected);
  });
});
