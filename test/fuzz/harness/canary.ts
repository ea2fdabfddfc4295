/**
 * The canary: two phones running the real SDK, one over TCP and one over WebSocket, in a room of
 * their own. After every batch each sends the other a message; both must arrive. A canary whose
 * connection the platform dropped is a finding too: nothing the fuzzer does may touch it.
 */
import { createSeededRandom } from '../../../devtools/index.js';
import { createChatClient, realClock, type ChatClient } from '@mqtt-chat/sdk';
import type { CanaryUsers, PlatformPorts } from './platform.js';

export const CANARY_LIMIT_MS = 20_000;

export interface Canary {
  /** Undefined when both directions went through; otherwise what failed. */
  check(): Promise<string | undefined>;
  /** Times either canary lost an established connection, with the reason it was given. */
  drops(): string[];
  close(): void;
}

interface Phone {
  client: ChatClient;
  name: string;
  received: Set<string>;
  waiters: Map<string, () => void>;
}

function phone(name: string, mqttUrl: string, apiUrl: string, device: CanaryUsers['a'], seed: number, drops: string[]): Phone {
  const client = createChatClient(
    { clock: realClock, random: createSeededRandom(seed) },
    { mqttUrl, apiUrl, userId: device.userId, deviceId: device.deviceId, token: device.token },
  );
  const received = new Set<string>();
  const waiters = new Map<string, () => void>();
  let wasConnected = false;
  client.on('status', (status) => {
    if (wasConnected && status.state !== 'connected') drops.push(`${name}: ${status.state} ${status.code} (${status.reason})`);
    wasConnected = status.state === 'connected';
  });
  client.on('message', (message) => {
    const text = new TextDecoder().decode(message.body);
    received.add(text);
    waiters.get(text)?.();
  });
  return { client, name, received, waiters };
}

function arrival(to: Phone, text: string): Promise<void> {
  if (to.received.has(text)) return Promise.resolve();
  return new Promise((resolve) => to.waiters.set(text, resolve));
}

async function roundTrip(from: Phone, to: Phone, roomId: string, text: string): Promise<void> {
  const arrived = arrival(to, text);
  await from.client.send(roomId, text);
  await arrived;
  to.waiters.delete(text);
}

export async function startCanary(ports: PlatformPorts, users: CanaryUsers): Promise<Canary> {
  const apiUrl = `http://127.0.0.1:${ports.api}`;
  const drops: string[] = [];
  const a = phone('canary a (tcp)', `mqtt://127.0.0.1:${ports.mqtt}`, apiUrl, users.a, 1, drops);
  const b = phone('canary b (ws)', `ws://127.0.0.1:${ports.ws}/mqtt`, apiUrl, users.b, 2, drops);
  let rounds = 0;
  const canary: Canary = {
    async check() {
      rounds += 1;
      let timer: NodeJS.Timeout | undefined;
      const limit = new Promise<string>((resolve) => {
        timer = setTimeout(() => resolve(`no round trip within ${CANARY_LIMIT_MS} ms`), CANARY_LIMIT_MS);
      });
      const trip = (async () => {
        await roundTrip(a, b, users.roomId, `canary ${rounds} a→b`);
        await roundTrip(b, a, users.roomId, `canary ${rounds} b→a`);
        return undefined;
      })().catch((error: unknown) => `send failed: ${(error as Error).message}`);
      const outcome = await Promise.race([trip, limit]);
      clearTimeout(timer);
      return outcome;
    },
    drops: () => [...drops],
    close() {
      a.client.close();
      b.client.close();
    },
  };
  void a.client.connect();
  void b.client.connect();
  const first = await canary.check();
  if (first !== undefined) {
    canary.close();
    throw new Error(`the canary does not work on a fresh platform: ${first}`);
  }
  return canary;
}
