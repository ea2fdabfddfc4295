/** Shared by the push tests: a movable wall clock, device tokens and messages. */
import { randomBytes } from 'node:crypto';
import { createVirtualClock, type VirtualClock } from '../../devtools/index.js';
import type { WallClock } from '../../lib/clock.js';

export type { VirtualClock };
import type { PushMessage } from '../../push/index.js';

/** Starts at the real time, so certificates and HTTP dates stay plausible, then moves only when told. */
export const createWallClockAtNow = (): VirtualClock => createVirtualClock(Date.now());

/** An APNs device token: 32 bytes in hex. */
export const apnsToken = (): string => randomBytes(32).toString('hex');

/** An FCM registration token: a long base64url-ish string with a colon, as FCM issues them. */
export const fcmToken = (): string => `${randomBytes(8).toString('base64url')}:APA91b${randomBytes(96).toString('base64url')}`;

export function alertMessage(token: string, clock: WallClock, overrides: Partial<PushMessage> = {}): PushMessage {
  return {
    token,
    type: 'alert',
    alert: { title: 'Ada', body: 'Lunch at noon?' },
    badge: 3,
    collapseKey: 'room-r1',
    data: { roomId: 'r1', seq: '42' },
    expiresAtMs: clock.now() + 3600_000,
    ...overrides,
  };
}

export function backgroundMessage(token: string, clock: WallClock, overrides: Partial<PushMessage> = {}): PushMessage {
  return {
    token,
    type: 'background',
    badge: 2,
    collapseKey: 'room-r1',
    data: { roomId: 'r1', seq: '43', kind: 'tickle' },
    expiresAtMs: clock.now() + 600_000,
    ...overrides,
  };
}
