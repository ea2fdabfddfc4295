/**
 * Backend URLs (DATABASE_URL, REDIS_URL) as they may appear in a message: the password, and a
 * username standing alone as Redis's default-user password form (`redis://:pw@`) uses, never do.
 */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    // Unparseable: anything between the scheme and an '@' may be a credential.
    return url.replace(/\/\/[^/@]*@/, '//***@');
  }
}
