import { describe, expect, it } from 'vitest';
import { parsePushNotice } from '../../sdk/src/push-notice.js';

describe('reading a push', () => {
  it('reads a message push from APNs custom keys, with the badge from aps', () => {
    const data = { type: 'message', roomId: 'r1', seq: '7', dedupKey: 'r1:7:u:phone', senderId: 'u2', aps: { badge: 3, alert: {} } };
    expect(parsePushNotice(data)).toEqual({ kind: 'message', roomId: 'r1', seq: 7, dedupKey: 'r1:7:u:phone', badge: 3 });
  });

  it('reads a data-only tickle and a retraction from FCM data, with the badge in data', () => {
    expect(parsePushNotice({ type: 'message', roomId: 'r1', seq: '2', dedupKey: 'k', badge: '5' })).toMatchObject({ seq: 2, badge: 5 });
    expect(parsePushNotice({ type: 'retract', roomId: 'r1', readSeq: '4', dedupKey: 'k2', badge: '0' })).toEqual({
      kind: 'retract',
      roomId: 'r1',
      readSeq: 4,
      dedupKey: 'k2',
      badge: 0,
    });
  });

  it('drops what is not a push of ours or makes no sense', () => {
    const good = { type: 'message', roomId: 'r1', seq: '1', dedupKey: 'k' };
    for (const bad of [
      {},
      { ...good, type: 'promo' },
      { ...good, roomId: '' },
      { ...good, dedupKey: undefined },
      { ...good, seq: '0' },
      { ...good, seq: '-1' },
      { ...good, seq: '1e3' },
      { ...good, seq: 3 },
      { type: 'retract', roomId: 'r1', dedupKey: 'k' },
    ]) {
      expect(parsePushNotice(bad), JSON.stringify(bad)).toBeUndefined();
    }
  });
});
