/**
 * A device's own end-to-end keys (docs/e2ee.md): upload or replace them, rotate the signed
 * prekeys, add one-time prekeys, read how many are left and a digest of what the server holds,
 * delete them. Only with that device's own token. The bodies are public keys; none of them is
 * ever logged.
 */
import { createHash } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { encodeKeyDigestInput, RoomEventKind } from '../../schema/index.js';
import {
  addOneTimePreKeys,
  countOneTimePreKeys,
  deleteDeviceKeys,
  listDeviceIdentities,
  readDeviceKeys,
  replaceDeviceKeys,
  rotateSignedPreKeys,
  type DeviceRef,
} from '../../store/index.js';
import { identifyCaller, ownDevice } from '../caller.js';
import type { ApiDeps } from '../deps.js';
import { BODY_ERRORS, CALLER_ERRORS, INPUT_ERRORS, OWN_DEVICE_ERRORS, errorResponses } from '../error-responses.js';
import { apiError } from '../errors.js';
import { checkOneTimeKeys, checkRotation, checkUpload } from '../key-checks.js';
import { announceDeviceKeyEvent } from '../key-notices.js';
import { AddOneTimeKeysBody, KeyCountView, KeyDigestView, RotateKeysBody, UploadKeysBody, UploadKeysView } from '../key-schemas.js';
import { DeviceParams } from '../schemas.js';

/** What a key upload can be refused for (key-checks.ts), besides the request's shape. */
const KEY_UPLOAD_ERRORS = [
  'ERR_KEYS_INVALID_KEY',
  'ERR_KEYS_BAD_SIGNATURE',
  'ERR_KEYS_ID_INVALID',
  'ERR_KEYS_DUPLICATE_ID',
  'ERR_KEYS_TOO_MANY',
] as const;

/** The largest key upload: 100 one-time Kyber prekeys (about 2.2 kB of JSON each) and 100 EC ones, with room to spare. */
export const KEY_UPLOAD_MAX_BYTES = 384 * 1024;

const counts = (c: { ec: number; kyber: number }) => ({ oneTimePreKeyCount: c.ec, kyberOneTimePreKeyCount: c.kyber });

