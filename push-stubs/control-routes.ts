/**
 * The stubs' HTTP control surface under `/_stub/`, for a process that cannot hold the stub object
 * (the simulator, a shell): read or await deliveries, inject faults, set a token's state.
 *
 *   GET    /_stub/deliveries?token=&count=&waitMs=   → 200 {deliveries}; with `count`, answers once
 *                                                      that many match or after waitMs (default 10 s)
 *   DELETE /_stub/deliveries                         → 204
 *   POST   /_stub/faults   StubFault                 → 204
 *   DELETE /_stub/faults                             → 204
 *   PUT    /_stub/tokens/{token}   {state}           → 204 (active | unregistered | bad | wrong-app)
 *
 * Errors are `{error: {code, message}}`, as in the platform's own API.
 */
import { isAppError } from '../lib/errors.js';
import type { WallClock } from '../lib/clock.js';
import type { DeliveryLog } from './delivery-log.js';
import { parseFault, type FaultQueue } from './faults.js';
import { decodePathSegment, type StubReply, type StubRequest } from './stub-server.js';
import { parseTokenState, type TokenRegistry } from './token-registry.js';

export const CONTROL_PREFIX = '/_stub/';
const DEFAULT_WAIT_MS = 10_000;

export interface StubControl<D extends { token: string }> {
  deliveries: DeliveryLog<D>;
  faults: FaultQueue;
  tokens: TokenRegistry;
  clock: WallClock;
}

export async function handleControl<D extends { token: string }>(
  control: StubControl<D>,
  request: StubRequest,
  reply: StubReply,
): Promise<void> {
  const route = `${request.method} ${request.path}`;
  switch (route) {
    case 'GET /_stub/deliveries':
      return reply.send(200, { deliveries: await readDeliveries(control, request.query) });
    case 'DELETE /_stub/deliveries':
      control.deliveries.clear();
      return reply.send(204);
    case 'POST /_stub/faults': {
      const fault = parseFault(parseBody(request));
      if (typeof fault === 'string') return badRequest(reply, fault);
      control.faults.add(fault);
      return reply.send(204);
    }
    case 'DELETE /_stub/faults':
      control.faults.clear();
      return reply.send(204);
  }
  const tokenPath = /^\/_stub\/tokens\/([^/]+)$/.exec(request.path);
  if (request.method === 'PUT' && tokenPath !== null) {
    const state = parseTokenState(parseBody(request), control.clock.now());
    if (typeof state === 'string') return badRequest(reply, state);
    control.tokens.set(decodePathSegment(tokenPath[1]!), state);
    return reply.send(204);
  }
  reply.send(404, { error: { code: 'ERR_PUSH_STUB_NOT_FOUND', message: `no control call ${route}` } });
}

async function readDeliveries<D extends { token: string }>(control: StubControl<D>, query: URLSearchParams): Promise<D[]> {
  const token = query.get('token') ?? undefined;
  const filter = token === undefined ? {} : { token };
  const count = Number(query.get('count') ?? 0);
  if (!(count > 0)) return control.deliveries.list(filter);
  try {
    return await control.deliveries.waitFor(count, { ...filter, timeoutMs: Number(query.get('waitMs') ?? DEFAULT_WAIT_MS) });
  } catch (error) {
    // A wait that ran out answers with what there is; the caller compares the count.
    if (isAppError(error)) return control.deliveries.list(filter);
    throw error;
  }
}

function parseBody(request: StubRequest): unknown {
  try {
    return JSON.parse(request.body.toString('utf8'));
  } catch {
    return undefined;
  }
}

const badRequest = (reply: StubReply, message: string) => reply.send(400, { error: { code: 'ERR_PUSH_STUB_BAD_REQUEST', message } });
