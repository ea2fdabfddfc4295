/**
 * Presence (docs/signals.md#soft-state-and-ttls): the broker keeps a TTL'd key alive for every
 * device connected to this node, refreshed every `refreshMs`, and announces each user's aggregate
 * (`Presence`: online if any device is) retained on chat/presence/{userId} whenever it changes: at
 * once on connect and disconnect (graceful, or a dead socket whose Will fires), and within the TTL
 * when a node dies without a packet (a surviving node's sweep finds the expired keys).
 */
import { every, type Clock } from '../lib/clock.js';
import type { Logger } from '../lib/log.js';
import { encodePresence, presenceTopic } from '../schema/index.js';

/** The presence soft state this tracker needs (store/presence-store.ts implements it). */
export interface PresenceState {
  refresh(userId: string, deviceId: string, ttlMs: number): Promise<boolean>;
  drop(userId: string, deviceId: string, atMs: number): Promise<boolean>;
  read(userIds: readonly string[]): Promise<Map<string, { online: boolean; lastSeenMs: number }>>;
  sweepExpired(atMs: number): Promise<string[]>;
}

export interface PresenceTracker {
  deviceConnected(userId: string, deviceId: string): void;
  deviceGone(userId: string, deviceId: string): void;
  /** Stops refreshing (the keys of this node then expire) and the sweep. */
  stop(): void;
  /**
   * Resolves once every presence update started so far has finished: the broker waits for the
   * updates of the connections its close ended before the presence store may close under them.
   */
  settled(): Promise<void>;
}

export function startPresenceTracker(
  deps: {
    state: PresenceState;
    publish(topic: string, payload: Uint8Array, options: { qos: 0 | 1; retain: boolean }): Promise<void>;
    /** Refresh ticks and the time of drops and sweeps. */
    clock: Clock;
    log: Logger;
  },
  options: { refreshMs: number; ttlMs: number },
): PresenceTracker {
  /**
   * user -> device -> open connections on this node (a device taking over its session briefly
   * has two). Most users have one device with one connection here, held as its device id alone:
   * a map per user would cost every connection a Map (about 0.2 KiB) for as long as it lives.
   */
  const connected = new Map<string, string | Map<string, number>>();
  const deviceIdsOf = (held: string | Map<string, number>): string[] => (typeof held === 'string' ? [held] : [...held.keys()]);

  async function announce(userId: string): Promise<void> {
    const presence = (await deps.state.read([userId])).get(userId) ?? { online: false, lastSeenMs: 0 };
    await deps.publish(presenceTopic(userId), encodePresence(presence), { qos: 0, retain: true });
  }

  const report = (error: unknown) => deps.log.warn({ err: (error as Error).message }, 'presence update failed');
  const running = new Set<Promise<void>>();
  function track(update: Promise<unknown>): void {
    const done: Promise<void> = update.then(() => undefined, report).finally(() => running.delete(done));
    running.add(done);
  }

  async function tick(): Promise<void> {
    const refreshed = await Promise.all(
      [...connected].flatMap(([userId, held]) =>
        deviceIdsOf(held).map(async (d) => ((await deps.state.refresh(userId, d, options.ttlMs)) ? userId : undefined)),
      ),
    );
    const expired = await deps.state.sweepExpired(deps.clock.now());
    const changed = new Set([...refreshed.filter((u): u is string => u !== undefined), ...expired]);
    await Promise.all([...changed].map(announce));
  }

  let ticking = false; // a slow store must not stack ticks
  const stopTicking = every(deps.clock, options.refreshMs, () => {
    if (ticking) return;
    ticking = true;
    track(tick().finally(() => (ticking = false)));
  });

  return {
    deviceConnected(userId, deviceId) {
      const held = connected.get(userId);
      if (held === undefined) connected.set(userId, deviceId);
      else {
        const devices = typeof held === 'string' ? new Map([[held, 1]]) : held;
        devices.set(deviceId, (devices.get(deviceId) ?? 0) + 1);
        connected.set(userId, devices);
      }
      track(deps.state.refresh(userId, deviceId, options.ttlMs).then(() => announce(userId)));
    },
    deviceGone(userId, deviceId) {
      const held = connected.get(userId);
      if (held === deviceId) connected.delete(userId);
      else if (held instanceof Map) {
        const remaining = (held.get(deviceId) ?? 1) - 1;
        if (remaining > 0) {
          held.set(deviceId, remaining); // its newer connection is still here
          return;
        }
        held.delete(deviceId);
        if (held.size === 0) connected.delete(userId);
        const [only] = held;
        if (held.size === 1 && only?.[1] === 1) connected.set(userId, only[0]);
      }
      track(deps.state.drop(userId, deviceId, deps.clock.now()).then(() => announce(userId)));
    },
    stop: stopTicking,
    async settled() {
      while (running.size > 0) await Promise.all(running);
    },
  };
}
