import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { workerPath } from './paths';

/** Where function code lives and which files the runtime keeps to itself. */
export interface SandboxOptions {
  /** The folder holding every code folder: pooled workers may read below it (and only there, of the data dir). */
  codeRoot: string;
  /** The data dir: made traversable (0711) when instances run as another user, never readable. */
  dataDir: string;
  /** Folders instances may write besides their scratch folder (never inside the data dir). */
  writable?: string[];
  /** The Python interpreter that runs the launcher. */
  python: string;
  /** Folders Node instances resolve packages from (NODE_PATH). */
  nodePath: string[];
}

/** How instances are confined; see docs/adapters/local.md, "Security model". */
export interface Sandbox {
  /** `landlock`: file access confined by the kernel; `none`: the instance sees what the runtime's user sees. */
  readonly level: 'landlock' | 'none';
  /** Who instances run as: another user, uid 0 without capabilities, or the runtime's own user. */
  readonly identity: 'user' | 'no-capabilities' | 'same';
  /** Why file access is not confined (when `level` is `none`). */
  readonly reason?: string;
  /**
   * The command that starts `command` confined to reading the system, the runtime's own files and
   * `read`, and writing only a scratch folder of its own (also returned, for `TMPDIR`).
   */
  wrap(command: string[], read: string[]): { command: string[]; scratch?: string; cleanup(): void };
  /** Removes the scratch folders. */
  dispose(): void;
}

/** The user instances run as when the runtime runs as root: `nobody` on Debian, Ubuntu, Fedora and Alpine. */
const instanceUid = 65534;
const instanceGid = 65534;

/** What every program needs to read: libraries, certificates, DNS and time zone files, /proc of itself. */
const systemRead = [
  '/usr',
  '/lib',
  '/lib64',
  '/lib32',
  '/libx32',
  '/bin',
  '/sbin',
  '/opt',
  '/nix/store',
  '/proc',
  '/sys',
  '/dev/random',
  '/dev/urandom',
  '/etc/ssl',
  '/etc/pki',
  '/etc/ca-certificates',
  '/etc/alternatives',
  '/etc/ld.so.cache',
  '/etc/ld.so.conf',
  '/etc/ld.so.conf.d',
  '/etc/localtime',
  '/etc/timezone',
  '/etc/resolv.conf',
  '/etc/hosts',
  '/etc/host.conf',
  '/etc/nsswitch.conf',
  '/etc/gai.conf',
  '/etc/protocols',
  '/etc/services',
  '/etc/passwd',
  '/etc/group',
  '/etc/mime.types',
  '/etc/os-release',
  '/run/systemd/resolve',
];
/** Device files every program may write (and read). */
const systemWrite = ['/dev/null', '/dev/zero', '/dev/full', '/dev/tty'];

/** Whether every folder from `/` down to `file` lets other users pass (o+x). */
function reachableByOthers(file: string): boolean {
  let current = path.resolve(file);
  for (;;) {
    const parent = path.dirname(current);
    if (parent === current) return true;
    if ((fs.statSync(parent).mode & 0o001) === 0) return false;
    current = parent;
  }
}

/** The Landlock ABI the kernel offers (0: none) and the interpreter's own folders, or why not known. */
function probe(python: string): { abi: number; prefixes: string[]; executable: string } | string {
  if (process.platform !== 'linux') return 'Landlock is a Linux feature';
  try {
    const out = execFileSync(python, [workerPath('sandbox.py'), '--probe'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return JSON.parse(out) as { abi: number; prefixes: string[]; executable: string };
  } catch (error) {
    return `the launcher needs ${python} (${(error as Error).message.split('\n')[0]})`;
  }
}

/**
 * Prepares the instance sandbox once per executor: probes Landlock through `worker/sandbox.py`, picks
 * the identity (another user when the runtime is root and the code is reachable by it, else uid 0
 * without capabilities), and makes a scratch root for per-instance temp folders.
 */
export function createSandbox(options: SandboxOptions): Sandbox {
  const found = probe(options.python);
  if (typeof found === 'string' || found.abi < 1) {
    const reason = typeof found === 'string' ? found : 'the kernel has no Landlock (Linux 5.13 or newer)';
    return {
      level: 'none',
      identity: 'same',
      reason,
      wrap: (command) => ({ command, cleanup() {} }),
      dispose() {},
    };
  }
  const launcher = found.executable || options.python;
  const writable = options.writable ?? [];
  const inside = writable.find(
    (dir) => dir === options.dataDir || dir.startsWith(options.dataDir + path.sep),
  );
  if (inside)
    throw new Error(`the writable folder ${inside} is inside the data dir, which instances must not reach`);
  const root = process.getuid?.() === 0;
  const runtimeFiles = [
    workerPath(''),
    ...options.nodePath,
    path.dirname(path.dirname(fs.realpathSync(process.execPath))),
    ...found.prefixes,
  ];
  let identity: Sandbox['identity'] = 'same';
  if (root) {
    // The data dir and the code root are made passable below; everything above them must be already.
    identity = [options.dataDir, ...runtimeFiles].every(reachableByOthers) ? 'user' : 'no-capabilities';
    // Another user reaches the code through folders it may pass but not list; everything else stays 0600/0700.
    if (identity === 'user') for (const dir of [options.dataDir, options.codeRoot]) fs.chmodSync(dir, 0o711);
  }
  // Inside the data dir, so a runtime killed with SIGKILL leaves nothing elsewhere: the next start clears it.
  const scratchRoot = path.join(options.dataDir, 'scratch');
  fs.rmSync(scratchRoot, { recursive: true, force: true });
  fs.mkdirSync(scratchRoot, { mode: identity === 'user' ? 0o711 : 0o700 });
  if (identity === 'user') fs.chmodSync(scratchRoot, 0o711);
  let next = 0;
  return {
    level: 'landlock',
    identity,
    wrap(command, read) {
      const scratch = path.join(scratchRoot, String(++next));
      fs.mkdirSync(scratch, { mode: 0o700 });
      if (identity === 'user') fs.chownSync(scratch, instanceUid, instanceGid);
      const policy = {
        read: [...systemRead, ...runtimeFiles, ...read],
        write: [...systemWrite, ...writable, scratch],
        ...(identity === 'user' ? { uid: instanceUid, gid: instanceGid } : {}),
        ...(identity === 'no-capabilities' ? { dropCaps: true } : {}),
      };
      return {
        // The interpreter itself (not a version manager's shim, which starts several processes), isolated
        // from the environment and without site packages: it starts in a few milliseconds.
        command: [launcher, '-I', '-S', workerPath('sandbox.py'), JSON.stringify(policy), ...command],
        scratch,
        cleanup: () => fs.rmSync(scratch, { recursive: true, force: true }),
      };
    },
    dispose: () => fs.rmSync(scratchRoot, { recursive: true, force: true }),
  };
}
