import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../lib/config.js';

export interface Secrets {
  jwtSecret: string;
  adminToken: string;
  /** True when the admin token was generated in this run (printed once). */
  adminTokenGenerated: boolean;
}

const SECRETS_FILE = 'secrets.json';

/**
 * JWT_SECRET and ADMIN_TOKEN from the environment, or else generated once and kept in
 * DATA_DIR (mode 0600) so restarts and sibling processes on the same DATA_DIR agree.
 */
export async function resolveSecrets(config: Config): Promise<Secrets> {
  if (config.JWT_SECRET !== undefined && config.ADMIN_TOKEN !== undefined) {
    return { jwtSecret: config.JWT_SECRET, adminToken: config.ADMIN_TOKEN, adminTokenGenerated: false };
  }
  const path = join(config.DATA_DIR, SECRETS_FILE);
  const stored: Partial<Record<'jwtSecret' | 'adminToken', string>> = await readFile(path, 'utf8').then(
    (text) => JSON.parse(text) as Partial<Record<'jwtSecret' | 'adminToken', string>>,
    () => ({}),
  );
  const generated = {
    jwtSecret: stored.jwtSecret ?? randomBytes(32).toString('base64url'),
    adminToken: stored.adminToken ?? randomBytes(24).toString('base64url'),
  };
  const adminTokenGenerated = stored.adminToken === undefined && config.ADMIN_TOKEN === undefined;
  if (stored.jwtSecret === undefined || stored.adminToken === undefined) {
    await mkdir(config.DATA_DIR, { recursive: true });
    await writeFile(path, JSON.stringify(generated, null, 2), { mode: 0o600 });
  }
  return {
    jwtSecret: config.JWT_SECRET ?? generated.jwtSecret,
    adminToken: config.ADMIN_TOKEN ?? generated.adminToken,
    adminTokenGenerated,
  };
}
