/**
 * The platform-internal notice that a device's tokens were revoked (or every device's of a
 * deleted user): the API publishes it, as the service identity, after the deny list row has
 * committed; every broker node subscribes in process and disconnects the matching devices at
 * once. Devices can neither publish nor subscribe here (the ACL denies every topic outside the
 * chat grammar). JSON, not protobuf: it never leaves the platform, and no client decodes it.
 */
import { isValidId } from '@mqtt-chat/protocol';

export const TOKEN_REVOCATION_TOPIC = '$platform/token-revocations';

/** The device id of a revocation that covers every device of its user. Never an id: ids are [A-Za-z0-9_-]{1,64}. */
export const ALL_DEVICES = '*';

export interface TokenRevocation {
  userId: string;
  /** A device id, or ALL_DEVICES. */
  deviceId: string;
  /** The device's tokens issued before this instant (ms since the epoch) are refused. */
  notBeforeMs: number;
}

export const encodeTokenRevocation = (revocation: TokenRevocation): Uint8Array =>
  new TextEncoder().encode(
    JSON.stringify({ userId: revocation.userId, deviceId: revocation.deviceId, notBeforeMs: revocation.notBeforeMs }),
  );

/** The notice, or undefined when the payload is not one. */
export function decodeTokenRevocation(payload: Uint8Array): TokenRevocation | undefined {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(payload));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { userId, deviceId, notBeforeMs } = value as Record<string, unknown>;
  const isRevocation =
    typeof userId === 'string' &&
    isValidId(userId) &&
    typeof deviceId === 'string' &&
    (deviceId === ALL_DEVICES || isValidId(deviceId)) &&
    typeof notBeforeMs === 'number' &&
    Number.isSafeInteger(notBeforeMs);
  return isRevocation ? { userId, deviceId, notBeforeMs } : undefined;
}
