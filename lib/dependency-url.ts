/**
 * Backend URLs (DATABASE_URL, REDIS_URL, ...) as they may appear in a message or a log line:
 * whatever stands before the last '@' (user and password, even a password with an unencoded
 * '/', '#' or '@' that defeats URL parsing) and password-like query parameters become `***`.
 * The rest stays, so the mistake can still be found.
 */
export function redactUrl(url: string): string {
  return url
    .replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/)?.*@/, (_all, scheme: string | undefined) => `${scheme ?? ''}***@`)
    .replace(/((?:^|[?&;])(?:password|pass|pwd|secret|token)=)[^&;]*/gi, '$1***');
}
