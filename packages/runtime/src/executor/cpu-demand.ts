import { readFileSync } from 'node:fs';
import os from 'node:os';

/**
 * CPUs this process may run on: `os.availableParallelism()` honours the affinity mask (`taskset`,
 * container CPU sets), where `os.cpus()` lists every CPU of the machine.
 */
export function cpuSlots(): number {
  return Math.max(1, os.availableParallelism());
}

/** How long a window must be before a reading means anything. */
const minWindowMs = 50;

/** What the CPUs did over a window: `wanted` where `/proc` tells it, else `idle`. */
export type CpuReading =
  | {
      /**
       * CPUs the runtime's process and the given processes wanted: the time each spent running or
       * waiting in the run queue (`/proc/<pid>/schedstat`, Linux), over the time that passed, added
       * up. Processes that compute (or a gateway and an instance passing calls back and forth) add up
       * to about one per CPU they can use, however busy the machine is; processes waiting for I/O or
       * timers add little, as they are in no run queue.
       */
      wanted: number;
    }
  | {
      /** Without `/proc` (macOS, Windows): the machine's idle CPUs, whoever else runs there. */
      idle: number;
    };

/**
 * Tells whether more processes could run: how much CPU the runtime and its busy instances wanted
 * lately (or, without `/proc`, how much of the machine stayed idle). Each reading covers the time
 * since the previous one.
 */
export class CpuDemand {
  private readonly last = new Map<number, { ns: number; at: number }>();
  private machineLast?: { idle: number; total: number; at: number };
  private readonly procfs = readSchedstat(process.pid) !== undefined;

  /**
   * A reading since the previous one, or `undefined` until each process has been watched for at
   * least 50 ms: a process read for the first time starts its window.
   */
  read(pids: number[]): CpuReading | undefined {
    const now = performance.now();
    if (!this.procfs) {
      const idle = this.machineIdle(now);
      return idle === undefined ? undefined : { idle };
    }
    let wanted = 0;
    let complete = true;
    const seen = new Set<number>();
    for (const pid of [process.pid, ...pids]) {
      seen.add(pid);
      const ns = readSchedstat(pid);
      if (ns === undefined) continue;
      const previous = this.last.get(pid);
      if (!previous || now - previous.at < minWindowMs) {
        if (!previous) this.last.set(pid, { ns, at: now });
        complete = false;
        continue;
      }
      wanted += Math.min(1, (ns - previous.ns) / 1e6 / (now - previous.at));
      this.last.set(pid, { ns, at: now });
    }
    for (const pid of this.last.keys()) if (!seen.has(pid)) this.last.delete(pid);
    return complete ? { wanted } : undefined;
  }

  /** Idle CPUs of the machine since the previous call. */
  private machineIdle(now: number): number | undefined {
    const times = machineTimes();
    const previous = this.machineLast;
    if (previous && now - previous.at < minWindowMs) return undefined;
    this.machineLast = { ...times, at: now };
    if (!previous || times.total <= previous.total) return undefined;
    return ((times.idle - previous.idle) / (times.total - previous.total)) * times.cpus;
  }
}

/**
 * Idle and total CPU time of the machine so far, and its CPU count: from the first line of
 * `/proc/stat` where there is one (one small read; `os.cpus()` also reads every CPU's model), else
 * from `os.cpus()`.
 */
function machineTimes(): { idle: number; total: number; cpus: number } {
  try {
    const stat = readFileSync('/proc/stat', 'utf8');
    // "cpu  user nice system idle iowait irq softirq steal ..." (clock ticks), then one "cpuN" line per CPU.
    const fields = stat.slice(0, stat.indexOf('\n')).split(/\s+/).slice(1, 9).map(Number);
    const cpus = stat.split('\ncpu').length - 1;
    const total = fields.reduce((a, b) => a + b, 0);
    return { idle: fields[3]! + fields[4]!, total, cpus: Math.max(1, cpus) };
  } catch {
    let idle = 0;
    let total = 0;
    const list = os.cpus();
    for (const { times } of list) {
      idle += times.idle;
      total += times.user + times.nice + times.sys + times.idle + times.irq;
    }
    return { idle, total, cpus: list.length };
  }
}

/** Nanoseconds a process has spent on a CPU plus waiting for one; `undefined` without procfs. */
function readSchedstat(pid: number): number | undefined {
  try {
    const [run, wait] = readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ');
    return Number(run) + Number(wait);
  } catch {
    return undefined;
  }
}
