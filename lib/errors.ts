/**
 * Typed errors carry a stable code (`ERR_<AREA>_<WHAT>`) that callers branch on and the API
 * puts on the wire. Each area keeps its catalogue of codes next to its code (see docs/errors.md).
 */
export class AppError<Code extends string = string> extends Error {
  readonly code: Code;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: Code, message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.details = options.details;
  }
}

export const isAppError = (error: unknown): error is AppError => error instanceof AppError;
