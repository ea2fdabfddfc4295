/**
 * Tells every broker node that a device's tokens (or a deleted user's) were revoked, after the
 * deny list row has committed: each node disconnects the matching devices at once. A notice that
 * does not get through is logged, not failed: the row is what counts, and every node re-reads
 * the deny list within REVOCATION_REFRESH_MS (broker/token-revocations.ts).
 */
import type { Logger } from '../lib/log.js';
import { TOKEN_REVOCATION_TOPIC, encodeTokenRevocation, type TokenRevocation } from '../schema/index.js';
import type { Publisher } from '../lib/publisher.js';

export async function announceTokenRevocation(deps: { publisher: Publisher; log: Logger }, revocation: TokenRevocation): Promise<void> {
  await deps.publisher
    .publish(TOKEN_REVOCATION_TOPIC, encodeTokenRevocation(revocation), { qos: 1 })
    .catch((error: unknown) =>
      deps.log.warn(
        { userId: revocation.userId, deviceId: revocation.deviceId, err: (error as Error).message },
        'token revocation notice not published: brokers learn it at their next deny list read',
      ),
    );
}
