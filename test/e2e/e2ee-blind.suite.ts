/**
 * The platform stays blind (docs/e2ee.md#trust-model): a small end-to-end encrypted chat (two
 * users, three devices, live messages, a device that was away and catches up over REST, paging
 * back, pushes to the away device) with every message carrying a known marker; afterwards every
 * column of every row of every table of the database, as text and as bytes, every log line of the
 * platform at trace level, every log line of the SDK clients and every push payload are searched
 * for the marker in plain text, hex and base64, and it is found nowhere. A control marker sent in
 * a plaintext room of the same run is found, so the search itself is shown to work.
 */
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatClientDeps } from '@mqtt-chat/sdk';
import { startTestPlatform, type BackendChoice, type TestPlatform } from '../support/platform.js';
import { createRecordingProvider } from '../support/recording-provider.js';
import { createE2eeTestClient, type E2eeTestClient } from '../sdk/support/e2ee-client.js';
import { FAST, createTestClient } from '../sdk/support/sdk-client.js';

/** The ways a marker could show: its text, its hex, its base64 at each of the three alignments. */
export function markerForms(marker: string): string[] {
  const bytes = Buffer.from(marker, 'utf8');
  const base64 = [0, 1, 2].map((pad) =>
    Buffer.concat([Buffer.alloc(pad), bytes])
      .toString('base64')
      .slice(4, -4),
  );
  return [marker, bytes.toString('hex'), ...base64];
}

/** Every value a row holds, as the strings and byte arrays to search. */
function rowValues(row: Record<string, unknown>): (string | Uint8Array)[] {
  return Object.values(row).flatMap((value): (string | Uint8Array)[] => {
    if (value instanceof Uint8Array) return [value, Buffer.from(value).toString('latin1')];
    if (value === null || value === undefined) return [];
    if (typeof value === 'string') return [value];
    if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return [value.toString()];
    return [JSON.stringify(value)]; // jsonb columns, timestamps
  });
}

