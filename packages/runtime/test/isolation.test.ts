import fs from 'node:fs';
import path from 'node:path';
import { defineFunction, deploy, type FunctionConfig } from '@faasport/core';
import { afterAll, describe, expect, test } from 'vitest';
import { createLocalAdapter, type Runtime, startRuntime } from '../src/index';
import { cleanTemp, tempDir } from './helpers/fixtures';
import { request } from './helpers/runtime-process';

const runtimes: Runtime[] = [];
afterAll(async () => {
  await Promise.all(runtimes.map((r) => r.close()));
  cleanTemp();
});

async function start(dataDir: string, options: { sandbox?: boolean } = {}): Promise<Runtime> {
  const runtime = await startRuntime({ dataDir, port: 0, warmPool: 0, ...options });
  runtimes.push(runtime);
  return runtime;
}

function ship(runtime: Runtime, config: FunctionConfig, env: Record<string, string> = {}) {
  return deploy(createLocalAdapter({ url: runtime.url, token: runtime.token }), defineFunction(config), {
    env,
  });
}

const modeOf = (file: string) => (fs.statSync(file).mode & 0o777).toString(8);

describe('files and permissions', () => {
  test('an existing data dir others can read is made private; the database and its WAL files are 0600', async () => {
    const dataDir = path.join(tempDir('faasport-modes-'), 'data');
    fs.mkdirSync(dataDir, { mode: 0o755 });
    fs.chmodSync(dataDir, 0o755);
    const runtime = await start(dataDir);
    await ship(
      runtime,
      {
        name: 'holder',
        source: { inline: 'export default () => "ok";' },
        secrets: { KEY: { fromEnv: 'KEY' } },
      },
      { KEY: 'secret-value-1234' },
    );
    expect(modeOf(dataDir)).toBe('700');
    for (const name of ['state.db', 'state.db-wal', 'state.db-shm', 'token'])
      expect(`${name} ${modeOf(path.join(dataDir, name))}`).toBe(`${name} 600`);
  });
});

/** Tries each way a function could act as the admin, and answers what it got: "denied" or the first bytes. */
const probeCode = `
const fs = require('node:fs');
const path = require('node:path');
function attempt(what, run) {
  try { return [what, String(run()).slice(0, 40)]; } catch (error) { return [what, 'denied ' + error.code]; }
}
function probes(env) {
  const data = env.DATA_DIR;
  return Object.fromEntries([
    attempt('token', () => fs.readFileSync(path.join(data, 'token'), 'utf8')),
    attempt('runtime.json', () => fs.readFileSync(path.join(data, 'runtime.json'), 'utf8')),
    attempt('state.db', () => fs.readFileSync(path.join(data, 'state.db')).length),
    attempt('parent environ', () => fs.readFileSync('/proc/' + process.ppid + '/environ', 'utf8')),
    attempt('runtime environ', () => fs.readFileSync('/proc/' + env.RUNTIME_PID + '/environ', 'utf8')),
    attempt('victim code write', () => fs.writeFileSync(env.VICTIM_FILE, 'module.exports = () => "owned";')),
    attempt('signal runtime', () => process.kill(Number(env.RUNTIME_PID), 0)),
    attempt('scratch write', () => fs.writeFileSync(path.join(require('node:os').tmpdir(), 'x'), 'x')),
  ]);
}
`;

