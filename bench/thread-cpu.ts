/**
 * CPU time of this process's threads by role, from /proc (Linux; elsewhere nothing is
 * measured): the main thread (broker, bridge, API), the PGlite worker thread, the load
 * generator's thread, and the rest (V8's GC helpers, libuv's pool). On a shared machine busy
 * shares of wall time say little; CPU time per message says where the work went.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { PGLITE_THREAD_NAME } from '../store/index.js';

export const LOAD_THREAD_NAME = 'bench-load';

export type ThreadRole = 'main' | 'pglite' | 'load' | 'other';
export type ThreadCpuMs = Record<ThreadRole, number>;

/** The kernel's clock ticks (USER_HZ): 100 on every Linux this runs on. */
const TICK_MS = 10;

function roleOf(tid: string, name: string): ThreadRole {
  if (tid === String(process.pid)) return 'main';
  if (name === PGLITE_THREAD_NAME) return 'pglite';
  return name === LOAD_THREAD_NAME ? 'load' : 'other';
}

/** CPU time used so far by each role's threads; undefined where /proc is not there. */
export function sampleThreadCpu(): ThreadCpuMs | undefined {
  const totals: ThreadCpuMs = { main: 0, pglite: 0, load: 0, other: 0 };
  let tids: string[];
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    return undefined;
  }
  for (const tid of tids) {
    try {
      const name = readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim();
      // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
      const fields = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      totals[roleOf(tid, name)] += (Number(fields[11]) + Number(fields[12])) * TICK_MS;
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return totals;
}

/** Names the calling thread (Linux), so sampleThreadCpu can tell it apart. */
export function nameThisThread(name: string): void {
  try {
    writeFileSync('/proc/thread-self/comm', name);
  } catch {
    // not Linux
  }
}

/** Per role, CPU milliseconds between two samples (threads that ended in between are not counted). */
export function threadCpuDelta(start: ThreadCpuMs | undefined, end: ThreadCpuMs | undefined): ThreadCpuMs | undefined {
  if (start === undefined || end === undefined) return undefined;
  return { main: end.main - start.main, pglite: end.pglite - start.pglite, load: end.load - start.load, other: end.other - start.other };
}
