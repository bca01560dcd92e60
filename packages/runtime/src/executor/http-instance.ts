import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import {
  type CallMessage,
  ChildInstance,
  type EventReply,
  type HttpReply,
  InstanceGoneError,
} from './instance';
import { killProcessTree } from './process-tree';
import type { Sandbox } from './sandbox';
import type { InstanceStopReason } from './types';

let deathGuard: string | null | undefined;
/**
 * `setpriv` (util-linux) when the machine has it: started as `setpriv --pdeathsig KILL -- command`,
 * a command dies with the runtime even when the runtime is killed with SIGKILL, which it cannot see.
 * Node and Python workers need none: they exit when their channel to the runtime closes.
 */
function parentDeathGuard(): string | null {
  if (deathGuard === undefined) {
    deathGuard = null;
    if (process.platform === 'linux')
      for (const dir of ['/usr/bin', '/bin', '/usr/sbin', '/sbin'])
        if (fs.existsSync(path.join(dir, 'setpriv'))) {
          deathGuard = path.join(dir, 'setpriv');
          break;
        }
  }
  return deathGuard;
}

/**
 * Ports handed to custom commands that are still running. The OS can offer a port again as soon as the
 * probe closes it, so a second start could pick the port a first command is about to bind.
 */
const portsInUse = new Set<number>();

/** Finds a free TCP port on 127.0.0.1 that no running custom command was given. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    const port = await probeFreePort();
    if (!portsInUse.has(port) || attempt >= 20) return port;
  }
}

function probeFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Whether the socket listening on `port` is held by a process of process group `group`, from Linux's
 * `/proc`; `undefined` where that cannot be told (another system, or no listener in the tables).
 */
export function listenerInGroup(port: number, group: number): boolean | undefined {
  if (process.platform !== 'linux') return undefined;
  const hexPort = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = fs.readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      // sl, local_address, rem_address, st (0A = LISTEN), queues, tr, retrnsmt, uid, timeout, inode
      const fields = line.trim().split(/\s+/);
      if (fields[3] === '0A' && fields[1]?.endsWith(hexPort) && fields[9]) inodes.add(fields[9]);
    }
  }
  if (inodes.size === 0) return undefined;
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      // After "pid (comm) ": state, ppid, pgrp.
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]) !== group) continue;
      for (const fd of fs.readdirSync(`/proc/${entry}/fd`)) {
        const socket = /^socket:\[(\d+)\]$/.exec(readLink(`/proc/${entry}/fd/${fd}`));
        if (socket && inodes.has(socket[1]!)) return true;
      }
    } catch {
      // The process ended while being read, or is not ours to read.
    }
  }
  return false;
}

/** A link's target, or '' when it is gone (a descriptor closed while the list was read). */
function readLink(file: string): string {
  try {
    return fs.readlinkSync(file);
  } catch {
    return '';
  }
}

const hopByHop = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'upgrade',
  'proxy-connection',
  'te',
  'trailer',
]);

/** A custom command stopped before it listened because its port was taken: a start on another port may work. */
export class PortTakenError extends InstanceGoneError {
  constructor(detail: string) {
    super('start-failed', detail);
  }
}

/** How to start an `http` contract instance. */
export interface HttpInstanceOptions {
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  /** The port the server will listen on. */
  port: number;
  startTimeoutMs: number;
  initPath?: string;
  initHeaders?: Record<string, string>;
  invokePath: string;
  /** Confines the command (see sandbox.ts); without it, it runs as the runtime's user. */
  sandbox?: Sandbox;
  /** What a confined command may read besides the system: its code and working folders. */
  read?: string[];
}

/**
 * An instance of the `http` contract: any command serving HTTP on a port (custom runtimes, custom
 * containers run as commands, FunctionGraph custom images). Calls are proxied to it over loopback.
 */
export class HttpInstance extends ChildInstance {
  private readonly child: ChildProcess;
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  private readonly requests = new Set<http.ClientRequest>();

  get pid(): number | undefined {
    return this.child.pid;
  }