export function describeBlindPlatform(name: string, choice: BackendChoice): void {
  describe(`the platform stays blind (${name})`, () => {
    const lines: string[] = [];
    const sdkLines: string[] = [];
    const apns = createRecordingProvider('apns');
    let platform: TestPlatform;
    const clients: E2eeTestClient[] = [];

    beforeAll(async () => {
      const log = pino({ level: 'trace' }, { write: (line: string) => void lines.push(line) });
      // A device that left is pushed after PUSH_ACK_TIMEOUT_MS at the latest: short, so the test does not wait 15 s.
      const env = { LOG_LEVEL: 'trace', PUSH_ACK_TIMEOUT_MS: '300' };
      platform = await startTestPlatform(choice, env, { log, pushProviders: new Map([['apns', apns]]) });
    });
    afterAll(async () => {
      for (const c of clients) c.client.close();
      await platform?.stop();
    });

    const sdkLog: ChatClientDeps['log'] = (level, fields, message) => void sdkLines.push(JSON.stringify({ level, fields, message }));

    async function device(userId: string, deviceId: string): Promise<E2eeTestClient> {
      const token = await platform.tokenFor(userId, deviceId);
      const options = { mqttUrl: platform.endpoints.mqtt, apiUrl: platform.endpoints.api, userId, deviceId, token, ...FAST };
      const c = createE2eeTestClient(options, {}, { log: sdkLog });
      clients.push(c);
      await c.client.connect();
      await c.e2ee.ready();
      return c;
    }

    async function tables(): Promise<string[]> {
      const { rows } = await platform.db.query<{ name: string }>(
        `SELECT quote_ident(table_schema) || '.' || quote_ident(table_name) AS name FROM information_schema.tables
          WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1`,
      );
      return rows.map((r) => r.name);
    }

    /** Where in the database a form of `marker` shows: `table` per hit. */
    async function databaseHits(marker: string): Promise<string[]> {
      const forms = markerForms(marker);
      const raw = Buffer.from(marker, 'utf8');
      const hits: string[] = [];
      for (const table of await tables()) {
        const { rows } = await platform.db.query<Record<string, unknown>>(`SELECT * FROM ${table}`);
        // The row as PostgreSQL writes it as text (bytea as \x hex), besides each value as the driver hands it over.
        const asText = await platform.db.query<{ row: string }>(`SELECT t::text AS row FROM ${table} t`);
        const values = [...rows.flatMap(rowValues), ...asText.rows.map((r) => r.row)];
        const isHit = values.some((v) => (typeof v === 'string' ? forms.some((f) => v.includes(f)) : Buffer.from(v).includes(raw)));
        if (isHit) hits.push(table);
      }
      return hits;
    }

    const textHits = (texts: readonly string[], marker: string) => texts.filter((t) => markerForms(marker).some((f) => t.includes(f)));

    it('stores, logs and pushes no trace of what encrypted messages say', async () => {
      const secret = `e2ee-marker-${randomBytes(12).toString('hex')}`;
      const control = `plain-marker-${randomBytes(12).toString('hex')}`;
      const [alice, bob] = [await platform.createUser('alice'), await platform.createUser('bob')];
      const encrypted = (await platform.admin('POST', '/v1/rooms', { name: 'e2ee', kind: 'group', members: [alice, bob], encrypted: true }))
        .json.id;
      const plaintext = (await platform.createRoom([alice, bob])).id;
      const phone = await device(alice, 'phone');
      const laptop = await device(alice, 'laptop');
      const bobPhone = await device(bob, 'phone');
      await bobPhone.client.registerPushToken({ platform: 'apns', token: randomBytes(32).toString('hex') });
      await Promise.all([phone, laptop, bobPhone].map((c) => c.untilSubscribed(encrypted)));

      await phone.client.send(encrypted, `${secret} 1`);
      await laptop.client.send(encrypted, `${secret} 2`);
      await bobPhone.until(() => bobPhone.client.lastSeq(encrypted) === 2, 'the live messages');
      bobPhone.client.close(); // away: pushed, then catches up over REST
      await phone.client.send(encrypted, `${secret} 3`);
      await laptop.client.send(encrypted, `${secret} 4`);
      await apns.waitForSent(2);
      await bobPhone.client.connect();
      await bobPhone.until(() => bobPhone.seen(encrypted).length === 4, 'the catch-up');
      await bobPhone.client.send(encrypted, `${secret} 5`);
      await Promise.all([phone, laptop].map((c) => c.until(() => c.seen(encrypted).length === 5, 'the answer')));
      await bobPhone.client.loadOlder(encrypted, 10, { before: 3 });

      const plainSender = createTestClient(
        {
          mqttUrl: platform.endpoints.mqtt,
          apiUrl: platform.endpoints.api,
          userId: alice,
          deviceId: 'web',
          token: await platform.tokenFor(alice, 'web'),
          ...FAST,
        },
        { log: sdkLog },
      );
      await plainSender.client.connect();
      await plainSender.client.send(plaintext, `${control} in the clear`);
      plainSender.client.close();

      for (const c of [phone, laptop, bobPhone]) expect(c.seen(encrypted)).toEqual([1, 2, 3, 4, 5].map((n) => `${secret} ${n}`));
      // Below info: the platform logged at debug and trace level too (the push worker's planning at least).
      expect(lines.some((line) => /"level":(10|20)\b/.test(line))).toBe(true);

      // The search finds what is there: the control marker where a plaintext room keeps it, the room's id in the pushes...
      expect(await databaseHits(control)).toContain('public.messages');
      expect(
        textHits(
          apns.sent.map((push) => JSON.stringify(push)),
          encrypted,
        ).length,
      ).toBeGreaterThan(0);
      // ...and the encrypted room's marker nowhere.
      expect(await databaseHits(secret)).toEqual([]);
      expect(textHits(lines, secret)).toEqual([]);
      expect(textHits(sdkLines, secret)).toEqual([]);
      expect(
        textHits(
          apns.sent.map((push) => JSON.stringify(push)),
          secret,
        ),
      ).toEqual([]);
      expect(apns.sent.length).toBeGreaterThanOrEqual(2);
    });
  });
}