describe('isolation between functions', () => {
  test('a function cannot read the token, runtime.json, state.db or the runtime environment, nor write code', async () => {
    const dataDir = tempDir('faasport-iso-');
    process.env.FAASPORT_TEST_SECRET_IN_RUNTIME_ENV = 'runtime-env-secret';
    const runtime = await start(dataDir);
    expect(runtime.isolation.level).toBe('landlock');
    const victim = await ship(
      runtime,
      {
        name: 'victim',
        source: { inline: 'module.exports.handler = () => "victim says hi";' },
        handler: 'index.handler',
        secrets: { KEY: { fromEnv: 'KEY' } },
      },
      { KEY: 'victim-secret-5678' },
    );
    expect(victim.changed).toBe(true);
    const codeDirs = fs.readdirSync(path.join(dataDir, 'code')).filter((n) => /^[a-f0-9]{64}$/.test(n));
    const victimFile = path.join(dataDir, 'code', codeDirs[0]!, 'index.js');
    const env = {
      DATA_DIR: dataDir,
      RUNTIME_PID: String(process.pid),
      VICTIM_FILE: victimFile,
    };
    await ship(runtime, {
      name: 'attacker',
      source: {
        inline: `${probeCode}\nmodule.exports.handler = () => Response.json(probes(process.env));`,
      },
      handler: 'index.handler',
      env,
    });
    await ship(runtime, {
      name: 'pyattacker',
      runtime: 'python3.11',
      handler: 'index.handler',
      source: {
        inline: [
          'import json, os',
          'def attempt(run):',
          '    try:',
          '        return str(run())[:40]',
          '    except OSError as error:',
          "        return 'denied ' + str(error.errno)",
          'def handler(request, context=None):',
          "    data = os.environ['DATA_DIR']",
          "    return json.dumps({'token': attempt(lambda: open(os.path.join(data, 'token')).read()),",
          "        'parent environ': attempt(lambda: open('/proc/%d/environ' % os.getppid()).read())})",
        ].join('\n'),
      },
      env,
    });
    await ship(runtime, {
      name: 'customattacker',
      runtime: 'custom',
      source: {
        inline: `${probeCode}\nrequire('node:http').createServer((q, s) => s.end(JSON.stringify(probes(process.env)))).listen(process.env.PORT);`,
      },
      handler: 'index.handler',
      providers: { local: { command: ['node', 'index.js'] } },
      env,
    });
    for (const name of ['attacker', 'customattacker']) {
      const reply = await request(`${runtime.url}/${name}/`);
      expect(reply.status, reply.body).toBe(200);
      const seen = JSON.parse(reply.body) as Record<string, string>;
      for (const what of [
        'token',
        'runtime.json',
        'state.db',
        'parent environ',
        'runtime environ',
        'victim code write',
        'signal runtime',
      ])
        expect(`${name}: ${what}: ${seen[what]}`).toMatch(
          new RegExp(`^${name}: ${what}: denied E(ACCES|PERM)`),
        );
      expect(seen['scratch write']).toBe('undefined');
    }
    const python = await request(`${runtime.url}/pyattacker/`);
    expect(JSON.parse(python.body)).toEqual({ token: 'denied 13', 'parent environ': 'denied 13' });
    expect((await request(`${runtime.url}/victim/`)).body).toBe('victim says hi');
  });
});

