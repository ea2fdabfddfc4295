/** chatctl, the admin CLI: `main.ts` runs it; tests use the parsers and formatters directly. */
export { runChatctl, type ChatctlDeps } from './program.js';
export { DEFAULT_URL } from './context.js';
export { EXIT_API, EXIT_OK, EXIT_USAGE } from './errors.js';
export { parsePrometheus, total, type Sample } from './prometheus.js';
export { keyValues, table } from './output.js';
export { humanLine, jsonLine } from './message-line.js';
