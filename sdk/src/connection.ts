/**
 * The connection loop: one session at a time, a new one after each loss, with full-jitter
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
 *
 * Each attempt uses the transport the policy names (`transport-policy.ts`): MQTT, or the SSE
 * fallback when MQTT looks blocked. On the fallback, an MQTT session is opened every
 * `probeIntervalMs` beside the stream; when its CONNACK comes it takes over (the platform closes
 * the stream's session: same client id), the client subscribes and catches up on it as after any
 * reconnect, and the stream is dropped. A probe that fails changes nothing.
 */
import { devicePresenceTopic, deviceClientId, encodeDeviceStatus } from '@mqtt-chat/protocol';
import type { Clock, TimerHandle } from './clock.js';
import type { HeartbeatPolicy } from './heartbeat/heartbeat-policy.js';
import { backoffDelayMs, type BackoffOptions } from './backoff.js';
import type { MqttSession, SessionHandlers } from './mqtt-session.js';
import { startPingDriver, type PingDriver } from './ping-driver.js';
import { decideAfterEnd, type SessionEnd } from './reconnect-policy.js';
import { createStatusCell, type ClientStatus } from './status.js';
import type { Transport, TransportPolicy } from './transport-policy.js';

/** What every session is opened with, whatever its transport. */
export interface SessionRequest {
  clientId: string;
  username: string;
  password: string;
  keepaliveSeconds: number;
  connectTimeoutMs: number;
  will: { topic: string; payload: Uint8Array };
}

export type OpenSession = (transport: Transport, request: SessionRequest, handlers: SessionHandlers) => MqttSession;

export interface ConnectionDeps {
  clock: Clock;
  random: () => number;
  openSession: OpenSession;
  transports: TransportPolicy;
}

export interface ConnectionOptions {
  userId: string;
  deviceId: string;
  getToken(): Promise<string>;
  keepaliveSeconds: number;
  connectTimeoutMs: number;
  backoff: BackoffOptions;
  stableAfterMs: number;
  pingTimeoutMs: number;
  heartbeat: HeartbeatPolicy;
  /** On the SSE fallback, how often MQTT is tried again. */
  probeIntervalMs: number;
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
  /** Waiting for the next attempt: make it now (the network is back), with MQTT first. False when no attempt was waiting. */
  retryNow(): boolean;
  status(): ClientStatus;
  /** The session once the broker accepted it (CONNACK), for subscribing and publishing. */
  session(): MqttSession | undefined;
}

interface Live {
  session: MqttSession;
  transport: Transport;
  ping: PingDriver | undefined;
  connectedAtMs: number | undefined;
}

