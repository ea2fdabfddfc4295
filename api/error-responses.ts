/**
 * The error answers each route declares in its schema, so the OpenAPI document at /docs lists
 * them: one response per HTTP status, the shared ErrorBody, described by the codes (from the
 * catalogue in errors.ts) the route can answer with at that status. Routes name their own codes
 * and take the common ones from the groups below.
 */
import { Type, type TSchema } from 'typebox';
import { API_ERRORS, type ApiErrorCode } from './errors.js';

/** Any call that reads a credential and the database, within the caller's request budget. */
export const CALLER_ERRORS = [
  'ERR_AUTH_MISSING',
  'ERR_AUTH_TOKEN_INVALID',
  'ERR_AUTH_TOKEN_EXPIRED',
  'ERR_AUTH_TOKEN_REVOKED',
  'ERR_RATE_LIMITED',
  'ERR_INTERNAL',
  'ERR_UNAVAILABLE',
] as const satisfies readonly ApiErrorCode[];

/** A call with a path, a query or headers to validate. */
export const INPUT_ERRORS = ['ERR_REQUEST_INVALID'] as const satisfies readonly ApiErrorCode[];

/** A call with a JSON body. */
export const BODY_ERRORS = [
  'ERR_REQUEST_INVALID',
  'ERR_REQUEST_INVALID_JSON',
  'ERR_REQUEST_TOO_LARGE',
  'ERR_REQUEST_UNSUPPORTED_MEDIA_TYPE',
] as const satisfies readonly ApiErrorCode[];

/** A call for the admin credential only. */
export const ADMIN_ERRORS = ['ERR_AUTH_FORBIDDEN'] as const satisfies readonly ApiErrorCode[];

/** A call about one device (its push registration, its keys): a user call, with that device's own token. */
export const OWN_DEVICE_ERRORS = ['ERR_AUTH_FORBIDDEN', 'ERR_DEVICE_NOT_OWN'] as const satisfies readonly ApiErrorCode[];

/** A call about one room: it must exist, and the caller be a member (or the admin). */
export const ROOM_ACCESS_ERRORS = ['ERR_ROOM_NOT_FOUND', 'ERR_ROOM_NOT_MEMBER'] as const satisfies readonly ApiErrorCode[];

/** `{ [status]: ErrorBody }` for the given codes, each status described by its codes. */
export function errorResponses(...groups: readonly (readonly ApiErrorCode[] | ApiErrorCode)[]): Record<number, TSchema> {
  const byStatus = new Map<number, Set<ApiErrorCode>>();
  for (const code of groups.flat()) {
    const { status } = API_ERRORS[code];
    byStatus.set(status, (byStatus.get(status) ?? new Set()).add(code));
  }
  return Object.fromEntries(
    [...byStatus].map(([status, codes]) => [status, Type.Ref('ErrorBody', { description: [...codes].join(', ') })]),
  );
}
