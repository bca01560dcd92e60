import fs from 'node:fs';

/** Every process below `pid`, from Linux's `/proc` (empty elsewhere). */
export function descendantsOf(pid: number): number[] {
  if (process.platform !== 'linux') return [];
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // Ended while the list was read.
    }
    // After "pid (comm) ": state, ppid.
    const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    const list = children.get(parent) ?? [];
    list.push(Number(entry));
    children.set(parent, list);
  }
  const out: number[] = [];
  const queue = [pid];
  while (queue.length) {
    for (const child of children.get(queue.shift()!) ?? []) {
      out.push(child);
      queue.push(child);
    }
  }
  return out;
}

/** Kills a process group (what is left of an instance that has exited). */
export function killGroup(pid: number): void {
  signal(-pid, 'SIGKILL');
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Gone already.
  }
}

/**
 * Stops the processes an instance started: its process group and every descendant, including those
 * that left the group with setsid (they stay descendants because the launcher makes the instance a
 * child subreaper). With `andRoot`, the instance itself too; it is frozen first, so it cannot start
 * more while they are stopped, and killed last, so nothing it started is handed to init meanwhile.
 */
export function killProcessTree(pid: number, andRoot: boolean): void {
  if (andRoot) signal(pid, 'SIGSTOP');
  for (let round = 0; round < 10; round++) {
    const found = descendantsOf(pid);
    if (found.length === 0) break;
    for (const child of found) signal(child, 'SIGKILL');
  }
  if (!andRoot) return;
  signal(-pid, 'SIGKILL');
  signal(pid, 'SIGKILL');
}
