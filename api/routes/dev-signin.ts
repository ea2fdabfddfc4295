import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { RoomEventKind } from '../../schema/index.js';
import { addMember, createRoom, ensureUser, getRoom, tokensNotBeforeMs } from '../../store/index.js';
import type { ApiDeps } from '../deps.js';
import { BODY_ERRORS, errorResponses } from '../error-responses.js';
import { apiError } from '../errors.js';
import { announceRoomEvent } from '../room-events.js';
import { Id } from '../schemas.js';

/** Every developer who signs in lands in this room, so two browser windows can chat at once. */
export const DEV_LOBBY_ROOM_ID = 'dev-lobby';
const DEV_USER_PREFIX = 'dev-';

/**
 * Development sign-in (DEV_SIGNIN=true; the route does not exist otherwise, so it answers 404):
 * a name is enough to become the user `dev-{name}` (made on first use) with a device token, and
 * a member of the lobby room. No credential is asked for: never turn it on where anyone but
 * developers can reach the API.
 */
export const devSignInRoutes: FastifyPluginAsyncTypebox<{ deps: ApiDeps }> = async (app, { deps }) => {
  async function joinLobby(userId: string): Promise<void> {
    const existing = await getRoom(deps.db, DEV_LOBBY_ROOM_ID);
    if (existing === undefined) {
      // Two first sign-ins may race to create it: the loser finds it made and joins instead.
      const created = await createRoom(deps.db, { id: DEV_LOBBY_ROOM_ID, kind: 'group', name: 'Lobby', memberIds: [userId] }).catch(
        () => undefined,
      );
      if (created !== undefined) {
        await announce(RoomEventKind.ROOM_EVENT_KIND_CREATED, '', created.memberVersion, userId);
        return;
      }
    }
    const change = await addMember(deps.db, DEV_LOBBY_ROOM_ID, userId);
    if (change.changed) await announce(RoomEventKind.ROOM_EVENT_KIND_MEMBER_ADDED, userId, change.memberVersion, userId);
  }

  async function announce(kind: RoomEventKind, subjectId: string, memberVersion: number, inboxUserId: string): Promise<void> {
    await announceRoomEvent(
      deps.publisher,
      { roomId: DEV_LOBBY_ROOM_ID, kind, memberVersion, userId: subjectId, actorId: '', metaVersion: 0, atMs: Date.now() },
      [inboxUserId],
    );
  }

  app.post(
    '/v1/dev/signin',
    {
      schema: {
        tags: ['development'],
        summary: 'Development only (DEV_SIGNIN=true): become user dev-{name} (made on first use), join the lobby, get a device token',
        body: Type.Object({ name: Type.String({ pattern: '^[a-z0-9_]{1,32}$' }), deviceId: Id }, { additionalProperties: false }),
        response: {
          201: Type.Object({
            userId: Id,
            deviceId: Id,
            token: Type.String(),
            expiresAt: Type.String({ format: 'date-time' }),
            lobbyRoomId: Id,
          }),
          ...errorResponses(BODY_ERRORS, 'ERR_RATE_LIMITED', 'ERR_INTERNAL', 'ERR_UNAVAILABLE', 'ERR_USER_NOT_FOUND'),
        },
      },
    },
    async (request, reply) => {
      const { name, deviceId } = request.body;
      const user = await ensureUser(deps.db, { id: `${DEV_USER_PREFIX}${name}`, name });
      // A deleted user stays deleted: signing in with its name does not bring it back.
      if (user === undefined)
        throw apiError('ERR_USER_NOT_FOUND', 'this development user was deleted', { userId: `${DEV_USER_PREFIX}${name}` });
      await joinLobby(user.id);
      // Never before the device's revocation in force (as POST /v1/tokens).
      const notBeforeMs = await tokensNotBeforeMs(deps.db, user.id, deviceId);
      const { token, expiresAtMs } = deps.tokens.issue(user.id, deviceId, { notBeforeMs });
      return reply
        .code(201)
        .send({ userId: user.id, deviceId, token, expiresAt: new Date(expiresAtMs).toISOString(), lobbyRoomId: DEV_LOBBY_ROOM_ID });
    },
  );
};
