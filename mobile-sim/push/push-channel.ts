/**
 * The phone's push channel, simulated: what APNs' or FCM's persistent connection to a real phone
 * does, hand the app each push for its token in order. Here the pushes come from the local stub
 * (push-stubs/), through its HTTP control surface, so a simulated phone in another process sees
 * exactly what the platform sent to the stub and nothing else:
 *
 *   GET {stubUrl}/_stub/deliveries?token=&count=N&waitMs=  (answers once N deliveries exist)
 *
 * A long poll for one more delivery than seen, in a loop; a failed poll is retried after a pause.
 */
import type { Clock } from '@mqtt-chat/sdk';

/** How long one poll waits at the stub for the next push. */
export const POLL_WAIT_MS = 10_000;
const RETRY_PAUSE_MS = 500;

export interface PushChannelOptions {
  /** The stub's URL: APNS_URL or FCM_URL of the platform when it runs on the stubs. */
  stubUrl: string;
  token: string;
  pollWaitMs?: number;
}

export interface PushChannel {
  close(): void;
}

/** The app-level data of a push as the stub received it: APNs custom keys (and `aps`), FCM `data`. */
export function pushDataOf(delivery: unknown): Record<string, unknown> | undefined {
  if (typeof delivery !== 'object' || delivery === null) return undefined;
  const { payload, message } = delivery as { payload?: unknown; message?: { data?: unknown } };
  const data = payload ?? message?.data;
  return typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : undefined;
}

export function openPushChannel(
  deps: { clock: Clock; pushed(data: Record<string, unknown>): void; failed?(error: unknown): void },
  options: PushChannelOptions,
): PushChannel {
  const waitMs = options.pollWaitMs ?? POLL_WAIT_MS;
  const base = `${options.stubUrl.replace(/\/+$/, '')}/_stub/deliveries?token=${encodeURIComponent(options.token)}`;
  const abort = new AbortController();
  let seen = 0;

  async function poll(): Promise<void> {
    while (!abort.signal.aborted) {
      try {
        const response = await fetch(`${base}&count=${seen + 1}&waitMs=${waitMs}`, { signal: abort.signal });
        const answer = (await response.json()) as { deliveries?: unknown };
        if (!response.ok || !Array.isArray(answer.deliveries)) throw new Error(`stub answered ${response.status}`);
        for (const delivery of answer.deliveries.slice(seen)) {
          const data = pushDataOf(delivery);
          if (data !== undefined && !abort.signal.aborted) deps.pushed(data);
        }
        seen = Math.max(seen, answer.deliveries.length);
      } catch (error) {
        if (abort.signal.aborted) return;
        deps.failed?.(error);
        await new Promise<void>((resolve) => deps.clock.setTimeout(resolve, RETRY_PAUSE_MS));
      }
    }
  }
  void poll();

  return { close: () => abort.abort() };
}
