import type { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

/** `auto`: pretty when stdout is a terminal (a person reading), JSON otherwise (a collector reading). */
export type LogFormat = 'auto' | 'pretty' | 'json';

/** The format a process logs in: an explicit choice wins; `auto` follows whether stdout is a terminal. */
export const chooseLogFormat = (format: LogFormat, isTTY: boolean): 'pretty' | 'json' =>
  format === 'auto' ? (isTTY ? 'pretty' : 'json') : format;

export interface RootLoggerOptions {
  /** Default `auto`. */
  format?: LogFormat;
  /** Whether stdout is a terminal (default: `process.stdout.isTTY`); injected so the choice is testable. */
  isTTY?: boolean;
  /** Where lines go (default: stdout). */
  destination?: Writable;
}

/** One root logger per process; modules take `log.child({ module })`. Credentials never reach a log line. */
export function createRootLogger(level: string, name: string, options: RootLoggerOptions = {}): Logger {
  const format = chooseLogFormat(options.format ?? 'auto', options.isTTY ?? process.stdout.isTTY === true);
  const settings = {
    name,
    level,
    redact: { paths: ['token', 'password', '*.token', '*.password', 'req.headers.authorization'], censor: '[redacted]' },
  };
  const destination = options.destination ?? process.stdout;
  if (format === 'json') return pino(settings, destination);
  // In this thread and synchronous (not pino's worker transport): a line is out before an exit that follows it.
  const colorize = options.destination === undefined && process.stdout.isTTY === true;
  return pino(settings, pretty({ destination, sync: true, colorize, ignore: 'pid,hostname', translateTime: 'SYS:HH:MM:ss.l' }));
}

/** For tests and tools that run the platform in-process without log output. */
export const silentLogger = (): Logger => pino({ level: 'silent' });
