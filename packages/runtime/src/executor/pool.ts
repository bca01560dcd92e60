import { WorkerProcess } from './instance';
import type { Sandbox } from './sandbox';
import type { WebRequestMode } from './types';

/** What kind of generic worker a pool key stands for. */
export interface WorkerKind {
  kind: 'node' | 'python';
  script: string;
  memoryMb?: number;
  python?: string;
  /** Extra Node.js flags for the worker (e.g. `--cpu-prof` to profile functions). */
  nodeArgs?: string[];
  /** How the worker builds a `web` handler's Request. */
  webRequest?: WebRequestMode;
  env: Record<string, string>;
  /** Confines the workers; `read` is what they may read besides the system (the code root). */
  sandbox?: Sandbox;
  read?: string[];
}

/**
 * Pre-started generic workers, per runtime (and, for Node, per heap size, which is fixed at process
 * start). Taking one turns a cold start into a module load; the pool refills in the background.
 */
export class WarmPool {
  private readonly idle = new Map<string, WorkerProcess[]>();
  private readonly starting = new Map<string, number>();
  /** Cold starts waiting for a worker of the pool that is still starting, oldest first. */
  private readonly waiting = new Map<string, Array<(worker: WorkerProcess | undefined) => void>>();
  private readonly kinds = new Map<string, WorkerKind>();
  private closed = false;

  constructor(private readonly size: number) {}

  /** The pool key of a worker kind. */
  static keyOf(kind: WorkerKind): string {
    return kind.kind === 'node' ? `node:${kind.memoryMb ?? 0}` : `python:${kind.python ?? 'python3'}`;
  }

  /** Makes sure `size` workers of this kind are ready or starting. */
  fill(kind: WorkerKind): void {
    if (this.closed || this.size <= 0) return;
    const key = WarmPool.keyOf(kind);
    this.kinds.set(key, kind);
    const idle = this.idle.get(key) ?? [];
    this.idle.set(key, idle);
    while (idle.length + (this.starting.get(key) ?? 0) < this.size) {
      const worker = new WorkerProcess(kind.kind, kind);
      this.starting.set(key, (this.starting.get(key) ?? 0) + 1);
      worker.ready().then(
        () => {
          this.starting.set(key, (this.starting.get(key) ?? 1) - 1);
          if (this.closed) return worker.kill('closed');
          const waiter = this.waiting.get(key)?.shift();
          if (waiter) return waiter(worker);
          idle.push(worker);
          worker.onExit(() => {
            const at = idle.indexOf(worker);
            if (at >= 0) idle.splice(at, 1);
          });
        },
        () => {
          this.starting.set(key, (this.starting.get(key) ?? 1) - 1);
          // The cold start that waited for it starts a process of its own.
          this.waiting.get(key)?.shift()?.(undefined);
        },
      );
    }
  }

  /**
   * A ready generic worker: from the pool when one is waiting or already starting (a refill has a head
   * start on a fresh process, and spawning both would make two processes share the CPU), else a fresh
   * process.
   */
  async take(kind: WorkerKind): Promise<{ worker: WorkerProcess; fromPool: boolean }> {
    const key = WarmPool.keyOf(kind);
    let worker = this.idle.get(key)?.shift();
    const waiters = this.waiting.get(key) ?? [];
    this.waiting.set(key, waiters);
    if (!worker && !this.closed && (this.starting.get(key) ?? 0) > waiters.length)
      worker = await new Promise<WorkerProcess | undefined>((resolve) => waiters.push(resolve));
    // Refill after this cold start has gone ahead: spawning a process blocks the event loop for a
    // few milliseconds, which would otherwise be added to the cold start itself.
    setTimeout(() => this.fill(kind), 25).unref();
    if (worker) return { worker, fromPool: true };
    const fresh = new WorkerProcess(kind.kind, kind);
    await fresh.ready();
    return { worker: fresh, fromPool: false };
  }

  /** Workers waiting in the pool. */
  get idleCount(): number {
    let count = 0;
    for (const list of this.idle.values()) count += list.length;
    return count;
  }

  /** Stops every pooled worker. */
  close(): void {
    this.closed = true;
    for (const list of this.waiting.values()) for (const waiter of list.splice(0)) waiter(undefined);
    for (const list of this.idle.values()) for (const worker of list) worker.kill('closed');
    this.idle.clear();
  }
}
