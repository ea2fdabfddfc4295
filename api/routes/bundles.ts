/**
 * Another user's keys, for opening Signal sessions with each of their devices (docs/e2ee.md):
 * claiming prekey bundles (which consumes one one-time prekey per device, so it is rate-limited
 * per caller) and listing their devices' identities (which consumes nothing). Only users who
 * share a room with the caller, or the caller's own other devices.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { claimPreKeyBundles, listDeviceIdentities, sharesRoom, type ClaimedBundle } from '../../store/index.js';
import { identifyCaller, requireUser } from '../caller.js';
import { BODY_ERRORS, CALLER_ERRORS, INPUT_ERRORS, errorResponses } from '../error-responses.js';
import type { ApiDeps } from '../deps.js';
import { apiError } from '../errors.js';
import { keysLowNotice, sendKeysLowNotices } from '../key-notices.js';
import { BundlesView, ClaimBody, DevicesView, UserIdParams } from '../key-schemas.js';

const base64 = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');

function bundleView(bundle: ClaimedBundle) {
  const { signedPreKey: spk, kyberPreKey: kpk, preKey } = bundle;
  return {
    deviceId: bundle.deviceId,
    signalDeviceId: bundle.signalDeviceId,
    registrationId: bundle.registrationId,
    identityKey: base64(bundle.identityKey),
    signedPreKey: { keyId: spk.keyId, publicKey: base64(spk.publicKey), signature: base64(spk.signature) },
    ...(preKey === undefined ? {} : { preKey: { keyId: preKey.keyId, publicKey: base64(preKey.publicKey) } }),
    kyberPreKey: { keyId: kpk.keyId, publicKey: base64(kpk.publicKey), signature: base64(kpk.signature), lastResort: kpk.lastResort },
  };
}

export const bundleRoutes: FastifyPluginAsyncTypebox<{ deps: ApiDeps }> = async (app, { deps }) => {
  async function mayReadKeysOf(callerId: string, userId: string): Promise<void> {
    const isAllowed = callerId === userId || (await sharesRoom(deps.db, callerId, userId));
    if (!isAllowed) throw apiError('ERR_KEYS_NOT_PEER', undefined, { userId });
  }

  app.post(
    '/v1/users/:userId/keys/claim',
    {
      schema: {
        tags: ['keys'],
        summary:
          "Claim a prekey bundle for every device of a user (or those named), consuming one one-time prekey per device; the caller's " +
          'own device is left out. Rate-limited per caller (PREKEY_FETCH_RATE_PER_SECOND, PREKEY_FETCH_BURST)',
        params: UserIdParams,
        body: ClaimBody,
        response: { 200: BundlesView, ...errorResponses(CALLER_ERRORS, BODY_ERRORS, 'ERR_AUTH_FORBIDDEN', 'ERR_KEYS_NOT_PEER') },
      },
    },
    async (request) => {
      const caller = requireUser(identifyCaller(request, deps));
      // Before anything else, refusals included: a flood costs the caller its budget, not the database.
      const decision = deps.keys.fetchLimiter.take(caller.userId);
      if (!decision.allowed) throw apiError('ERR_RATE_LIMITED', undefined, { retryAfterMs: decision.retryAfterMs });
      const { userId } = request.params;
      await mayReadKeysOf(caller.userId, userId);
      const bundles = await claimPreKeyBundles(deps.db, {
        userId,
        ...(request.body.deviceIds === undefined ? {} : { deviceIds: request.body.deviceIds }),
        ...(caller.userId === userId ? { excludeDeviceId: caller.deviceId } : {}),
      });
      const notices = bundles.flatMap((b) => keysLowNotice(b, deps.keys.lowThreshold) ?? []);
      await sendKeysLowNotices(deps, userId, notices);
      return { userId, devices: bundles.map(bundleView) };
    },
  );

  app.get(
    '/v1/users/:userId/devices',
    {
      schema: {
        tags: ['keys'],
        summary: "The user's devices that have keys: Signal device id, registration id, identity key. Consumes nothing",
        params: UserIdParams,
        response: { 200: DevicesView, ...errorResponses(CALLER_ERRORS, INPUT_ERRORS, 'ERR_AUTH_FORBIDDEN', 'ERR_KEYS_NOT_PEER') },
      },
    },
    async (request) => {
      const caller = requireUser(identifyCaller(request, deps));
      const { userId } = request.params;
      await mayReadKeysOf(caller.userId, userId);
      const devices = await listDeviceIdentities(deps.db, userId);
      return { userId, devices: devices.map((d) => ({ ...d, identityKey: base64(d.identityKey) })) };
    },
  );
};
