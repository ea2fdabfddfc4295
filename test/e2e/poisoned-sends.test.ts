/**
 * The poisoned-send attack of issue 9, end to end: while one member floods her own room with
 * sends whose content_type holds a NUL byte, honest members keep sending to theirs. Before the
 * fix, each poisoned send aborted the batch transaction it shared with honest sends, whose
 * connections were then closed (61-92 % of honest sends refused). Now every honest send is
 * acknowledged and stored, and only the attacker's are Nacked, on an open connection.
 * The send rate limit is lifted here so it cannot hide the flaw (it would thin the flood).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NackReason, encodeSend, sendTopic } from '../../schema/index.js';
import { TestDevice } from '../support/device.js';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';

const HONEST_DEVICES = 5;
const HONEST_SENDS_EACH = 40;
const ATTACK_SENDS = 200;

let platform: TestPlatform;
const devices: TestDevice[] = [];

beforeAll(async () => {
  platform = await startTestPlatform(
    { database: 'pglite', brokerState: 'memory' },
    { SEND_RATE_PER_SECOND: '100000', SEND_BURST: '100000' },
  );
});
afterAll(async () => {
  await Promise.all(devices.map((d) => d.close().catch(() => undefined)));
  await platform?.stop();
});

async function member(name: string, roomId?: string): Promise<{ device: TestDevice; roomId: string }> {
  const userId = await platform.createUser(name);
  const room = roomId ?? (await platform.createRoom([userId])).id;
  if (roomId !== undefined) await platform.admin('POST', `/v1/rooms/${roomId}/members`, { userId });
  const device = await TestDevice.connect(platform.endpoints.mqtt, userId, 'phone', await platform.tokenFor(userId, 'phone'));
  devices.push(device);
  return { device, roomId: room };
}

/** Publishes every send at once (QoS 1); resolves with the ids whose PUBACK came (the others saw their connection close). */
function publishAll(device: TestDevice, payloads: { clientMsgId: string; payload: Buffer }[]): Promise<string[]> {
  return Promise.all(
    payloads.map(
      ({ clientMsgId, payload }) =>
        new Promise<string | undefined>((resolve) =>
          device.client.publish(sendTopic(device.userId), payload, { qos: 1 }, (error) => resolve(error ? undefined : clientMsgId)),
        ),
    ),
  ).then((ids) => ids.filter((id): id is string => id !== undefined));
}

describe('a member flooding her room with NUL sends', () => {
  it('refuses none of the honest sends made meanwhile, and Nacks hers MALFORMED on an open connection', async () => {
    const attacker = await member('mallory');
    const first = await member('honest-0');
    const honest = [
      first,
      ...(await Promise.all(Array.from({ length: HONEST_DEVICES - 1 }, (_, i) => member(`honest-${i + 1}`, first.roomId)))),
    ];
    const roomVersion = (await platform.admin('GET', `/v1/rooms/${first.roomId}`)).json.memberVersion as number;

    const poison = Array.from({ length: ATTACK_SENDS }, (_, i) => ({
      clientMsgId: `nul-${i}`,
      payload: Buffer.from(
        encodeSend({
          roomId: attacker.roomId,
          clientMsgId: `nul-${i}`,
          roomVersion: 1,
          body: Buffer.from('x'),
          contentType: 'text/plain\u0000',
        }),
      ),
    }));
    const honestSends = honest.map(({ device }, d) =>
      Array.from({ length: HONEST_SENDS_EACH }, (_, i) => ({
        clientMsgId: `h${d}-${i}`,
        payload: Buffer.from(
          encodeSend({
            roomId: first.roomId,
            clientMsgId: `h${d}-${i}`,
            roomVersion,
            body: Buffer.from(`hi ${i}`),
            contentType: 'text/plain',
          }),
        ),
      })).map((send) => ({ ...send, device })),
    );
    const [attackPubacked, ...honestPubacked] = await Promise.all([
      publishAll(attacker.device, poison),
      ...honest.map(({ device }, d) => publishAll(device, honestSends[d]!)),
    ]);
    const acked = await Promise.all(
      honest.map(({ device }, d) =>
        Promise.all(
          honestPubacked[d]!.map((id) =>
            device.waitForAck(id).then(
              () => id,
              () => undefined,
            ),
          ),
        ),
      ),
    );
    const total = HONEST_DEVICES * HONEST_SENDS_EACH;
    const stored = acked.flat().filter((id) => id !== undefined).length;
    console.log(
      `poisoned sends: ${total - stored} of ${total} honest sends refused (${(((total - stored) / total) * 100).toFixed(1)} %) while ${ATTACK_SENDS} NUL sends were made`,
    );
    expect(stored).toBe(total);
    const history = await platform.admin('GET', `/v1/rooms/${first.roomId}/messages?after=0&limit=500`);
    expect(history.json.messages.map((m: { seq: number }) => m.seq)).toEqual(Array.from({ length: total }, (_, i) => i + 1));

    expect(attackPubacked).toHaveLength(ATTACK_SENDS);
    expect(attacker.device.client.connected).toBe(true);
    expect(await attacker.device.waitForNack(`nul-${ATTACK_SENDS - 1}`)).toMatchObject({ reason: NackReason.NACK_REASON_MALFORMED });
  }, 60_000);
});
