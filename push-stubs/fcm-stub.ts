/**
 * A local FCM that speaks the HTTP v1 wire API (`messages:send` with google.rpc errors, and
 * Google's OAuth2 token endpoint at `/token`), for tests, the embedded default and the simulator
 * (docs/push.md#local-provider-stubs). It accepts messages for any well-formed token, records them,
 * and fails on demand.
 *
 * How to extend: a new refusal goes into `fcm-validate.ts` (pure, FCM's error shape); a new
 * failure mode into `faults.ts` and `answerFault` below; per-token behaviour into `token-registry.ts`.
 */
import { randomBytes } from 'node:crypto';
import { systemClock, type WallClock } from '../lib/clock.js';
import { CONTROL_PREFIX, handleControl, type StubControl } from './control-routes.js';
import { createDeliveryLog, type DeliveryLog } from './delivery-log.js';
import { createFaultQueue, type StubFault } from './faults.js';
import { createAccessTokenIssuer, type FcmStubAccount, type IssuedAccessToken } from './fcm-oauth-endpoint.js';
import { checkFcmSend, rpcError, type FcmStubMessage } from './fcm-validate.js';
import { decodePathSegment, startStubServer, type StubReply, type StubRequest } from './stub-server.js';
import { createTokenRegistry, type StubTokenState } from './token-registry.js';

const SEND_PATH = /^\/v1\/projects\/([^/]+)\/messages:send$/;
const TOKEN_PATH = '/token';

export interface FcmStubOptions {
  projectId: string;
  /** Service accounts whose assertions the token endpoint accepts. */
  accounts: readonly FcmStubAccount[];
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Deliveries kept for reading, the latest ones; DEFAULT_MAX_DELIVERIES unless given. */
  maxDeliveries?: number;
  /** Judges assertion and access-token lifetimes and stamps deliveries. */
  clock?: WallClock;
  /** `expires_in` of issued access tokens; Google's is 3599. */
  accessTokenTtlSeconds?: number;
}

export interface FcmDelivery {
  token: string;
  /** The message's resource name, as answered: `projects/{id}/messages/{messageId}`. */
  name: string;
  message: FcmStubMessage;
  collapseKey: string | undefined;
  receivedAtMs: number;
}

export interface FcmStub {
  /** `http://127.0.0.1:port`: the FCM URL for the client and the control surface. */
  url: string;
  /** The OAuth2 endpoint: the `token_uri` of the service account the client uses. */
  tokenUri: string;
  deliveries: DeliveryLog<FcmDelivery>;
  /** Every access token the token endpoint issued, oldest first. */
  issuedAccessTokens(): IssuedAccessToken[];
  /** Issued access tokens stop working: the next send gets 401 UNAUTHENTICATED. */
  revokeAccessTokens(): void;
  injectFault(fault: StubFault): void;
  setTokenState(token: string, state: StubTokenState): void;
  close(): Promise<void>;
}

export async function startFcmStub(options: FcmStubOptions): Promise<FcmStub> {
  const control: StubControl<FcmDelivery> = {
    deliveries: createDeliveryLog(options.maxDeliveries),
    faults: createFaultQueue(),
    tokens: createTokenRegistry(),
    clock: options.clock ?? systemClock,
  };
  const issuer = createAccessTokenIssuer(options.accounts, { accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 3599 });
  let tokenUri = '';

  const handleSend = (request: StubRequest, reply: StubReply, projectId: string) => {
    const nowMs = control.clock.now();
    if (request.method !== 'POST') return reply.send(405, rpcError(405, 'METHOD_NOT_ALLOWED', 'POST required'));
    if (!issuer.isAuthorized(single(request.headers.authorization), nowMs)) {
      return reply.send(
        401,
        rpcError(401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials. Expected OAuth 2 access token.'),
      );
    }
    if (projectId !== options.projectId)
      return reply.send(403, rpcError(403, 'PERMISSION_DENIED', `Permission denied on project ${projectId}`));
    const check = checkFcmSend(parseJson(request.body));
    if (!check.ok) return reply.send(400, check.body);
    const { message } = check;
    const fault = control.faults.take(message.token);
    if (fault !== undefined) return answerFault(fault, reply);
    const refusal = message.token === undefined ? undefined : tokenRefusal(control.tokens.get(message.token));
    if (refusal !== undefined) return reply.send(refusal.error.code, refusal);
    const name = `projects/${options.projectId}/messages/${check.validateOnly ? 'fake_message_id' : `0:${randomBytes(8).toString('hex')}`}`;
    if (!check.validateOnly) {
      const token = message.token ?? message.topic ?? message.condition ?? '';
      control.deliveries.record({ token, name, message, collapseKey: message.android?.collapse_key, receivedAtMs: nowMs });
    }
    reply.send(200, { name });
  };

  const server = await startStubServer(async (request, reply) => {
    if (request.path.startsWith(CONTROL_PREFIX)) return handleControl(control, request, reply);
    if (request.path === TOKEN_PATH) return issuer.handle(request, reply, tokenUri, control.clock.now());
    const send = SEND_PATH.exec(request.path);
    if (send === null) return reply.send(404, rpcError(404, 'NOT_FOUND', `Method not found: ${request.path}`));
    handleSend(request, reply, decodePathSegment(send[1]!));
  }, options);
  tokenUri = `${server.url}${TOKEN_PATH}`;

  return {
    url: server.url,
    tokenUri,
    deliveries: control.deliveries,
    issuedAccessTokens: () => issuer.issued(),
    revokeAccessTokens: () => issuer.revokeAll(),
    injectFault: (fault) => control.faults.add(fault),
    setTokenState: (token, state) => control.tokens.set(token, state),
    async close() {
      control.deliveries.close();
      await server.close();
    },
  };
}

function tokenRefusal(state: StubTokenState) {
  switch (state.state) {
    case 'active':
      return undefined;
    case 'unregistered':
      return rpcError(404, 'NOT_FOUND', 'Requested entity was not found.', { errorCode: 'UNREGISTERED' });
    case 'bad':
      return rpcError(400, 'INVALID_ARGUMENT', 'The registration token is not a valid FCM registration token', {
        errorCode: 'INVALID_ARGUMENT',
        fieldViolations: [{ field: 'message.token', description: 'Invalid registration token' }],
      });
    case 'wrong-app':
      return rpcError(403, 'PERMISSION_DENIED', 'SenderId mismatch', { errorCode: 'SENDER_ID_MISMATCH' });
  }
}

function answerFault(fault: StubFault, reply: StubReply): void {
  const retryAfter = (seconds: number | undefined): Record<string, string> =>
    seconds === undefined ? {} : { 'retry-after': String(seconds) };
  switch (fault.kind) {
    case 'status': {
      const [status, errorCode] = (
        { 429: ['RESOURCE_EXHAUSTED', 'QUOTA_EXCEEDED'], 500: ['INTERNAL', 'INTERNAL'], 503: ['UNAVAILABLE', 'UNAVAILABLE'] } as const
      )[fault.status];
      return reply.send(
        fault.status,
        rpcError(fault.status, status, `stub fault: ${status}`, { errorCode }),
        retryAfter(fault.retryAfterSeconds),
      );
    }
    case 'shutdown':
      return reply.sendAndShutdown(503, rpcError(503, 'UNAVAILABLE', 'The service is shutting down', { errorCode: 'UNAVAILABLE' }));
    case 'disconnect':
      return reply.drop();
    case 'hang':
      return reply.hang();
  }
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

const single = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);
