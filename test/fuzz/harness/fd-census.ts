/**
 * The open file descriptors of a process, from /proc: TCP sockets counted by the local port they
 * belong to (so a leak names its listener), and sockets that are in no table at all: an fd the
 * process still holds for a connection the kernel already tore down (the peer reset it), the
 * plainest sign of a leak. Linux only, like the platform's production target.
 */
import { readdir, readFile, readlink } from 'node:fs/promises';

export interface FdCensus {
  total: number;
  /** TCP sockets whose local port is one of the named ports (listening sockets included). */
  byPort: Record<string, number>;
  /** TCP sockets on other ports (push clients and the in-process push stubs), and Unix sockets. */
  otherSockets: number;
  /** Socket fds whose connection is in no kernel table anymore: closed by the peer, never by the process. */
  orphanedSockets: number;
  /** Regular files (PGlite keeps one per relation it touched), pipes, eventfds… */
  nonSockets: number;
}

/** inode → local port, from /proc/net/tcp{,6} ("0100007F:992D" → 0x992D in column 2, inode in column 10). */
function tcpPorts(table: string): [string, number][] {
  return table
    .split('\n')
    .slice(1)
    .flatMap((line) => {
      const columns = line.trim().split(/\s+/);
      const local = columns[1];
      const inode = columns[9];
      return local === undefined || inode === undefined
        ? []
        : [[inode, Number.parseInt(local.split(':')[1] ?? '0', 16)] as [string, number]];
    });
}

/** Inodes of /proc/net/unix (column 7). */
const unixInodes = (table: string): string[] =>
  table
    .split('\n')
    .slice(1)
    .flatMap((line) => line.trim().split(/\s+/)[6] ?? []);

export async function takeCensus(pid: number, ports: Readonly<Record<string, number>>): Promise<FdCensus> {
  const fds = await readdir(`/proc/${pid}/fd`);
  const targets = await Promise.all(fds.map((fd) => readlink(`/proc/${pid}/fd/${fd}`).catch(() => undefined))); // closed while we looked
  const [tcp, tcp6, unix] = await Promise.all(
    ['tcp', 'tcp6', 'unix'].map((name) => readFile(`/proc/${pid}/net/${name}`, 'utf8').catch(() => '')),
  );
  const portOfInode = new Map([...tcpPorts(tcp!), ...tcpPorts(tcp6!)]);
  const unixSockets = new Set(unixInodes(unix!));
  const labelOfPort = new Map(Object.entries(ports).map(([label, port]) => [port, label]));
  const census: FdCensus = {
    total: 0,
    byPort: Object.fromEntries(Object.keys(ports).map((label) => [label, 0])),
    otherSockets: 0,
    orphanedSockets: 0,
    nonSockets: 0,
  };
  for (const target of targets) {
    if (target === undefined) continue;
    census.total += 1;
    const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
    if (inode === undefined) {
      census.nonSockets += 1;
      continue;
    }
    const port = portOfInode.get(inode);
    const label = port === undefined ? undefined : labelOfPort.get(port);
    if (label !== undefined) census.byPort[label] = (census.byPort[label] ?? 0) + 1;
    else if (port !== undefined || unixSockets.has(inode)) census.otherSockets += 1;
    else census.orphanedSockets += 1;
  }
  return census;
}

/** How far above its baseline each count may be once settled. */
export interface CensusSlack {
  byPort: Record<string, number>;
  otherSockets: number;
  orphanedSockets: number;
}

/** The counts that are above baseline + slack, described; empty when the census is within bounds. */
export function excess(census: FdCensus, baseline: FdCensus, slack: CensusSlack): string[] {
  const over = Object.entries(census.byPort).flatMap(([label, count]) => {
    const limit = (baseline.byPort[label] ?? 0) + (slack.byPort[label] ?? 0);
    return count > limit ? [`${label} port sockets ${count} (baseline ${baseline.byPort[label] ?? 0})`] : [];
  });
  if (census.otherSockets > baseline.otherSockets + slack.otherSockets)
    over.push(`other sockets ${census.otherSockets} (baseline ${baseline.otherSockets})`);
  if (census.orphanedSockets > baseline.orphanedSockets + slack.orphanedSockets)
    over.push(`sockets open after their connection was gone ${census.orphanedSockets} (baseline ${baseline.orphanedSockets})`);
  return over;
}

/**
 * Counts until the census is within bounds or `deadlineMs` passes. The kernel has no event for
 * "the process closed that fd", so this polls, but with a deadline instead of a fixed sleep: a
 * healthy platform passes at the first look.
 */
export async function settledCensus(
  pid: number,
  ports: Readonly<Record<string, number>>,
  bounds: { baseline: FdCensus; slack: CensusSlack },
  deadlineMs: number,
): Promise<{ census: FdCensus; excess: string[] }> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const census = await takeCensus(pid, ports);
    const over = excess(census, bounds.baseline, bounds.slack);
    if (over.length === 0 || Date.now() >= until) return { census, excess: over };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
