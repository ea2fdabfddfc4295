/**
 * Who is signed in on this tab: a user id, a device id and a device token, kept in
 * sessionStorage so a reload stays signed in (and a closed tab forgets it). A pasted token is
 * read for its user and device (the `sub` and `did` claims; the platform checks the signature,
 * the page only reads). The development sign-in gives each tab a device id of its own, so two
 * tabs are two devices, as two phones would be.
 */
export interface Session {
  userId: string;
  deviceId: string;
  token: string;
}

const SESSION_KEY = 'mqtt-chat.session';
const DEVICE_KEY = 'mqtt-chat.device';
const ROOM_KEY = 'mqtt-chat.room';

export function loadSession(): Session | undefined {
  try {
    const parsed = JSON.parse(sessionStorage.getItem(SESSION_KEY) ?? 'null') as Partial<Session> | null;
    const isSession = typeof parsed?.userId === 'string' && typeof parsed.deviceId === 'string' && typeof parsed.token === 'string';
    return isSession ? (parsed as Session) : undefined;
  } catch {
    return undefined;
  }
}

export const saveSession = (session: Session): void => sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
export const clearSession = (): void => {
  sessionStorage.removeItem(SESSION_KEY);
  sessionStorage.removeItem(ROOM_KEY);
};

/** The room open in this tab, so a reload opens it again. */
export const loadOpenRoom = (): string | undefined => sessionStorage.getItem(ROOM_KEY) ?? undefined;
export const saveOpenRoom = (roomId: string | undefined): void =>
  roomId === undefined ? sessionStorage.removeItem(ROOM_KEY) : sessionStorage.setItem(ROOM_KEY, roomId);

/** The session a pasted device token stands for, or what is wrong with it. */
export function sessionFromToken(token: string): Session | { problem: string } {
  const payload = token.trim().split('.')[1];
  if (payload === undefined) return { problem: 'This is not a device token (expected three dot-separated parts).' };
  let claims: { sub?: unknown; did?: unknown; exp?: unknown };
  try {
    claims = JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))) as typeof claims;
  } catch {
    return { problem: 'This token cannot be read.' };
  }
  if (typeof claims.sub !== 'string' || typeof claims.did !== 'string') return { problem: 'This token names no user and device.' };
  if (typeof claims.exp === 'number' && claims.exp * 1000 <= Date.now()) return { problem: 'This token has expired: ask for a new one.' };
  return { userId: claims.sub, deviceId: claims.did, token: token.trim() };
}

/** This tab's device id for the development sign-in (kept across reloads of the tab). */
function tabDeviceId(): string {
  const known = sessionStorage.getItem(DEVICE_KEY);
  if (known !== null) return known;
  const fresh = `web-${crypto.randomUUID().slice(0, 8)}`;
  sessionStorage.setItem(DEVICE_KEY, fresh);
  return fresh;
}

export async function devSignIn(name: string): Promise<Session> {
  const response = await fetch('/v1/dev/signin', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, deviceId: tabDeviceId() }),
  });
  const body = (await response.json().catch(() => ({}))) as {
    userId?: string;
    deviceId?: string;
    token?: string;
    error?: { message?: string };
  };
  if (response.status !== 201 || body.userId === undefined || body.deviceId === undefined || body.token === undefined) {
    throw new Error(body.error?.message ?? `sign-in failed (${response.status})`);
  }
  return { userId: body.userId, deviceId: body.deviceId, token: body.token };
}

export async function fetchPageConfig(): Promise<{ devSignIn: boolean }> {
  const response = await fetch('/app/config.json').catch(() => undefined);
  const body = (await response?.json().catch(() => undefined)) as { devSignIn?: unknown } | undefined;
  return { devSignIn: body?.devSignIn === true };
}

/** How the page shows a user: the development users' prefix is noise. */
export const displayName = (userId: string): string => (userId.startsWith('dev-') ? userId.slice(4) : userId);
