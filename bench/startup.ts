/**
 * Start-up of the platform as `npm start` runs it, in a child process: seconds from spawn to the
 * banner (every listener up, the database open and migrated), and resident memory (Linux /proc):
 * the platform process's own at the banner and after it has idled a few seconds, its peak, and
 * the peak of its whole process tree (PGlite creates a new data directory in a child process).
 * PGlite is measured on a fresh data directory and again on the one that run left; PostgreSQL,
 * for reference, on a fresh database.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const START_LIMIT_MS = 120_000;
const SHUTDOWN_LIMIT_MS = 20_000;
const SAMPLE_INTERVAL_MS = 50;
/** After the banner: long enough for start-up garbage to be collected and timers to settle. */
const IDLE_AFTER_READY_MS = 5_000;
// Throwaway credentials of a platform that listens on 127.0.0.1, on ports the OS picks.
const ENV = {
  MQTT_PORT: '0',
  WS_PORT: '0',
  API_PORT: '0',
  LOG_LEVEL: 'warn',
  JWT_SECRET: 'bench-startup-jwt-secret-0123456789abcdef',
  ADMIN_TOKEN: 'bench-startup-admin-token',
};

export interface StartupResult {
  label: string;
  seconds: number;
  /** MiB; undefined without /proc. */
  rssAtReadyMiB: number | undefined;
  rssIdleMiB: number | undefined;
  peakMiB: number | undefined;
  treePeakMiB: number | undefined;
}

/** `npm start`'s entry, read from package.json so a moved entry point is followed. */
async function startEntry(): Promise<string> {
  const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const entry = pkg.scripts['start']?.split(/\s+/).find((word) => word.endsWith('.ts'));
  if (entry === undefined) throw new Error('package.json: no TypeScript entry in the start script');
  return entry;
}

async function statusKiB(pid: number, field: 'VmRSS' | 'VmHWM'): Promise<number | undefined> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => undefined);
  const match = status === undefined ? null : new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  return match === null ? undefined : Number(match[1]);
}

/** `pid` and its descendants, by parent pid in /proc/<pid>/stat. */
async function treeRssKiB(pid: number): Promise<number | undefined> {
  const parents = new Map<number, number>();
  for (const name of await readdir('/proc').catch(() => [])) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => undefined);
    const ppid = stat?.split(') ')[1]?.split(' ')[1];
    if (ppid !== undefined) parents.set(Number(name), Number(ppid));
  }
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) for (const [child, parent] of parents) if (parent === tree[i]) tree.push(child);
  let total = 0;
  for (const member of tree) total += (await statusKiB(member, 'VmRSS')) ?? 0;
  return total === 0 ? undefined : total;
}

const toMiB = (kib: number | undefined) => (kib === undefined ? undefined : kib / 1024);

async function measureOne(label: string, env: Record<string, string>): Promise<StartupResult> {
  const entry = await startEntry();
  const startMs = performance.now();
  const child = spawn(process.execPath, ['--conditions=mqtt-chat-source', '--import', 'tsx', entry], {
    cwd: ROOT,
    env: { ...process.env, ...ENV, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid!;
  let treePeakKiB = 0;
  const sampler = setInterval(() => {
    void treeRssKiB(pid).then((kib) => (treePeakKiB = Math.max(treePeakKiB, kib ?? 0)));
  }, SAMPLE_INTERVAL_MS);
  let output = '';
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${label}: not ready within ${START_LIMIT_MS} ms:\n${output}`)), START_LIMIT_MS);
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (!/REST API\s+http:\/\/\S+/.test(output)) return;
        clearTimeout(timer);
        resolve();
      });
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${label}: exited with ${code} before it was ready:\n${output}`));
      });
    });
    const seconds = (performance.now() - startMs) / 1000;
    const rssAtReady = await statusKiB(pid, 'VmRSS');
    await new Promise((resolve) => setTimeout(resolve, IDLE_AFTER_READY_MS));
    return {
      label,
      seconds,
      rssAtReadyMiB: toMiB(rssAtReady),
      rssIdleMiB: toMiB(await statusKiB(pid, 'VmRSS')),
      peakMiB: toMiB(await statusKiB(pid, 'VmHWM')),
      treePeakMiB: treePeakKiB === 0 ? undefined : toMiB(treePeakKiB),
    };
  } finally {
    clearInterval(sampler);
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const hung = setTimeout(() => child.kill('SIGKILL'), SHUTDOWN_LIMIT_MS);
      await exited;
      clearTimeout(hung);
    }
  }
}

/** PGlite on a fresh data directory, then on the same directory again. */
export async function measurePgliteStartup(): Promise<StartupResult[]> {
  const dataDir = await mkdtemp(join(tmpdir(), 'chat-bench-startup-'));
  try {
    const fresh = await measureOne('PGlite, fresh data directory', { DATA_DIR: dataDir });
    const existing = await measureOne('PGlite, existing data directory', { DATA_DIR: dataDir });
    return [fresh, existing];
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** PostgreSQL at `databaseUrl` (a fresh database), for reference. */
export async function measurePostgresStartup(databaseUrl: string): Promise<StartupResult> {
  const dataDir = await mkdtemp(join(tmpdir(), 'chat-bench-startup-'));
  try {
    return await measureOne('PostgreSQL, fresh database', { DATA_DIR: dataDir, DATABASE_URL: databaseUrl });
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}
