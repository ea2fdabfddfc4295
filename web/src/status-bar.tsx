import { useEffect, useState } from 'preact/hooks';
import type { ClientStatus } from '@mqtt-chat/sdk';

/** The connection as the user should see it: connecting, online (and how), or offline with the retry countdown. */
export function StatusBar({ status, retryAtMs, onRetry }: { status: ClientStatus; retryAtMs: number | undefined; onRetry: () => void }) {
  const [nowMs, setNowMs] = useState(performance.now());
  useEffect(() => {
    if (status.state !== 'connecting') return;
    const timer = setInterval(() => setNowMs(performance.now()), 250);
    return () => clearInterval(timer);
  }, [status]);

  if (status.state === 'connected') {
    return (
      <span class="status online" data-testid="status" data-state="online" data-transport={status.transport} title={status.reason}>
        Online{status.transport === 'sse' ? ' (SSE fallback)' : ''}
      </span>
    );
  }
  if (status.state === 'disconnected') {
    return (
      <span class="status offline" data-testid="status" data-state="offline" title={status.reason}>
        Disconnected: {status.code}
      </span>
    );
  }
  const isFirst = status.code === 'connect' && status.attempt === 0;
  if (isFirst) {
    return (
      <span class="status connecting" data-testid="status" data-state="connecting">
        Connecting…
      </span>
    );
  }
  const seconds = Math.max(0, Math.ceil(((retryAtMs ?? nowMs) - nowMs) / 1000));
  return (
    <span class="status offline" data-testid="status" data-state="offline" title={status.reason}>
      Offline, {seconds > 0 ? <span data-testid="retry-countdown">retrying in {seconds} s</span> : 'reconnecting…'}{' '}
      <button class="link" onClick={onRetry}>
        Retry now
      </button>
    </span>
  );
}