/** Whether a process runs (a zombie waiting for its parent to reap it does not). */
function running(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

async function until(check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('children of instances', () => {
  test('detached, attached and orphaned children of Node and Python instances stop with the instance', async () => {
    const runtime = await start(tempDir('faasport-children-'));
    await ship(runtime, {
      name: 'spawner',
      handler: 'index.handler',
      source: {
        inline: `const { spawn, execFileSync } = require('node:child_process');
module.exports.handler = () => {
  const detached = spawn('sleep', ['300'], { detached: true, stdio: 'ignore' });
  detached.unref();
  const attached = spawn('sleep', ['301'], { stdio: 'ignore' });
  // An orphan: its parent shell exits at once, after starting it in a new session.
  const orphan = execFileSync('sh', ['-c', 'setsid sleep 302 > /dev/null 2>&1 & echo $!'], { encoding: 'utf8' });
  return Response.json([detached.pid, attached.pid, Number(orphan.trim())]);
};`,
      },
    });
    await ship(runtime, {
      name: 'pyspawner',
      runtime: 'python3.11',
      handler: 'index.handler',
      source: {
        inline: [
          'import json, subprocess',
          'def handler(request, context=None):',
          "    detached = subprocess.Popen(['sleep', '303'], start_new_session=True)",
          "    attached = subprocess.Popen(['sleep', '304'])",
          '    return json.dumps([detached.pid, attached.pid])',
        ].join('\n'),
      },
    });
    const pids: number[] = [];
    for (const name of ['spawner', 'pyspawner']) {
      const reply = await request(`${runtime.url}/${name}/`);
      expect(reply.status, reply.body).toBe(200);
      pids.push(...(JSON.parse(reply.body) as number[]));
    }
    expect(pids).toHaveLength(5);
    for (const pid of pids) expect(running(pid)).toBe(true);
    // Removing the functions stops their instances, quietly (the worker is asked to exit).
    const adapter = createLocalAdapter({ url: runtime.url, token: runtime.token });
    await adapter.remove('spawner');
    await adapter.remove('pyspawner');
    await until(() => pids.every((pid) => !running(pid)), 'every child has stopped');
  });
});

describe('stored code', () => {
  test('CommonJS handlers run when the data dir sits under a "type": "module" package.json', async () => {
    // As `faasport dev examples/coffee` lays it out: the project (and its .faasport) under the repo's ESM package.json.
    const repo = tempDir('faasport-esm-repo-');
    fs.writeFileSync(path.join(repo, 'package.json'), '{"type":"module"}');
    const project = path.join(repo, 'examples', 'coffee');
    fs.mkdirSync(path.join(project, 'functions', 'hello'), { recursive: true });
    fs.writeFileSync(
      path.join(project, 'functions', 'hello', 'index.js'),
      'module.exports.handler = () => "hello from CommonJS";\n',
    );
    // Unconfined: a sandboxed instance cannot read the enclosing package.json at all, which would hide
    // a missing boundary; machines without Landlock run this way.
    const runtime = await start(path.join(project, '.faasport'), { sandbox: false });
    await ship(runtime, {
      name: 'cjs',
      handler: 'index.handler',
      source: { dir: path.join(project, 'functions', 'hello') },
    });
    const reply = await request(`${runtime.url}/cjs/`);
    expect(reply.body).toBe('hello from CommonJS');
  });

  test('code changed on disk is not served, survives no restart, and makes a re-deploy upload it again', async () => {
    const dataDir = tempDir('faasport-tamper-');
    let runtime = await start(dataDir);
    const config: FunctionConfig = { name: 'target', source: { inline: 'export default () => "original";' } };
    await ship(runtime, config);
    const [hash] = fs.readdirSync(path.join(dataDir, 'code')).filter((n) => /^[a-f0-9]{64}$/.test(n));
    const file = path.join(dataDir, 'code', hash!, 'index.mjs');
    const tamper = () => {
      fs.chmodSync(path.dirname(file), 0o755);
      fs.chmodSync(file, 0o644);
      fs.writeFileSync(file, 'export default () => "tampered";');
    };
    tamper();
    // The instance the deploy's load check started keeps serving what it loaded; a read of the function
    // through the admin API checks the folder and unpacks it again.
    expect((await request(`${runtime.url}/target/`)).body).toBe('original');
    const read = await fetch(`${runtime.url}/_faasport/v1/functions/target`, {
      headers: { authorization: `Bearer ${runtime.token}` },
    });
    expect(read.status).toBe(200);
    expect(fs.readFileSync(file, 'utf8')).toBe('export default () => "original";');

    // Changed while the runtime is down: still the original after the restart.
    await runtime.close();
    tamper();
    runtime = await start(dataDir);
    expect((await request(`${runtime.url}/target/`)).body).toBe('original');

    // The archive gone too: refused, never served; the deploy is not "unchanged" and restores it.
    await runtime.close();
    tamper();
    fs.rmSync(path.join(dataDir, 'artifacts', `${hash}.zip`));
    runtime = await start(dataDir);
    const refused = await request(`${runtime.url}/target/`);
    expect(refused.status).toBeGreaterThanOrEqual(500);
    expect(refused.body).not.toContain('tampered');
    const again = await ship(runtime, config);
    expect(again.changed).toBe(true);
    expect((await request(`${runtime.url}/target/`)).body).toBe('original');
  });
});