export const keyRoutes: FastifyPluginAsyncTypebox<{ deps: ApiDeps }> = async (app, { deps }) => {
  const device = (request: FastifyRequest, deviceId: string): DeviceRef => {
    const user = ownDevice(identifyCaller(request, deps), deviceId);
    return { userId: user.userId, deviceId: user.deviceId };
  };
  const signalDeviceIdOf = async (ref: DeviceRef): Promise<number> => {
    const found = (await listDeviceIdentities(deps.db, ref.userId)).find((d) => d.deviceId === ref.deviceId);
    if (found === undefined) throw apiError('ERR_KEYS_NOT_FOUND', undefined, { deviceId: ref.deviceId });
    return found.signalDeviceId;
  };

  app.put(
    '/v1/devices/:deviceId/keys',
    {
      bodyLimit: KEY_UPLOAD_MAX_BYTES,
      schema: {
        tags: ['keys'],
        summary:
          "Upload or replace the calling device's keys: identity, registration id, signed prekey, Kyber last-resort prekey, " +
          'up to 100 one-time prekeys of each kind (replacing those held). Assigns the Signal device id at first upload',
        params: DeviceParams,
        body: UploadKeysBody,
        response: {
          200: UploadKeysView,
          ...errorResponses(
            CALLER_ERRORS,
            BODY_ERRORS,
            OWN_DEVICE_ERRORS,
            KEY_UPLOAD_ERRORS,
            'ERR_KEYS_DEVICE_LIMIT',
            'ERR_USER_NOT_FOUND',
          ),
        },
      },
    },
    async (request) => {
      const ref = device(request, request.params.deviceId);
      const upload = checkUpload(request.body);
      const outcome = await replaceDeviceKeys(deps.db, ref, upload, Date.now());
      const event = outcome.created
        ? RoomEventKind.ROOM_EVENT_KIND_DEVICE_ADDED
        : outcome.identityChanged
          ? RoomEventKind.ROOM_EVENT_KIND_IDENTITY_CHANGED
          : undefined;
      if (event !== undefined) await announceDeviceKeyEvent(deps, ref.userId, ref.deviceId, event);
      return {
        deviceId: ref.deviceId,
        signalDeviceId: outcome.signalDeviceId,
        identityChanged: outcome.identityChanged,
        ...counts(outcome.counts),
      };
    },
  );

  app.put(
    '/v1/devices/:deviceId/keys/signed',
    {
      schema: {
        tags: ['keys'],
        summary: 'Rotate the signed prekey and/or the Kyber last-resort prekey (signed by the identity key the server holds)',
        params: DeviceParams,
        body: RotateKeysBody,
        response: {
          204: Type.Null({ description: 'rotated' }),
          ...errorResponses(CALLER_ERRORS, BODY_ERRORS, OWN_DEVICE_ERRORS, KEY_UPLOAD_ERRORS, 'ERR_KEYS_NOT_FOUND'),
        },
      },
    },
    async (request, reply) => {
      const ref = device(request, request.params.deviceId);
      const { keys, verify } = checkRotation(request.body);
      await rotateSignedPreKeys(deps.db, ref, keys, verify, Date.now());
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/v1/devices/:deviceId/keys/one-time',
    {
      bodyLimit: KEY_UPLOAD_MAX_BYTES,
      schema: {
        tags: ['keys'],
        summary: 'Add up to 100 one-time prekeys of each kind; a key id already held with the same key is skipped (retries are safe)',
        params: DeviceParams,
        body: AddOneTimeKeysBody,
        response: {
          200: KeyCountView,
          ...errorResponses(
            CALLER_ERRORS,
            BODY_ERRORS,
            OWN_DEVICE_ERRORS,
            KEY_UPLOAD_ERRORS,
            'ERR_KEYS_NOT_FOUND',
            'ERR_KEYS_ID_IN_USE',
            'ERR_KEYS_STORE_FULL',
          ),
        },
      },
    },
    async (request) => {
      const ref = device(request, request.params.deviceId);
      const { keys, verify } = checkOneTimeKeys(request.body);
      const held = await addOneTimePreKeys(deps.db, ref, keys, verify);
      return { deviceId: ref.deviceId, signalDeviceId: await signalDeviceIdOf(ref), ...counts(held), lowThreshold: deps.keys.lowThreshold };
    },
  );

  app.get(
    '/v1/devices/:deviceId/keys/count',
    {
      schema: {
        tags: ['keys'],
        summary: 'How many one-time prekeys the server holds for the calling device',
        params: DeviceParams,
        response: { 200: KeyCountView, ...errorResponses(CALLER_ERRORS, INPUT_ERRORS, OWN_DEVICE_ERRORS, 'ERR_KEYS_NOT_FOUND') },
      },
    },
    async (request) => {
      const ref = device(request, request.params.deviceId);
      const held = await countOneTimePreKeys(deps.db, ref);
      if (held === undefined) throw apiError('ERR_KEYS_NOT_FOUND', undefined, { deviceId: ref.deviceId });
      return { deviceId: ref.deviceId, signalDeviceId: await signalDeviceIdOf(ref), ...counts(held), lowThreshold: deps.keys.lowThreshold };
    },
  );

  app.get(
    '/v1/devices/:deviceId/keys/digest',
    {
      schema: {
        tags: ['keys'],
        summary: 'SHA-256 over the canonical encoding of every key the server holds for the calling device, and the one-time key ids',
        params: DeviceParams,
        response: { 200: KeyDigestView, ...errorResponses(CALLER_ERRORS, INPUT_ERRORS, OWN_DEVICE_ERRORS, 'ERR_KEYS_NOT_FOUND') },
      },
    },
    async (request) => {
      const ref = device(request, request.params.deviceId);
      const held = await readDeviceKeys(deps.db, ref);
      if (held === undefined) throw apiError('ERR_KEYS_NOT_FOUND', undefined, { deviceId: ref.deviceId });
      return {
        deviceId: ref.deviceId,
        signalDeviceId: held.signalDeviceId,
        algorithm: 'sha-256' as const,
        digest: createHash('sha256').update(encodeKeyDigestInput(held)).digest('base64'),
        oneTimePreKeyIds: held.oneTimePreKeys.map((k) => k.keyId),
        kyberOneTimePreKeyIds: held.kyberOneTimePreKeys.map((k) => k.keyId),
      };
    },
  );

  app.delete(
    '/v1/devices/:deviceId/keys',
    {
      schema: {
        tags: ['keys'],
        summary: 'Delete every key of the calling device (idempotent); peers stop encrypting for it, its Signal device id becomes free',
        params: DeviceParams,
        response: {
          204: Type.Null({ description: 'deleted (or there were none)' }),
          ...errorResponses(CALLER_ERRORS, INPUT_ERRORS, OWN_DEVICE_ERRORS),
        },
      },
    },
    async (request, reply) => {
      const ref = device(request, request.params.deviceId);
      const deleted = await deleteDeviceKeys(deps.db, ref);
      if (deleted) await announceDeviceKeyEvent(deps, ref.userId, ref.deviceId, RoomEventKind.ROOM_EVENT_KIND_DEVICE_REMOVED);
      return reply.code(204).send(null);
    },
  );
};
