/** The client SDK a phone app embeds: imports only `schema/` and npm packages (DESIGN §2). */
export { realClock, type Clock, type TimerHandle } from './clock.js';
export {
  createTypingSender,
  TYPING_IDLE_STOP_MS,
  TYPING_RENEW_INTERVAL_MS,
  type TypingSender,
  type TypingSenderDeps,
  type TypingSenderOptions,
} from './typing/typing-sender.js';
export {
  createTypingReceiver,
  TYPING_EXPIRY_MS,
  type TypingReceiver,
  type TypingReceiverDeps,
  type TypingReceiverOptions,
} from './typing/typing-receiver.js';
