/**
 * A local APNs that speaks Apple's wire API (HTTP/2, token auth, the documented errors), for
 * tests, the embedded default and the simulator (docs/push.md#local-provider-stubs). It accepts
 * pushes for any well-formed token, records them, and fails on demand.
 *
 * How to extend: a new refusal goes into `apns-validate.ts` (pure, with Apple's reason string);
 * a new failure mode into `faults.ts` and `answerFault` below; per-token behaviour into
 * `token-registry.ts`.
 */
import { randomUUID } from 'node:crypto';
import { systemClock, type WallClock } from '../lib/clock.js';
import { createProviderTokenVerifier, createTokenUpdateGuard, type ApnsStubKey } from './apns-auth.js';
import { checkApnsRequest } from './apns-validate.js';
import { CONTROL_PREFIX, handleControl, type StubControl } from './control-routes.js';
import { createDeliveryLog, type DeliveryLog } from './delivery-log.js';
import { createFaultQueue, type StubFault } from './faults.js';
import { decodePathSegment, startStubServer, type StubReply, type StubRequest, type StubTlsCertificate } from './stub-server.js';
import { createTokenRegistry, type StubTokenState } from './token-registry.js';

const DEVICE_PATH = /^\/3\/device\/([^/]*)$/;

export interface ApnsStubOptions {
  /** The provider keys the stub trusts, by Key ID. */
  keys: readonly ApnsStubKey[];
  /** Bundle ids pushes may be addressed to (`apns-topic`). */
  topics: readonly string[];
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Deliveries kept for reading, the latest ones; DEFAULT_MAX_DELIVERIES unless given. */
  maxDeliveries?: number;
  /** Serve HTTPS (HTTP/2 and HTTP/1.1 by ALPN) with this certificate; the client passes its `certPem` as `ca`. */
  tls?: StubTlsCertificate;
  /** Judges provider-token age and stamps deliveries. */
  clock?: WallClock;
}

export interface ApnsDelivery {
  token: string;
  apnsId: string;
  topic: string;
  pushType: string;
  priority: number;
  collapseId: string | undefined;
  /** `apns-expiration`, epoch seconds. */
  expiration: number | undefined;
  payload: Record<string, unknown>;
  /** The provider token (JWT) the push was authorized with. */
  providerToken: string;
  receivedAtMs: number;
}

export interface ApnsStub {
  /** `http://127.0.0.1:port` (`https://` with `tls`): the APNs URL for the client and the control surface (HTTP/1.1). */
  url: string;
  deliveries: DeliveryLog<ApnsDelivery>;
  injectFault(fault: StubFault): void;
  setTokenState(token: string, state: StubTokenState): void;
  close(): Promise<void>;
}

export async function startApnsStub(options: ApnsStubOptions): Promise<ApnsStub> {
  const control: StubControl<ApnsDelivery> = {
    deliveries: createDeliveryLog(options.maxDeliveries),
    faults: createFaultQueue(),
    tokens: createTokenRegistry(),
    clock: options.clock ?? systemClock,
  };
  const verify = createProviderTokenVerifier(options.keys);
  const topics = new Set(options.topics);
  const tokenUpdates = createTokenUpdateGuard();

  const handlePush = (request: StubRequest, reply: StubReply, token: string) => {
    const nowMs = control.clock.now();
    const fault = control.faults.take(token);
    if (fault !== undefined) return answerFault(fault, reply);
    const auth = verify(single(request.headers.authorization), nowMs);
    if (!auth.ok) return refuse(reply, 403, auth.reason);
    if (!tokenUpdates.allows(request.connection, auth.token, nowMs)) return refuse(reply, 429, 'TooManyProviderTokenUpdates');
    const check = checkApnsRequest({ ...request, token }, topics);
    if (!check.ok) return refuse(reply, check.status, check.reason);
    const state = control.tokens.get(token);
    if (state.state === 'unregistered') return reply.send(410, { reason: 'Unregistered', timestamp: state.sinceMs });
    if (state.state === 'bad') return refuse(reply, 400, 'BadDeviceToken');
    if (state.state === 'wrong-app') return refuse(reply, 400, 'DeviceTokenNotForTopic');
    const apnsId = check.push.apnsId ?? randomUUID();
    const { pushType, topic, priority, collapseId, expiration, payload } = check.push;
    control.deliveries.record({
      token,
      apnsId,
      topic,
      pushType,
      priority,
      collapseId,
      expiration,
      payload,
      providerToken: auth.token,
      receivedAtMs: nowMs,
    });
    reply.send(200, undefined, { 'apns-id': apnsId });
  };

  const server = await startStubServer(async (request, reply) => {
    if (request.path.startsWith(CONTROL_PREFIX)) return handleControl(control, request, reply);
    const device = DEVICE_PATH.exec(request.path);
    if (device === null) return refuse(reply, 404, 'BadPath');
    if (request.method !== 'POST') return refuse(reply, 405, 'MethodNotAllowed');
    handlePush(request, reply, decodePathSegment(device[1]!));
  }, options);

  return {
    url: server.url,
    deliveries: control.deliveries,
    injectFault: (fault) => control.faults.add(fault),
    setTokenState: (token, state) => control.tokens.set(token, state),
    async close() {
      control.deliveries.close();
      await server.close();
    },
  };
}

function answerFault(fault: StubFault, reply: StubReply): void {
  switch (fault.kind) {
    case 'status': {
      const reason = { 429: 'TooManyRequests', 500: 'InternalServerError', 503: 'ServiceUnavailable' }[fault.status];
      const headers: Record<string, string> =
        fault.retryAfterSeconds === undefined ? {} : { 'retry-after': String(fault.retryAfterSeconds) };
      return reply.send(fault.status, { reason }, headers);
    }
    case 'shutdown':
      return reply.sendAndShutdown(503, { reason: 'Shutdown' });
    case 'disconnect':
      return reply.drop();
    case 'hang':
      return reply.hang();
  }
}

const refuse = (reply: StubReply, status: number, reason: string) => reply.send(status, { reason });
const single = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);
