import { describe, expect, it } from 'vitest';
import { checkFleet, isClean, type CheckInput, type SeenMessage } from '../../../mobile-sim/fleet/checker.js';

const msg = (seq: number, senderId = 'alice', roomId = 'r1'): SeenMessage => ({ roomId, seq, senderId, clientMsgId: `${senderId}-${seq}` });
const history = (...messages: SeenMessage[]) => new Map([['r1', messages]]);

function run(overrides: Partial<CheckInput>) {
  const base: CheckInput = {
    acked: [1, 2, 3].map((seq) => ({ ...msg(seq) })),
    apps: [
      { appId: 'alice:phone', rooms: ['r1'], delivered: [msg(1), msg(2), msg(3)] },
      { appId: 'bob:phone', rooms: ['r1'], delivered: [msg(1), msg(2), msg(3)] },
    ],
    history: history(msg(1), msg(2), msg(3)),
  };
  return checkFleet({ ...base, ...overrides });
}

describe('fleet correctness checker', () => {
  it('finds nothing wrong when every member got the platform history once, in order', () => {
    const report = run({});
    expect(report).toEqual({ lost: 0, duplicates: 0, orderViolations: 0, disagreements: 0, undecryptable: 0, examples: [] });
    expect(isClean(report)).toBe(true);
  });

  it('counts an acknowledged send missing from the platform history as lost', () => {
    const report = run({ history: history(msg(1), msg(2)), apps: [{ appId: 'bob:phone', rooms: ['r1'], delivered: [msg(1), msg(2)] }] });
    expect(report.lost).toBe(1);
    expect(report.examples[0]).toContain('alice/alice-3');
    expect(isClean(report)).toBe(false);
  });

  it('counts an acknowledged send stored at its seq by someone else as lost', () => {
    const impostor = msg(3, 'carol');
    const report = run({ history: history(msg(1), msg(2), impostor), apps: [] });
    expect(report.lost).toBe(1);
  });

  it('counts an acknowledged send a member never got as lost, once per member, not also as a disagreement', () => {
    const report = run({ apps: [{ appId: 'bob:phone', rooms: ['r1'], delivered: [msg(1), msg(3)] }] });
    expect(report).toMatchObject({ lost: 1, disagreements: 0 });
  });

  it('counts a (room, seq) handed to the app twice as a duplicate', () => {
    const report = run({ apps: [{ appId: 'bob:phone', rooms: ['r1'], delivered: [msg(1), msg(2), msg(2), msg(3)] }] });
    expect(report).toMatchObject({ duplicates: 1, orderViolations: 0 });
  });

  it('counts a lower seq handed over after a higher one as an order violation', () => {
    const report = run({ apps: [{ appId: 'bob:phone', rooms: ['r1'], delivered: [msg(1), msg(3), msg(2)] }] });
    expect(report).toMatchObject({ orderViolations: 1, duplicates: 0, lost: 0 });
  });

  it('counts a member whose message at a seq differs from the platform as a disagreement', () => {
    const report = run({ apps: [{ appId: 'bob:phone', rooms: ['r1'], delivered: [msg(1), msg(2, 'mallory'), msg(3)] }] });
    expect(report.disagreements).toBe(1);
  });

  it('counts an unacknowledged message of the room that a member never got as a disagreement', () => {
    // seq 4 was stored but its Ack never reached the sender (e.g. the sender crashed).
    const report = run({ history: history(msg(1), msg(2), msg(3), msg(4, 'carol')) });
    expect(report).toMatchObject({ disagreements: 2, lost: 0 });
  });

  it('keeps at most three examples of each kind', () => {
    const delivered = [msg(1), msg(1), msg(1), msg(1), msg(1), msg(2), msg(3)];
    const report = run({ apps: [{ appId: 'bob:phone', rooms: ['r1'], delivered }] });
    expect(report.duplicates).toBe(4);
    expect(report.examples.filter((e) => e.startsWith('duplicates'))).toHaveLength(3);
  });

  describe('in an end-to-end encrypted room', () => {
    const sentContent = new Map([1, 2, 3].map((seq) => [`alice/alice-${seq}`, `text ${seq}`]));
    const read = (seq: number, content = `text ${seq}`): SeenMessage => ({ ...msg(seq), e2ee: 'decrypted', content });
    const encrypted = (delivered: SeenMessage[]) =>
      run({ encryptedRooms: new Set(['r1']), sentContent, apps: [{ appId: 'bob:phone', rooms: ['r1'], delivered }] });

    it('finds nothing wrong when every member read what was sent', () => {
      expect(isClean(encrypted([read(1), read(2), read(3)]))).toBe(true);
    });

    it('counts a message decrypted to other content than its sender sent as a disagreement', () => {
      expect(encrypted([read(1), read(2, 'text 3'), read(3)])).toMatchObject({ disagreements: 1, undecryptable: 0 });
    });

    it('counts a message a member could not read, or got unencrypted, as undecryptable; a key distribution is not', () => {
      const report = encrypted([read(1), { ...msg(2), e2ee: 'undecryptable' }, { ...msg(3), e2ee: 'none' }]);
      expect(report).toMatchObject({ undecryptable: 2, disagreements: 0 });
      expect(isClean(report)).toBe(false);
      const keysOnly = { roomId: 'r1', seq: 4, senderId: 'alice', clientMsgId: 'keys', e2ee: 'keys-only' as const };
      const withKeys = run({
        encryptedRooms: new Set(['r1']),
        sentContent,
        history: history(msg(1), msg(2), msg(3), keysOnly),
        apps: [{ appId: 'bob:phone', rooms: ['r1'], delivered: [read(1), read(2), read(3), keysOnly] }],
      });
      expect(isClean(withKeys)).toBe(true);
    });
  });
});