export function createConnection(deps: ConnectionDeps, options: ConnectionOptions, hooks: ConnectionHooks): Connection {
  const { clock, transports } = deps;
  const status = createStatusCell({ state: 'disconnected', code: 'idle', reason: 'connect() not called yet' }, (s) => hooks.status(s));
  const presenceTopic = devicePresenceTopic(options.userId, options.deviceId);
  let attempt = 0;
  let attemptTimer: TimerHandle | undefined;
  /** Bumped by every new attempt, a probe's takeover, and close(): callbacks of an older session are ignored. */
  let generation = 0;
  let current: Live | undefined;
  /** A session was up since the app last called connect(): the next one is a reconnect. */
  let hadSession = false;
  /** An MQTT session opened beside the SSE stream; `slot.generation` is set when it takes over. */
  let probe: { slot: { generation: number }; session: MqttSession } | undefined;
  let probeTimer: TimerHandle | undefined;
  /** The stream ended while a probe was connecting (most likely the probe replaced it): decided when the probe is. */
  let endedDuringProbe: SessionEnd | undefined;

  const deviceStatus = (online: boolean): Uint8Array =>
    encodeDeviceStatus({ online, heartbeatMs: online ? Math.round(options.heartbeat.intervalMs()) : 0 });

  const request = (token: string): SessionRequest => ({
    clientId: deviceClientId(options.userId, options.deviceId),
    username: options.userId,
    password: token,
    keepaliveSeconds: options.keepaliveSeconds,
    connectTimeoutMs: options.connectTimeoutMs,
    will: { topic: presenceTopic, payload: deviceStatus(false) },
  });

  function schedule(delayMs: number, code: Extract<ClientStatus, { state: 'connecting' }>['code'], reason: string): void {
    status.set({ state: 'connecting', attempt, delayMs, code, reason });
    const mine = ++generation;
    attemptTimer = clock.setTimeout(() => {
      attemptTimer = undefined;
      void attemptNow(mine);
    }, delayMs);
  }

  /** The handlers of one session: they act only while it is the current one (or the pending probe). */
  function handlersFor(slot: { generation: number }): SessionHandlers {
    const isCurrent = () => slot.generation === generation;
    return {
      connected() {
        if (isCurrent()) sessionUp(slot.generation);
        else if (probe?.slot === slot) takeOver(probe);
      },
      message: (topic, payload) => {
        if (isCurrent()) hooks.message(topic, payload);
      },
      packetSent() {
        if (isCurrent()) current?.ping?.packetSent();
      },
      packetReceived() {
        if (isCurrent()) current?.ping?.packetReceived();
      },
      pingResponse() {
        if (isCurrent()) current?.ping?.pingResponse();
      },
      ended(end) {
        if (probe?.slot === slot) return probeFailed();
        if (!isCurrent()) return;
        if (probe !== undefined) {
          endedDuringProbe = end;
          return;
        }
        settle(end, current?.connectedAtMs);
      },
    };
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
    const transport = transports.next();
    const session = deps.openSession(transport, request(token), handlersFor({ generation: mine }));
    current = { session, transport, ping: undefined, connectedAtMs: undefined };
  }

  function sessionUp(mine: number): void {
    if (mine !== generation || current === undefined) return;
    const live = current;
    live.connectedAtMs = clock.now();
    transports.connected(live.transport);
    // The SSE fallback keeps itself alive on the platform's heartbeats; only MQTT needs PINGREQs.
    if (live.session.transport === 'mqtt') {
      live.ping = startPingDriver(
        {
          clock,
          policy: options.heartbeat,
          sendPing: () => live.session.ping(),
          pingTimedOut: () => live.session.end({ kind: 'pingTimeout' }),
        },
        { pingTimeoutMs: options.pingTimeoutMs, maxIntervalMs: options.keepaliveSeconds * 1000 },
      );
    }
    live.session.publish(presenceTopic, deviceStatus(true), { qos: 1, retain: true });
    hooks.ready(live.session).then(
      () => {
        if (mine !== generation) return;
        const transport = live.transport;
        status.set(
          hadSession
            ? { state: 'connected', code: 'reconnected', reason: 'a new session after the previous one was lost', transport }
            : { state: 'connected', code: 'connected', reason: 'session accepted and subscribed', transport },
        );
        hadSession = true;
        scheduleProbe();
      },
      (error: unknown) => live.session.end({ kind: 'network', message: `setting up the session failed: ${(error as Error).message}` }),
    );
  }

  function scheduleProbe(): void {
    if (probeTimer !== undefined || probe !== undefined || !transports.shouldProbe()) return;
    probeTimer = clock.setTimeout(() => {
      probeTimer = undefined;
      void startProbe();
    }, options.probeIntervalMs);
  }

  async function startProbe(): Promise<void> {
    const onStream = current?.transport === 'sse' && current.connectedAtMs !== undefined;
    if (!onStream || probe !== undefined) return;
    const expected = generation;
    let token: string;
    try {
      token = await options.getToken();
    } catch {
      return scheduleProbe();
    }
    if (expected !== generation || probe !== undefined) return;
    const slot = { generation: -1 };
    probe = { slot, session: deps.openSession('mqtt', request(token), handlersFor(slot)) };
  }

  /** The probe got its CONNACK: it becomes the session, the stream is dropped. */
  function takeOver(won: NonNullable<typeof probe>): void {
    probe = undefined;
    endedDuringProbe = undefined;
    const old = current;
    won.slot.generation = ++generation;
    old?.ping?.stop();
    old?.session.end({ kind: 'closedByApp' }, true);
    if (old?.connectedAtMs !== undefined) hooks.down();
    current = { session: won.session, transport: 'mqtt', ping: undefined, connectedAtMs: undefined };
    attempt = 0;
    sessionUp(won.slot.generation);
  }

  function probeFailed(): void {
    probe = undefined;
    const ended = endedDuringProbe;
    endedDuringProbe = undefined;
    if (ended !== undefined) return settle(ended, current?.connectedAtMs);
    scheduleProbe();
  }

  function stopProbing(): void {
    if (probeTimer !== undefined) clock.clearTimeout(probeTimer);
    probeTimer = undefined;
    const pending = probe;
    probe = undefined;
    endedDuringProbe = undefined;
    pending?.session.end({ kind: 'closedByApp' }, true);
  }

  /** The session ended (or never started): retry with backoff, or stop for good. */
  function settle(end: SessionEnd, connectedAtMs: number | undefined): void {
    stopProbing();
    const transport = current?.transport;
    current?.ping?.stop();
    current = undefined;
    if (transport !== undefined) transports.ended(transport, connectedAtMs !== undefined, end);
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
      transports.reset();
      schedule(0, 'connect', 'connect() called');
    },
    close() {
      stopProbing();
      if (attemptTimer !== undefined) clock.clearTimeout(attemptTimer);
      attemptTimer = undefined;
      const live = current;
      if (live?.connectedAtMs !== undefined) live.session.publish(presenceTopic, deviceStatus(false), { qos: 1, retain: true });
      if (live !== undefined) live.session.end({ kind: 'closedByApp' }, true);
      else settle({ kind: 'closedByApp' }, undefined);
    },
    fail(end) {
      stopProbing();
      if (current !== undefined) current.session.end(end);
      else if (attemptTimer !== undefined) {
        clock.clearTimeout(attemptTimer);
        attemptTimer = undefined;
        settle(end, undefined);
      }
    },
    retryNow() {
      if (attemptTimer === undefined || status.get().state !== 'connecting') return false;
      clock.clearTimeout(attemptTimer);
      attemptTimer = undefined;
      transports.reset();
      const { code, reason } = status.get() as Extract<ClientStatus, { state: 'connecting' }>;
      schedule(0, code, reason);
      return true;
    },
    status: () => status.get(),
    session: () => (current?.connectedAtMs === undefined ? undefined : current.session),
  };
}