  constructor(private readonly options: HttpInstanceOptions) {
    super();
    portsInUse.add(options.port);
    const confined = options.sandbox?.wrap([options.command, ...options.args], options.read ?? []);
    // The sandbox launcher sets the parent-death signal itself.
    const guard = confined ? null : parentDeathGuard();
    const [file, ...args] = confined?.command ?? [
      ...(guard ? [guard, '--pdeathsig', 'KILL', '--'] : []),
      options.command,
      ...options.args,
    ];
    // Its own process group, so stopping the instance stops whatever the command started too.
    this.child = spawn(file!, args, {
      cwd: options.cwd,
      env: confined?.scratch ? { ...options.env, TMPDIR: confined.scratch } : options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    this.contain(this.child, () => confined?.cleanup());
    this.watch(this.child, (error) => `could not start "${options.command}": ${error.message}`);
  }

  /** Waits until the server accepts connections, then POSTs the init path once when configured. */
  async ready(): Promise<void> {
    const deadline = Date.now() + this.options.startTimeoutMs;
    let delay = 5;
    while (!this.exited) {
      // A connection alone could reach another program that holds the port: the listener must be ours.
      if ((await canConnect(this.options.port)) && this.listensItself()) break;
      if (Date.now() > deadline) {
        this.kill('start-failed');
        throw new InstanceGoneError(
          'start-failed',
          `the command did not listen on port ${this.options.port} within ${this.options.startTimeoutMs} ms`,
        );
      }
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 100);
    }
    if (this.exited) {
      await this.stderrRead();
      const message = this.describe(
        `the command ${this.exitDetail} before it listened on port ${this.options.port}`,
      );
      if (/EADDRINUSE|address already in use/i.test(this.stderrTail.get())) throw new PortTakenError(message);
      throw new InstanceGoneError('start-failed', message);
    }
    if (this.options.initPath) {
      const reply = await this.request(
        'POST',
        this.options.initPath,
        [['content-type', 'application/json'], ...Object.entries(this.options.initHeaders ?? {})],
        new Uint8Array(),
      );
      if (reply.status >= 400) {
        this.kill('start-failed');
        throw new InstanceGoneError('start-failed', `POST ${this.options.initPath} answered ${reply.status}`);
      }
    }
  }

  /** Whether the port's listener is this command's (or a process it started); true where that cannot be told. */
  private listensItself(): boolean {
    return this.child.pid === undefined || listenerInGroup(this.options.port, this.child.pid) !== false;
  }

  async call(message: CallMessage): Promise<HttpReply | EventReply> {
    if (message.t === 'http') {
      const url = new URL(message.url);
      const headers = message.headers.filter(([name]) => !hopByHop.has(name.toLowerCase()));
      for (const [name, value] of Object.entries(message.extraHeaders ?? {})) headers.push([name, value]);
      return this.request(message.method, url.pathname + url.search, headers, message.body);
    }
    const headers: [string, string][] = [
      ['content-type', 'application/json'],
      ...Object.entries(message.extraHeaders ?? {}),
    ];
    const reply = await this.request('POST', this.options.invokePath, headers, message.payload);
    const failed =
      reply.status >= 400 || reply.headers.some(([name, value]) => name === 'x-fc-status' && value !== '200');
    return {
      t: 'eres',
      body: reply.body ?? new Uint8Array(),
      error: failed
        ? { message: `${this.options.invokePath} answered ${reply.status}`, type: 'HttpError' }
        : undefined,
    };
  }

  kill(reason: InstanceStopReason): void {
    if (this.exited) return;
    this.stopReason ??= reason;
    if (this.child.pid !== undefined) killProcessTree(this.child.pid, true);
    else this.child.kill('SIGKILL');
  }

  private request(
    method: string,
    path: string,
    headers: [string, string][],
    body?: Uint8Array,
  ): Promise<HttpReply> {
    return new Promise((resolve, reject) => {
      const flat: string[] = [];
      let hasHost = false;
      for (const [name, value] of headers) {
        if (name.toLowerCase() === 'content-length') continue;
        if (name.toLowerCase() === 'host') hasHost = true;
        flat.push(name, value);
      }
      // Raw header arrays get no automatic Host header, and HTTP/1.1 servers answer 400 without one.
      if (!hasHost) flat.push('host', `127.0.0.1:${this.options.port}`);
      if (body?.length) flat.push('content-length', String(body.length));
      const req = http.request({
        host: '127.0.0.1',
        port: this.options.port,
        method,
        path,
        headers: flat,
        agent: this.agent,
      });
      this.requests.add(req);
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          this.requests.delete(req);
          const out: [string, string][] = [];
          for (let i = 0; i < res.rawHeaders.length; i += 2) {
            const name = res.rawHeaders[i]!.toLowerCase();
            if (!hopByHop.has(name) && name !== 'content-length') out.push([name, res.rawHeaders[i + 1]!]);
          }
          const data = Buffer.concat(chunks);
          resolve({
            t: 'res',
            status: res.statusCode ?? 502,
            headers: out,
            body: data.length ? new Uint8Array(data) : null,
          });
        });
        res.on('error', (error) => reject(new InstanceGoneError(this.stopReason ?? 'crash', error.message)));
      });
      req.on('error', (error) => {
        this.requests.delete(req);
        reject(
          new InstanceGoneError(
            this.stopReason ?? 'crash',
            this.exited ? this.describe(`the instance ${this.exitDetail}`) : error.message,
          ),
        );
      });
      req.end(body?.length ? Buffer.from(body) : undefined);
    });
  }

  protected onExited(gone: InstanceGoneError): void {
    portsInUse.delete(this.options.port);
    this.agent.destroy();
    for (const req of this.requests) req.destroy(gone);
  }
}
