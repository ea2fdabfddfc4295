/**
 * The HTTP endpoints an external MQTT broker calls (docs/architecture.md#on-an-external-mqtt-broker),
 * in the shapes EMQX 5's HTTP authenticator, HTTP authorizer and rule-engine HTTP action use:
 *
 * - `POST /v1/broker/authn` with `{"clientid": "${clientid}", "username": "${username}", "password": "${password}"}`
 *   answers 200 `{"result": "allow", "is_superuser": bool, "expire_at": seconds}` or `{"result": "deny"}`;
 * - `POST /v1/broker/authz` with `{"clientid": ..., "username": ..., "topic": "${topic}", "action": "${action}"}`
 *   answers 200 `{"result": "allow" | "deny"}`;
 * - `POST /v1/broker/events` with a rule's `SELECT * FROM "$events/client_connected", "$events/client_disconnected"`
 *   row (`event`, `clientid`, `username`, `reason`, ...) answers 204 and updates presence.
 *
 * Who may connect and which topic they may use are the embedded broker's own decisions (access/),
 * so both brokers enforce one contract. The broker authenticates itself with
 * `Authorization: Bearer <BROKER_HOOK_TOKEN>`. A refusal is always an explicit `deny` with 200:
 * EMQX reads any other status as "ignore" and would fall through to its next source.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import {
  decideCredentials,
  decidePublish,
  decideSubscribe,
  deviceOfClientId,
  type AclDecision,
  type Identity,
} from '../../access/index.js';
import { sameSecret } from '../../lib/same-secret.js';
import { SERVICE_USERNAME } from '../../lib/service-identity.js';
import { encodePresence, isValidId, presenceTopic } from '../../schema/index.js';
import { isMember, sharesRoom, tokensNotBeforeMs } from '../../store/index.js';
import type { ApiDeps, ExternalBrokerDeps } from '../deps.js';
import { apiError } from '../errors.js';

export const BROKER_HOOK_PATHS = { authn: '/v1/broker/authn', authz: '/v1/broker/authz', events: '/v1/broker/events' } as const;

const AuthnBody = Type.Object(
  {
    clientid: Type.String({ maxLength: 256 }),
    username: Type.Optional(Type.String({ maxLength: 256 })),
    password: Type.Optional(Type.String({ maxLength: 8192 })),
  },
  { additionalProperties: true },
);
const AuthzBody = Type.Object(
  {
    clientid: Type.String({ maxLength: 256 }),
    username: Type.Optional(Type.String({ maxLength: 256 })),
    topic: Type.String({ maxLength: 65535 }),
    action: Type.String({ maxLength: 32 }),
  },
  { additionalProperties: true },
);
const EventBody = Type.Object(
  {
    event: Type.String({ maxLength: 64 }),
    clientid: Type.String({ maxLength: 256 }),
    username: Type.Optional(Type.Union([Type.String({ maxLength: 256 }), Type.Null()])),
    reason: Type.Optional(Type.String({ maxLength: 256 })),
    disconnected_at: Type.Optional(Type.Number()),
  },
  { additionalProperties: true },
);
const Verdict = Type.Object({
  result: Type.Union([Type.Literal('allow'), Type.Literal('deny')]),
  is_superuser: Type.Optional(Type.Boolean()),
  expire_at: Type.Optional(Type.Integer()),
});

/** EMQX's `reason` when a newer connection took the session over: that client id is connected, so its presence stays. */
const TAKEN_OVER = new Set(['takenover', 'takeovered', 'discarded']);

