/**
 * The connection loop: one MQTT session at a time, a new one after each loss, with full-jitter
 * backoff between attempts and the status as `{state, code, reason}`. It also owns what is
 * per-connection (docs/signals.md#device-status-and-last-will,
 * docs/mobile-realities.md#the-adaptive-heartbeat): the device's presence (retained
 * `DeviceStatus{online}` after CONNACK, a Last Will saying offline) and the heartbeat driver.
 *
 * `attempt` counts the attempts that failed in a row before this one; it goes back to 0 only
 * after a session stayed up `stableAfterMs` (docs/mobile-realities.md#reconnect-backoff: AWS IoT
 * resets after 20 s), so a broker that accepts and then drops at once is backed off from, not
 * hammered. The first connect goes out at once; a reconnect after a stable session waits
 * `random(0, base)`, which is what spreads a fleet that lost its broker at the same instant.
 */
import { devicePresenceTopic, deviceClientId, encodeDeviceStatus } from '@mqtt-chat/protocol';
import type { Clock, TimerHandle } from './clock.js';
import type { HeartbeatPolicy } from './heartbeat/heartbeat-policy.js';
import { backoffDelayMs, type BackoffOptions } from './backoff.js';
import { openMqttSession, type MqttSession } from './mqtt-session.js';
import { startPingDriver, type PingDriver } from './ping-driver.js';
import { decideAfterEnd, type SessionEnd } from './reconnect-policy.js';
import { createStatusCell, type ClientStatus } from './status.js';

export interface ConnectionOptions {
  url: string;
  userId: string;
  deviceId: string;
  getToken(): Promise<string>;
  keepaliveSeconds: number;
  connectTimeoutMs: number;
  backoff: BackoffOptions;
  stableAfterMs: number;
  pingTimeoutMs: number;
  heartbeat: HeartbeatPolicy;
}

export interface ConnectionHooks {
  /** A session is up: subscribe what is needed. The status turns `connected` once this resolves. */
  ready(session: MqttSession): Promise<void>;
  message(topic: string, payload: Uint8Array): void;
  /** The session that had been accepted (CONNACK) is gone. */
  down(): void;
  status(status: ClientStatus): void;
}

export interface Connection {
  /** Starts connecting unless already connecting or connected (after a fatal status, with a fresh token). */
  connect(): void;
  /** Says offline, disconnects gracefully, and stays disconnected until `connect()`. */
  close(): void;
  /** Ends the current session for `end` (e.g. the REST API refused the token). */
  fail(end: SessionEnd): void;
  status(): ClientStatus;
  /** The session once the broker accepted it (CONNACK), for subscribing and publishing. */
  session(): MqttSession | undefined;
}

