/**
 * What the broker does with a device PUBLISH the ACL allowed, as pure decisions.
 *
 * Retain: the platform retains only presence. A device's own device-presence topic is retained
 * by contract (its Last Will says offline); the aggregate chat/presence/{userId} is the
 * platform's (the ACL closes a device's connection for publishing there, retained or not). On
 * every other topic a device may publish to (its send topic, typing, receipts) the retain flag
 * is stripped rather than the connection closed: MQTT 3.1.1 cannot refuse one PUBLISH without
 * closing the connection, and the message itself is legitimate, so the flag is ignored and the
 * message goes on (a send is still stored and acked) but nothing is kept for later subscribers.
 */
import { decodeDeviceStatus, encodeDeviceStatus, type Topic } from '../schema/index.js';

/** A DeviceStatus is two small fields; anything longer is not one the SDK would send. */
export const DEVICE_STATUS_MAX_BYTES = 32;

/** Whether a device PUBLISH to a topic of this kind may keep its retain flag. */
export const keepsRetain = (kind: Topic['kind']): boolean => kind === 'devicePresence';

/**
 * The device-presence payload re-encoded (unknown fields dropped), or undefined when it is not a
 * DeviceStatus of bounded size. An empty payload is a valid DeviceStatus (offline): retained, it
 * clears the retained status, as MQTT says of a zero-byte retained message [MQTT-3.3.1-10].
 */
export function canonicalDeviceStatus(payload: Uint8Array): Uint8Array | undefined {
  if (payload.byteLength > DEVICE_STATUS_MAX_BYTES) return undefined;
  try {
    return encodeDeviceStatus(decodeDeviceStatus(payload));
  } catch {
    return undefined;
  }
}

/** The device of a client id `{userId}:{deviceId}`, which authentication checked against the token. */
export { deviceOfClientId } from '../access/index.js';

/**
 * A Last Will is honoured only as what the contract defines it for: an offline status on the
 * device's own presence topic. Anything else is dropped, never refused: a Will is published
 * after its connection is gone (there is nothing left to close), and for a client of a node that
 * died, Aedes would turn a refusal into an 'error' event of the whole broker.
 */
export function willIsHonoured(owner: { userId: string; deviceId: string } | undefined, topic: Topic | undefined): boolean {
  return owner !== undefined && topic?.kind === 'devicePresence' && topic.userId === owner.userId && topic.deviceId === owner.deviceId;
}
