/**
 * What every process entry point (`main.ts`) does first: read and validate the config,
 * make the root logger, resolve secrets, open the database; and what it does last: shut
 * down cleanly on SIGINT/SIGTERM. A start-up failure is one clear line and exit code 1.
 */
import { join } from 'node:path';
import { loadConfig, type Config } from '../lib/config.js';
import { isAppError } from '../lib/errors.js';
import { createRootLogger, type Logger } from '../lib/log.js';
import { probeRedis } from '../lib/redis-connection.js';
import { openDb, type Db } from '../store/index.js';
import { resolveSecrets, type Secrets } from './secrets.js';

export interface Runtime {
  config: Config;
  log: Logger;
  secrets: Secrets;
  db: Db;
}

/**
 * `shared`: this process is one part of a split platform, so its database must be one the
 * other parts can reach too. PGlite is a single-process database, so that means DATABASE_URL.
 */
export async function bootstrap(processName: string, options: { shared?: boolean } = {}): Promise<Runtime> {
  let config: Config;
  try {
    config = loadConfig(process.env);
    if (options.shared === true && config.DATABASE_URL === undefined) {
      throw new Error(
        `npm run ${processName} runs one part of the platform and needs DATABASE_URL: embedded PGlite cannot be shared between processes (use npm start for the all-in-one embedded platform)`,
      );
    }
  } catch (error) {
    return exitWith(error);
  }
  const log = createRootLogger(config.LOG_LEVEL, processName, { format: config.LOG_FORMAT });
  try {
    const secrets = await resolveSecrets(config);
    if (config.REDIS_URL !== undefined) await probeRedis(config.REDIS_URL, { log }, { commandTimeoutMs: config.REDIS_COMMAND_TIMEOUT_MS });
    const pgliteDir = join(config.DATA_DIR, 'pglite');
    if (config.DATABASE_URL === undefined) log.info({ pgliteDir }, 'opening embedded PGlite (takes a few seconds)');
    const { db, appliedMigrations } = await openDb({
      databaseUrl: config.DATABASE_URL,
      pgliteDir,
      connectTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS,
      log,
    });
    log.info({ database: db.kind, appliedMigrations }, 'database ready');
    return { config, log, secrets, db };
  } catch (error) {
    return exitWith(error);
  }
}

/** The variable to change when a dependency is unreachable or refuses us. */
const DEPENDENCY_VARIABLES: Record<string, string> = { database: 'DATABASE_URL', redis: 'REDIS_URL' };

export function exitWith(error: unknown): never {
  const message = isAppError(error) ? error.message : error instanceof Error ? error.message : String(error);
  const dependency = isAppError(error) ? (error.details?.['dependency'] as string | undefined) : undefined;
  const variable = dependency === undefined ? undefined : DEPENDENCY_VARIABLES[dependency];
  // One line: a multi-line driver message would bury the variable to change.
  process.stderr.write(`error: ${variable === undefined ? '' : `${variable}: `}${message.replace(/\s*\n\s*/g, ' ')}\n`);
  process.exit(1);
}

/** Runs `shutdown` once on the first SIGINT/SIGTERM; a second signal exits at once. */
export function onShutdownSignal(log: Logger, shutdown: () => Promise<void>): void {
  let stopping = false;
  const handle = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1);
    stopping = true;
    log.info({ signal }, 'shutting down');
    shutdown().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'unclean shutdown');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', handle);
  process.once('SIGTERM', handle);
}
