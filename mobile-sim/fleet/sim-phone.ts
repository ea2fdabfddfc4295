/**
 * One simulated phone: an SDK `ChatClient` plus the behaviour of a person holding it (bursts of
 * chat with typing, putting the phone away and taking it out again), recording what its app was
 * shown so the checker can judge the run.
 */
import { type ChatClient, type Clock, createChatClient, type E2eeOptions, type HeartbeatPolicy, type TimerHandle } from '@mqtt-chat/sdk';
import type { SeenMessage } from './checker.js';
import { exponentialMs, randomInt, type Random } from '../../devtools/index.js';

export interface PhoneEnvironment {
  clock: Clock;
  random: Random;
  mqttUrl: string;
  apiUrl: string;
  heartbeat: () => HeartbeatPolicy;
  /** Milliseconds on a clock every phone of the run shares, stamped into bodies for latency. */
  sharedNowMs: () => number;
  onAcked(send: { roomId: string; senderId: string; clientMsgId: string; seq: number }): void;
  /** A send left the app with this content (the truth the checker holds decrypted content to). */
  onSent(send: { senderId: string; clientMsgId: string; content: string }): void;
  onSendFailed(error: unknown): void;
  /** `online`: the phone was connected throughout, from the send to the delivery; `catchUp`: it was away or reconnecting meanwhile. */
  onLatency(latencyMs: number, kind: 'online' | 'catchUp', encrypted: boolean): void;
}

export interface PhoneProfile {
  userId: string;
  deviceId: string;
  token: string;
  rooms: readonly string[];
  burstEveryMs: number;
  /** The phone's end-to-end encryption, when it is in an encrypted room. */
  e2ee?: E2eeOptions;
  /** Which of the fleet's rooms are encrypted: what the app was handed there is recorded with its content. */
  encryptedRooms: ReadonlySet<string>;
}

export interface SimPhone {
  readonly appId: string;
  readonly rooms: readonly string[];
  readonly client: ChatClient;
  /** What the app was handed, in order. */
  readonly delivered: SeenMessage[];
  /**
   * The highest seq of `roomId` the app was handed. In an encrypted room this trails the SDK's
   * `lastSeq` while messages wait their turn to be decrypted.
   */
  handedUpTo(roomId: string): number;
  /**
   * With end-to-end encryption: connects once to put the phone's keys on the platform, then leaves.
   * A device reads only what was sent after its keys existed, so the fleet installs its app first.
   */
  installKeys(): Promise<void>;
  /** Connects and starts behaving. */
  start(): void;
  /** Stops starting new activities and takes the phone out of the pocket (online again). */
  calmDown(): void;
  /** Sends still waiting for their Ack or Nack. */
  pendingSends(): number;
  isOnline(): boolean;
  close(): void;
}

const AWAY_MIN_MS = 3_000;
const AWAY_MAX_MS = 15_000;
/** Share of activities that put the phone away instead of chatting. */
const AWAY_SHARE = 0.15;

interface Body {
  /** Shared-clock time of the send, for send→delivery latency. */
  t: number;
  text: string;
}

