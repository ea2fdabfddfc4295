/**
 * Reading a multi-worker node (WORKERS > 1) from outside: every metric carries a `worker` label,
 * and the API port hands each new connection to the next worker, so scraping /metrics on fresh
 * connections until every worker has answered shows each worker's figures.
 */
import { request } from 'node:http';

const MAX_SCRAPES = 50;

function scrapeOnce(apiUrl: string): Promise<string> {
  return new Promise((resolve, reject) => {
    // agent: false: a new TCP connection each time, or keep-alive would pin every scrape to one worker.
    const req = request(`${apiUrl}/metrics`, { agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The /metrics text of every worker, by worker index. */
export async function scrapeWorkers(apiUrl: string, workers: number): Promise<Map<number, string>> {
  const seen = new Map<number, string>();
  for (let i = 0; i < MAX_SCRAPES && seen.size < workers; i += 1) {
    const text = await scrapeOnce(apiUrl);
    const worker = /\{[^}]*worker="(\d+)"/.exec(text)?.[1];
    if (worker !== undefined) seen.set(Number(worker), text);
  }
  if (seen.size < workers) throw new Error(`only workers ${[...seen.keys()].join(',')} answered ${MAX_SCRAPES} scrapes`);
  return seen;
}

/** The value of `name` with every label in `labels` (0 when absent). */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) return Number(line.split(' ').at(-1));
  }
  return 0;
}
