/**
 * The broker's side of token revocation (the deny list's rules are in deny-list.test.ts): a node that could
 * not read the list (the database down since it started) refusing devices with CONNACK 3 rather
 * than letting a revoked token in, until its next read succeeds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../lib/clock.js';
import { loadConfig } from '../../lib/config.js';
import { silentLogger } from '../../lib/log.js';
import { createMetrics } from '../../lib/metrics.js';
import { createTokenService } from '../../lib/tokens.js';
import type { PlatformBroker } from '../../broker/index.js';
import { createStoreBackedBroker } from '../../platform/start-broker.js';
import { createMemoryPresenceStore, createUser, denyTokens, openDb, withTypedErrors, type Db } from '../../store/index.js';
import { eventually } from '../support/outage.js';
import { connackCode } from '../support/raw-mqtt.js';
import { unreachableDb } from '../support/unreachable-db.js';

describe('a broker node that cannot read the deny list', () => {
  const REFRESH_MS = 200;
  const cleanup: (() => Promise<void>)[] = [];
  let real: Db;
  // Opening PGlite and migrating takes seconds on a busy machine: a hook's time, not the test's.
  beforeAll(async () => {
    real = (await openDb({})).db;
  });
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step();
  });

  it('answers device CONNECTs with CONNACK 3 until it has read the list, then applies it', async () => {
    const flaky = await unreachableDb(real);
    const db: Db = withTypedErrors(flaky);
    cleanup.push(() => real.close());
    const tokens = createTokenService({ secret: 'revocations-secret-0123456789abcdef', ttlSeconds: 3_600 });
    const [kept, revoked] = [(await createUser(db, { name: 'kept' })).id, (await createUser(db, { name: 'revoked' })).id];
    const keptToken = tokens.issue(kept, 'phone').token;
    const revokedToken = tokens.issue(revoked, 'phone').token;
    await denyTokens(db, { userId: revoked, deviceId: 'phone', notBeforeMs: Date.now() + 1 });

    flaky.down = true;
    const config = loadConfig({ MQTT_PORT: '0', WS_PORT: 'off', REVOCATION_REFRESH_MS: String(REFRESH_MS) });
    const presence = createMemoryPresenceStore();
    const broker: PlatformBroker = await createStoreBackedBroker(config, {
      db,
      presence,
      tokens,
      adminToken: 'revocations-admin-token',
      clock: systemClock,
      log: silentLogger(),
      metrics: createMetrics(),
    });
    cleanup.push(() => broker.close());
    await broker.listen({});
    const mqttUrl = `mqtt://127.0.0.1:${broker.ports.mqtt}`;

    expect(await connackCode(mqttUrl, { userId: kept, deviceId: 'phone', token: keptToken })).toBe(3);
    expect(await connackCode(mqttUrl, { userId: revoked, deviceId: 'phone', token: revokedToken })).toBe(3);

    flaky.down = false;
    await eventually(
      async () => (await connackCode(mqttUrl, { userId: kept, deviceId: 'phone', token: keptToken })) === 0,
      'the deny list read',
      REFRESH_MS * 20,
    );
    expect(await connackCode(mqttUrl, { userId: revoked, deviceId: 'phone', token: revokedToken })).toBe(5);
  });
});