export function createSimPhone(env: PhoneEnvironment, profile: PhoneProfile): SimPhone {
  const { clock, random } = env;
  const appId = `${profile.userId}:${profile.deviceId}`;
  const delivered: SeenMessage[] = [];
  const handedSeq = new Map<string, number>();
  const client = createChatClient(
    { clock, random },
    {
      mqttUrl: env.mqttUrl,
      apiUrl: env.apiUrl,
      userId: profile.userId,
      deviceId: profile.deviceId,
      token: profile.token,
      heartbeat: env.heartbeat(),
      backoff: { baseMs: 250, capMs: 8_000 },
      ackTimeoutMs: 5_000,
      gapWaitMs: 500,
      ...(profile.e2ee === undefined ? {} : { e2ee: profile.e2ee }),
    },
  );
  let pending = 0;
  let isAway = false;
  let calm = false;
  let sentCount = 0;
  let timer: TimerHandle | undefined;
  /** Shared-clock time since which the phone has been connected without a break; undefined while it is not. */
  let connectedSinceMs: number | undefined;

  client.on('status', (status) => (connectedSinceMs = status.state === 'connected' ? env.sharedNowMs() : undefined));
  client.on('message', (message) => {
    const seen: SeenMessage = { roomId: message.roomId, seq: message.seq, senderId: message.senderId, clientMsgId: message.clientMsgId };
    if (profile.encryptedRooms.has(message.roomId)) {
      seen.e2ee = message.e2ee?.state ?? 'none';
      if (message.e2ee?.state === 'decrypted') seen.content = new TextDecoder().decode(message.body);
    }
    delivered.push(seen);
    handedSeq.set(message.roomId, Math.max(handedSeq.get(message.roomId) ?? 0, message.seq));
    if (message.senderId === profile.userId) return;
    const body = parseBody(message.body);
    if (body === undefined) return;
    const wasOnlineThroughout = connectedSinceMs !== undefined && connectedSinceMs <= body.t;
    env.onLatency(env.sharedNowMs() - body.t, wasOnlineThroughout ? 'online' : 'catchUp', profile.encryptedRooms.has(message.roomId));
  });

  function schedule(delayMs: number, action: () => void): void {
    timer = clock.setTimeout(() => {
      timer = undefined;
      if (!calm) action();
    }, delayMs);
  }

  function nextActivity(): void {
    schedule(exponentialMs(random, profile.burstEveryMs), () => (random() < AWAY_SHARE ? goAway() : chatBurst()));
  }

  function chatBurst(): void {
    const roomId = profile.rooms[randomInt(random, 0, profile.rooms.length - 1)]!;
    const typing = client.typing(roomId);
    typing.keystroke();
    const messages = randomInt(random, 1, 3);
    schedule(randomInt(random, 300, 2_000), () => {
      for (let i = 0; i < messages; i++) send(roomId);
      typing.messageSent();
      nextActivity();
    });
  }

  function send(roomId: string): void {
    pending += 1;
    const body: Body = { t: env.sharedNowMs(), text: `hello #${++sentCount} from ${appId}` };
    const content = JSON.stringify(body);
    const sending = client.send(roomId, content);
    env.onSent({ senderId: profile.userId, clientMsgId: sending.clientMsgId, content });
    sending
      .then(
        (result) => env.onAcked({ ...result, senderId: profile.userId }),
        (error: unknown) => env.onSendFailed(error),
      )
      .finally(() => (pending -= 1));
  }

  /** The person pockets the phone once its sends are through (an app would keep unsent ones). */
  function goAway(): void {
    if (pending > 0) return nextActivity();
    isAway = true;
    client.close();
    schedule(randomInt(random, AWAY_MIN_MS, AWAY_MAX_MS), comeBack);
  }

  function comeBack(): void {
    isAway = false;
    void client.connect(); // connect()'s promise is not needed: the status says how the connection fares
    nextActivity();
  }

  return {
    appId,
    rooms: profile.rooms,
    client,
    delivered,
    handedUpTo: (roomId) => handedSeq.get(roomId) ?? 0,
    async installKeys() {
      if (client.e2ee === undefined) return;
      await client.connect();
      await client.e2ee.ready();
      client.close();
    },
    start() {
      void client.connect();
      nextActivity();
    },
    calmDown() {
      calm = true;
      if (timer !== undefined) clock.clearTimeout(timer);
      timer = undefined;
      if (isAway) {
        isAway = false;
        void client.connect();
      }
    },
    pendingSends: () => pending,
    isOnline: () => client.status().state === 'connected',
    close() {
      calm = true;
      if (timer !== undefined) clock.clearTimeout(timer);
      client.close();
    },
  };
}

function parseBody(bytes: Uint8Array): Body | undefined {
  try {
    const body = JSON.parse(new TextDecoder().decode(bytes)) as Partial<Body>;
    return typeof body.t === 'number' ? (body as Body) : undefined;
  } catch {
    return undefined;
  }
}