export function createConnection(
  deps: { clock: Clock; random: () => number },
  options: ConnectionOptions,
  hooks: ConnectionHooks,
): Connection {
  const { clock } = deps;
  const status = createStatusCell({ state: 'disconnected', code: 'idle', reason: 'connect() not called yet' }, (s) => hooks.status(s));
  const presenceTopic = devicePresenceTopic(options.userId, options.deviceId);
  let attempt = 0;
  let attemptTimer: TimerHandle | undefined;
  /** Bumped by every new attempt and by close(): callbacks of an older one are ignored. */
  let generation = 0;
  let current: { session: MqttSession; ping: PingDriver | undefined; connectedAtMs: number | undefined } | undefined;
  /** A session was up since the app last called connect(): the next one is a reconnect. */
  let hadSession = false;

  const deviceStatus = (online: boolean): Uint8Array =>
    encodeDeviceStatus({ online, heartbeatMs: online ? Math.round(options.heartbeat.intervalMs()) : 0 });

  function schedule(delayMs: number, code: Extract<ClientStatus, { state: 'connecting' }>['code'], reason: string): void {
    status.set({ state: 'connecting', attempt, delayMs, code, reason });
    const mine = ++generation;
    attemptTimer = clock.setTimeout(() => {
      attemptTimer = undefined;
      void attemptNow(mine);
    }, delayMs);
  }

  async function attemptNow(mine: number): Promise<void> {
    let token: string;
    try {
      token = await options.getToken();
    } catch (error) {
      if (mine === generation) settle({ kind: 'unauthorized', reason: `getToken() failed: ${(error as Error).message}` }, undefined);
      return;
    }
    if (mine !== generation) return;
    const session = openMqttSession(
      { clock },
      {
        url: options.url,
        clientId: deviceClientId(options.userId, options.deviceId),
        username: options.userId,
        password: token,
        keepaliveSeconds: options.keepaliveSeconds,
        connectTimeoutMs: options.connectTimeoutMs,
        will: { topic: presenceTopic, payload: deviceStatus(false) },
      },
      {
        connected: () => sessionUp(mine),
        message: (topic, payload) => {
          if (mine === generation) hooks.message(topic, payload);
        },
        packetSent: () => current?.ping?.packetSent(),
        packetReceived: () => current?.ping?.packetReceived(),
        pingResponse: () => current?.ping?.pingResponse(),
        ended: (end) => {
          if (mine === generation) settle(end, current?.connectedAtMs);
        },
      },
    );
    current = { session, ping: undefined, connectedAtMs: undefined };
  }

  function sessionUp(mine: number): void {
    if (mine !== generation || current === undefined) return;
    const live = current;
    live.connectedAtMs = clock.now();
    live.ping = startPingDriver(
      {
        clock,
        policy: options.heartbeat,
        sendPing: () => live.session.ping(),
        pingTimedOut: () => live.session.end({ kind: 'pingTimeout' }),
      },
      { pingTimeoutMs: options.pingTimeoutMs, maxIntervalMs: options.keepaliveSeconds * 1000 },
    );
    live.session.publish(presenceTopic, deviceStatus(true), { qos: 1, retain: true });
    hooks.ready(live.session).then(
      () => {
        if (mine !== generation) return;
        status.set(
          hadSession
            ? { state: 'connected', code: 'reconnected', reason: 'a new session after the previous one was lost' }
            : { state: 'connected', code: 'connected', reason: 'session accepted and subscribed' },
        );
        hadSession = true;
      },
      (error: unknown) => live.session.end({ kind: 'network', message: `setting up the session failed: ${(error as Error).message}` }),
    );
  }

  /** The session ended (or never started): retry with backoff, or stop for good. */
  function settle(end: SessionEnd, connectedAtMs: number | undefined): void {
    current?.ping?.stop();
    current = undefined;
    if (connectedAtMs !== undefined) hooks.down();
    const decision = decideAfterEnd(end);
    if (!decision.retry) {
      generation += 1;
      status.set({ state: 'disconnected', code: decision.code, reason: decision.reason });
      return;
    }
    const wasStable = connectedAtMs !== undefined && clock.now() - connectedAtMs >= options.stableAfterMs;
    attempt = wasStable ? 0 : attempt + 1;
    schedule(backoffDelayMs(attempt, options.backoff, deps.random), decision.code, decision.reason);
  }

  return {
    connect() {
      const state = status.get().state;
      if (state === 'connecting' || state === 'connected') return;
      attempt = 0;
      hadSession = false;
      schedule(0, 'connect', 'connect() called');
    },
    close() {
      if (attemptTimer !== undefined) clock.clearTimeout(attemptTimer);
      attemptTimer = undefined;
      const live = current;
      if (live?.connectedAtMs !== undefined) live.session.publish(presenceTopic, deviceStatus(false), { qos: 1, retain: true });
      if (live !== undefined) live.session.end({ kind: 'closedByApp' }, true);
      else settle({ kind: 'closedByApp' }, undefined);
    },
    fail(end) {
      if (current !== undefined) current.session.end(end);
      else if (attemptTimer !== undefined) {
        clock.clearTimeout(attemptTimer);
        attemptTimer = undefined;
        settle(end, undefined);
      }
    },
    status: () => status.get(),
    session: () => (current?.connectedAtMs === undefined ? undefined : current.session),
  };
}