export const brokerHookRoutes: FastifyPluginAsyncTypebox<{ deps: ApiDeps; broker: ExternalBrokerDeps }> = async (app, { deps, broker }) => {
  app.addHook('onRequest', async (request) => {
    const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
    if (match?.[1] === undefined) throw apiError('ERR_AUTH_MISSING');
    if (!sameSecret(match[1], broker.hookToken)) throw apiError('ERR_AUTH_TOKEN_INVALID');
  });

  app.post(
    BROKER_HOOK_PATHS.authn,
    {
      schema: {
        tags: ['broker'],
        summary: "An external broker's CONNECT check (EMQX HTTP authentication)",
        body: AuthnBody,
        response: { 200: Verdict },
      },
    },
    async (request) => {
      const { clientid, username, password } = request.body;
      const verdict = decideCredentials(deps, { clientId: clientid, username, password: password ?? '' });
      if (!verdict.accept) {
        request.log.info({ clientId: clientid, reason: verdict.reason, code: verdict.tokenError }, 'broker connect refused');
        return { result: 'deny' as const };
      }
      if (verdict.identity.kind === 'service') return { result: 'allow' as const, is_superuser: true };
      // The deny list, asked each time as the REST check does: a revoked device is refused at CONNECT.
      const { identity } = verdict;
      if (identity.tokenIssuedAtMs < (await tokensNotBeforeMs(deps.db, identity.userId, identity.deviceId))) {
        request.log.info({ clientId: clientid, reason: 'token_revoked' }, 'broker connect refused');
        return { result: 'deny' as const };
      }
      // EMQX (5.8+) disconnects the client when its token expires, as the embedded broker does.
      return { result: 'allow' as const, is_superuser: false, expire_at: Math.floor(verdict.identity.tokenExpiresAtMs / 1000) };
    },
  );

  app.post(
    BROKER_HOOK_PATHS.authz,
    {
      schema: {
        tags: ['broker'],
        summary: "An external broker's PUBLISH/SUBSCRIBE check (EMQX HTTP authorization)",
        body: AuthzBody,
        response: { 200: Verdict },
      },
    },
    async (request) => {
      const { clientid, username, topic, action } = request.body;
      const identity = identityOf(clientid, username);
      const decision: AclDecision | undefined =
        identity === undefined
          ? undefined
          : action === 'publish'
            ? decidePublish(identity, topic)
            : action === 'subscribe'
              ? decideSubscribe(identity, topic)
              : undefined;
      const allowed = decision !== undefined && identity !== undefined && (await resolve(identity, decision));
      if (!allowed) request.log.info({ clientId: clientid, topic, action }, 'broker topic access denied');
      return { result: allowed ? ('allow' as const) : ('deny' as const) };
    },
  );

  /** What the authorizer decides the same way as the embedded broker's hooks, looking membership up in the database. */
  async function resolve(identity: Identity, decision: AclDecision): Promise<boolean> {
    switch (decision.verdict) {
      case 'allow':
        return true;
      case 'deny':
        return false;
      case 'ifMember':
        return identity.kind === 'device' && isMember(deps.db, decision.roomId, identity.userId);
      case 'ifSharesRoom':
        return identity.kind === 'device' && sharesRoom(deps.db, identity.userId, decision.otherUserId);
    }
  }

  app.post(
    BROKER_HOOK_PATHS.events,
    {
      schema: {
        tags: ['broker'],
        summary: "An external broker's connect and disconnect events (EMQX rule-engine HTTP action)",
        body: EventBody,
      },
    },
    async (request, reply) => {
      const { event, clientid, reason } = request.body;
      const device = deviceOfClientId(clientid);
      const isDevice = device !== undefined && isValidId(device.userId) && isValidId(device.deviceId);
      if (isDevice && event === 'client.connected') {
        await broker.presence.refresh(device.userId, device.deviceId, broker.presenceTtlMs);
        await announce(device.userId);
      } else if (isDevice && event === 'client.disconnected' && !TAKEN_OVER.has(reason ?? '')) {
        await broker.presence.drop(device.userId, device.deviceId, request.body.disconnected_at ?? Date.now());
        await announce(device.userId);
      }
      return reply.code(204).send();
    },
  );

  /** The user's aggregate presence, retained on chat/presence/{userId}, as the embedded broker's presence tracker announces it. */
  async function announce(userId: string): Promise<void> {
    const presence = (await broker.presence.read([userId])).get(userId) ?? { online: false, lastSeenMs: 0 };
    await deps.publisher.publish(presenceTopic(userId), encodePresence(presence), { qos: 0, retain: true });
  }
};

/**
 * Who a client is, from what the broker tells the authorizer. Its username and client id were
 * checked by our authenticator at CONNECT (a device's username is its token's user, its client id
 * `{userId}:{deviceId}`; `$platform` proved the admin token), so they can be trusted here.
 */
function identityOf(clientId: string, username: string | undefined): Identity | undefined {
  if (username === SERVICE_USERNAME) return { kind: 'service' };
  const device = deviceOfClientId(clientId);
  if (device === undefined || device.userId !== username) return undefined;
  // The expiry is enforced by the broker (expire_at at CONNECT); no topic decision reads it.
  // Nor is revocation (checked at CONNECT by the authenticator; the kick comes from the management API).
  return {
    kind: 'device',
    userId: device.userId,
    deviceId: device.deviceId,
    tokenExpiresAtMs: Number.MAX_SAFE_INTEGER,
    tokenIssuedAtMs: 0,
  };
}
