/**
 * How chatctl ends (README, "chatctl"): 0 done, 1 the command line is wrong, 2 the platform said
 * no (or could not be reached), with its error code.
 */
export const EXIT_OK = 0;
export const EXIT_USAGE = 1;
export const EXIT_API = 2;

/** The command line cannot be run as given (a missing token, an unusable URL). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The platform answered with an error body, or could not be reached (status 0). */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    readonly details?: unknown,
  ) {
    super(message);
  }
}
