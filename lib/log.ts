import { pino, type Logger } from 'pino';

export type { Logger };

/** One root logger per process; modules take `log.child({ module })`. Credentials never reach a log line. */
export function createRootLogger(level: string, name: string): Logger {
  return pino({
    name,
    level,
    redact: { paths: ['token', 'password', '*.token', '*.password', 'req.headers.authorization'], censor: '[redacted]' },
  });
}

/** For tests and tools that run the platform in-process without log output. */
export const silentLogger = (): Logger => pino({ level: 'silent' });
