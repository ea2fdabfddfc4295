/**
 * `chatctl stats`: the platform at a glance, from /healthz (each dependency), /metrics (this
 * process's connections, sends, refusals, pushes: with the split deployment, name each process's
 * API with --metrics-url to add them up) and /v1/admin/stats (counts and backlogs from the database).
 */
import type { Command } from 'commander';
import type { Context } from '../context.js';
import { createApiClient, type ApiClient } from '../api-client.js';
import { ApiError } from '../errors.js';
import { keyValues, type Cell } from '../output.js';
import { has, parsePrometheus, total, type Sample } from '../prometheus.js';

interface Health {
  status: string;
  checks: Record<string, boolean>;
}

/** The headline figures, by metric: what an operator looks at first. */
function headline(samples: readonly Sample[]): Record<string, number | undefined> {
  const metric = (name: string, where?: Record<string, string>) => (has(samples, name) ? total(samples, name, where) : undefined);
  const sends = metric('chat_sends_total');
  const stored = metric('chat_sends_total', { outcome: 'stored' });
  const duplicates = metric('chat_sends_total', { outcome: 'duplicate' });
  return {
    connections: metric('chat_mqtt_connections'),
    sendsStored: stored,
    sendsDuplicate: duplicates,
    sendsRefused: sends === undefined ? undefined : sends - (stored ?? 0) - (duplicates ?? 0),
    connectsRefused: metric('chat_mqtt_connects_refused_total'),
    disconnectsByBroker: metric('chat_mqtt_disconnects_total'),
    tokenRevokedDisconnects: metric('chat_mqtt_disconnects_total', { reason: 'token_revoked' }),
    pushesSent: metric('chat_pushes_total', { status: 'sent' }),
    pushesFailed: metric('chat_pushes_total', { status: 'failed' }),
    redisForwardsDropped: metric('chat_redis_forwards_dropped_total'),
  };
}

/** Every chat_* metric summed over its labels (histograms by their _count and _sum), for --json. */
function allChatMetrics(samples: readonly Sample[]): Record<string, number> {
  const totals: Record<string, number> = {};
  for (const s of samples) if (s.name.startsWith('chat_') && !s.name.endsWith('_bucket')) totals[s.name] = (totals[s.name] ?? 0) + s.value;
  return totals;
}

/** /healthz answers 200 or 503 with the same view: both say what is up. */
async function readHealth(source: ApiClient): Promise<Health> {
  const { status, text } = await source.text('/healthz');
  try {
    return JSON.parse(text) as Health;
  } catch {
    throw new ApiError(`HTTP_${status}`, `GET /healthz answered ${text.slice(0, 100)}`, status);
  }
}

export function statsCommand(program: Command, context: (command: Command) => Context): void {
  program
    .command('stats')
    .description('health, connections, sends, refusals, pushes and backlogs')
    .option(
      '--metrics-url <url>',
      "another process's API to add its /metrics (repeat for more)",
      (url: string, previous: string[] = []) => [...previous, url],
    )
    .action(async (options: { metricsUrl?: string[] }, command: Command) => {
      const { api, publicApi, out } = context(command);
      const admin = api();
      const [health, counts] = await Promise.all([readHealth(publicApi()), admin.call<Record<string, number>>('GET', '/v1/admin/stats')]);
      const sources = [publicApi(), ...(options.metricsUrl ?? []).map((url) => createApiClient({ url, token: undefined }))];
      const samples = (
        await Promise.all(
          sources.map(async (source) => {
            const { status, text } = await source.text('/metrics');
            if (status !== 200) throw new ApiError(`HTTP_${status}`, 'GET /metrics failed', status);
            return parsePrometheus(text);
          }),
        )
      ).flat();
      const figures = headline(samples);
      out.result({ health, counts, metrics: figures, chatMetrics: allChatMetrics(samples) }, () => {
        const checks = Object.entries(health.checks)
          .map(([name, up]) => `${name} ${up ? 'up' : 'DOWN'}`)
          .join(', ');
        const rows: [string, Cell][] = [
          ['health', `${health.status}${checks === '' ? '' : ` (${checks})`}`],
          ['connections', figures['connections']],
          ['sends stored', figures['sendsStored']],
          ['sends duplicate', figures['sendsDuplicate']],
          ['sends refused (Nack)', figures['sendsRefused']],
          ['connects refused', figures['connectsRefused']],
          ['disconnected by broker', figures['disconnectsByBroker']],
          ['  of which token revoked', figures['tokenRevokedDisconnects']],
          ['pushes sent', figures['pushesSent']],
          ['pushes failed', figures['pushesFailed']],
          ['push outbox backlog', counts['pushOutbox']],
          ['pushes pending', counts['pushPending']],
          ['users', counts['users']],
          ['deleted users', counts['deletedUsers']],
          ['rooms', counts['rooms']],
          ['messages', counts['messages']],
          ['revoked devices', counts['tokenDenials']],
        ];
        return keyValues(rows);
      });
    });
}
