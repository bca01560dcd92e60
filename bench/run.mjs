#!/usr/bin/env node
// faasport benchmarks, one command: `npm run bench`.
//
// Side by side in one run, every server process pinned to CPU 0 and the load generator (wrk) to CPU 1:
// a bare http.createServer hello, faas-js-runtime 4, @google-cloud/functions-framework 5, and the
// faasport runtime through its gateway with one instance. Then cold starts (with and without the warm
// pool), idle memory with 1,000 functions scaled to zero, broker throughput and CLI start-up (bench/startup.mjs). Figures go to
// bench/results/latest.json and docs/performance.md. Nothing here is asserted: it is measured.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { manyFunctions } from './many-functions.mjs';
import { onEarlyExit, outputClosed, stopAll, stopping, stopTree, track, treePids } from './processes.mjs';
import { fmt, names, renderReport } from './report.mjs';
import { startup } from './startup.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const args = new Set(argv);
const quick = args.has('--quick');
// `--only=cold,broker` (or `--only cold,broker`) runs some sections and prints them without rewriting
// docs/performance.md.
const onlyValue = argv.includes('--only')
  ? argv[argv.indexOf('--only') + 1]
  : argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
const only = onlyValue?.split(',');
const sections = ['throughput', 'cold', 'idle', 'broker', 'startup', 'many'];
const unknown = only?.filter((section) => !sections.includes(section)) ?? [];
if (unknown.length) {
  process.stderr.write(
    `--only: unknown section ${unknown.map((s) => JSON.stringify(s)).join(', ')}; use a comma-separated list of ${sections.join(', ')}\n`,
  );
  process.exit(2);
}
const usage = `Usage: node bench/run.mjs [options]   (npm run bench -- [options])

Measures faasport beside its anchors and writes docs/performance.md and bench/results/latest.json.
Needs wrk for the server sections; servers run pinned to CPU 0, wrk to CPU 1 (taskset).

Options:
  --only <sections>   run some sections (comma-separated) and print them; writes no files.
                      Sections: ${sections.join(', ')}
  --quick             one short round of each (3 s runs, fewer samples)
  --report            rewrite docs/performance.md from bench/results/latest.json, measuring nothing
  -h, --help          print this help

Environment: BENCH_SECONDS (per wrk run, default 8), BENCH_ROUNDS (default 3),
BENCH_THROUGHPUT_ROUNDS (rounds of the 50-connection throughput runs, default 5),
BENCH_STARTUP_ROUNDS (default 21).
`;
if (args.has('--help') || args.has('-h')) {
  process.stdout.write(usage);
  process.exit(0);
}
const knownOptions = new Set(['--quick', '--report', '--only']);
const unknownOption = argv.find(
  (a, i) => !knownOptions.has(a) && !a.startsWith('--only=') && argv[i - 1] !== '--only',
);
if (unknownOption !== undefined) {
  process.stderr.write(`unknown option ${JSON.stringify(unknownOption)}\n\n${usage}`);
  process.exit(2);
}
const runs = (section) => !only || only.includes(section);
const duration = quick ? 3 : Number(process.env.BENCH_SECONDS ?? 8);
const rounds = quick ? 1 : Number(process.env.BENCH_ROUNDS ?? 3);
// The throughput runs get more rounds than the rest: their figures swing most with the machine's other
// load (a shared machine's req/s varied by a third from one round to the next), and a median of five
// rounds moves less with one bad round than a median of three.
const throughputRounds = quick ? 1 : Number(process.env.BENCH_THROUGHPUT_ROUNDS ?? 5);
const connections = 50;
const serverCpu = '0';
const loadCpu = '1';

function log(line) {
  if (!outputClosed()) process.stdout.write(`${line}\n`);
}

function has(command) {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function pinned(cpu, command, commandArgs, options = {}) {
  const useTaskset = has('taskset') && os.cpus().length > 1;
  const child = useTaskset
    ? spawn('taskset', ['-c', cpu, command, ...commandArgs], {
        stdio: ['ignore', 'pipe', 'pipe'],
        ...options,
      })
    : spawn(command, commandArgs, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  track(child);
  let output = '';
  child.stdout.on('data', (c) => (output += c));
  child.stderr.on('data', (c) => (output += c));
  child.output = () => output;
  return child;
}

/** Stops a server and the processes it started (its instances and pooled workers). */
const stop = (child) => stopTree(child);

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const keepAliveAgent = new http.Agent({ keepAlive: true, maxSockets: 64 });

function get(url, options = {}) {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const req = http.request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname + target.search,
        method: options.method ?? 'GET',
        headers: options.headers,
        agent: keepAliveAgent,
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString() }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** The runtime's Prometheus metrics (they need the admin token); throws unless it answers 200. */
async function metricsOf(faasport) {
  const res = await get(`${faasport.url}/metrics`, {
    headers: { authorization: `Bearer ${faasport.token}` },
  });
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}: ${res.body}`);
  return res.body;
}

async function waitUntilServing(url, timeoutMs = 20_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await get(url);
      if (res.status < 500) return res;
    } catch {
      // not yet listening
    }
    if (Date.now() > until) throw new Error(`${url} did not answer within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function parseWrk(text) {
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(text)?.[1] ?? 0);
  const toMs = (value, unit) => Number(value) * ({ us: 0.001, ms: 1, s: 1000 }[unit] ?? 1);
  const pct = (p) => {
    const match = new RegExp(`\\s${p}%\\s+([\\d.]+)(us|ms|s)`).exec(text);
    return match ? toMs(match[1], match[2]) : undefined;
  };
  const errors = /Non-2xx or 3xx responses:\s+(\d+)/.exec(text)?.[1];
  const requests = Number(/(\d+) requests in/.exec(text)?.[1] ?? 0);
  return { rps, p50: pct(50), p90: pct(90), p99: pct(99), non2xx: errors ? Number(errors) : 0, requests };
}

function wrk(url, seconds = duration, headers = {}, conns = connections) {
  const headerArgs = Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}: ${v}`]);
  const wrkArgs = ['-t1', `-c${conns}`, `-d${seconds}s`, '--latency', ...headerArgs, url];
  const out = has('taskset')
    ? execFileSync('taskset', ['-c', loadCpu, 'wrk', ...wrkArgs])
    : execFileSync('wrk', wrkArgs);
  return parseWrk(out.toString());
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};
const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};

/** CPU seconds (user + system) used so far by a process and its descendants. */
function cpuOfTree(pid) {
  let total = 0;
  for (const p of treePids(pid)) {
    try {
      const stat = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      total += (Number(fields[11]) + Number(fields[12])) / 100;
    } catch {
      // gone
    }
  }
  return total;
}

/**
 * The process that runs the server: the launcher's child started with the runtime's V8 flags
 * (packages/runtime/bin/relaunch.mjs), or the launcher itself when it did not relaunch.
 */
function serverPid(launcherPid) {
  const relaunched = (pid) => {
    try {
      return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('relaunched.mjs');
    } catch {
      return false; // gone
    }
  };
  return treePids(launcherPid).find((pid) => pid !== launcherPid && relaunched(pid)) ?? launcherPid;
}

function rssOfTree(pid) {
  // RSS of a process and all its descendants, in MB, from /proc.
  const children = new Map();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(entry));
    } catch {
      // gone
    }
  }
  const rss = (p) => {
    try {
      return Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${p}/status`, 'utf8'))?.[1] ?? 0) / 1024;
    } catch {
      return 0;
    }
  };
  let own = 0;
  let total = 0;
  const walk = (p, depth) => {
    const value = rss(p);
    total += value;
    if (depth === 0) own = value;
    for (const child of children.get(p) ?? []) walk(child, depth + 1);
  };
  walk(pid, 0);
  return { own, total };
}

// ---------------------------------------------------------------------------------------------
// Servers

const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'faasport-bench-'));

// Two workloads: `hello` answers a constant; `greet` reads a query parameter from its request, so
// the cost of building whatever request object a server hands its function shows.
const greetQuery = '?name=bench';

async function startBare(workload = 'hello') {
  const port = await freePort();
  const handler =
    workload === 'greet'
      ? `(q, s) => s.end('hello ' + (new URL(q.url, 'http://localhost').searchParams.get('name') ?? 'world'))`
      : `(q, s) => s.end('hello world')`;
  const child = pinned(serverCpu, process.execPath, [
    '-e',
    `require('http').createServer(${handler}).listen(${port}, '127.0.0.1')`,
  ]);
  await waitUntilServing(`http://127.0.0.1:${port}/`);
  return { child, url: `http://127.0.0.1:${port}/${workload === 'greet' ? greetQuery : ''}` };
}

async function startFaasJs(workload = 'hello') {
  const port = await freePort();
  const dir = path.join(workDir, `faas-js-${workload}`);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'index.js'),
    workload === 'greet'
      ? "module.exports = function handle(context) { return 'hello ' + (context.query?.name ?? 'world'); };\n"
      : "module.exports = function handle(context) { return 'hello world'; };\n",
  );
  const bin = path.join(root, 'node_modules', 'faas-js-runtime', 'bin', 'cli.js');
  const child = pinned(serverCpu, process.execPath, [bin, './index.js', '--port', String(port)], {
    cwd: dir,
    env: { ...process.env, PORT: String(port), LOG_LEVEL: 'error' },
  });
  await waitUntilServing(`http://127.0.0.1:${port}/`);
  return { child, url: `http://127.0.0.1:${port}/${workload === 'greet' ? greetQuery : ''}` };
}

async function startFunctionsFramework() {
  const port = await freePort();
  const dir = path.join(workDir, 'functions-framework');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'index.js'),
    "exports.hello = (req, res) => { res.send('hello world'); };\n",
  );
  fs.writeFileSync(path.join(dir, 'package.json'), '{"name":"bench-ff","main":"index.js"}\n');
  const bin = path.join(
    root,
    'node_modules',
    '@google-cloud',
    'functions-framework',
    'build',
    'src',
    'main.js',
  );
  const child = pinned(
    serverCpu,
    process.execPath,
    [bin, '--target=hello', `--source=${dir}`, `--port=${port}`],
    { cwd: dir, env: { ...process.env, PORT: String(port), NODE_ENV: 'production' } },
  );
  await waitUntilServing(`http://127.0.0.1:${port}/`);
  return { child, url: `http://127.0.0.1:${port}/` };
}

let core;
let runtimeModule;
async function loadFaasport() {
  const runtimeDist = path.join(root, 'packages', 'runtime', 'dist', 'index.js');
  const coreDist = path.join(root, 'packages', 'core', 'dist', 'index.js');
  if (
    !fs.existsSync(runtimeDist) ||
    !fs.existsSync(path.join(root, 'packages', 'runtime', 'dist', 'bin.js')) ||
    !fs.existsSync(coreDist)
  ) {
    log('building @faasport/core and @faasport/runtime ...');
    execFileSync('npm', ['run', 'build', '-w', 'packages/core', '-w', 'packages/runtime'], {
      cwd: root,
      stdio: 'inherit',
    });
  }
  core = await import(coreDist);
  runtimeModule = await import(runtimeDist);
}

async function startFaasport(extraArgs = []) {
  const port = await freePort();
  const dataDir = fs.mkdtempSync(path.join(workDir, 'runtime-'));
  // Started as `faasport-runtime` starts it (npm links bin/faasport-runtime.mjs): the server runs in a child
  // process with the runtime's V8 flags, pinned like its launcher.
  const bin = path.join(root, 'packages', 'runtime', 'bin', 'faasport-runtime.mjs');
  const child = pinned(serverCpu, process.execPath, [
    bin,
    '--data-dir',
    dataDir,
    '--port',
    String(port),
    ...extraArgs,
  ]);
  const url = `http://127.0.0.1:${port}`;
  const until = Date.now() + 20_000;
  while (!child.output().includes('listening on')) {
    if (Date.now() > until || child.exitCode !== null)
      throw new Error(`faasport runtime did not start: ${child.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const adapter = runtimeModule.createLocalAdapter({ dataDir });
  return { child, url, dataDir, adapter, token: fs.readFileSync(path.join(dataDir, 'token'), 'utf8').trim() };
}

/**
 * The default path: `faasport dev examples/hello`, unchanged (default scaling: concurrency 1, no `max`;
 * the sandbox on), as a user starts it; only the port and the data dir are the benchmark's.
 */
async function startDev() {
  const dataDir = fs.mkdtempSync(path.join(workDir, 'dev-'));
  // `npx faasport` runs bin/faasport.mjs, which starts `dev` in a child process with the runtime's V8 flags.
  const bin = path.join(root, 'packages', 'cli', 'bin', 'faasport.mjs');
  const child = pinned(
    serverCpu,
    process.execPath,
    [bin, 'dev', 'examples/hello', '--port', '0', '--json', '--data-dir', dataDir],
    { cwd: root },
  );
  const until = Date.now() + 60_000;
  while (!child.output().includes('"deployed"')) {
    if (Date.now() > until || child.exitCode !== null)
      throw new Error(`faasport dev did not start: ${child.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const url = /"url":"([^"]+)"/.exec(child.output())[1];
  await waitUntilServing(`${url}/hello/${greetQuery}`);
  return { child, url: `${url}/hello/${greetQuery}` };
}

const helloSource = "export default () => 'hello world';\n";
const greetSource =
  "export default (request) => 'hello ' + (new URL(request.url).searchParams.get('name') ?? 'world');\n";

// ---------------------------------------------------------------------------------------------
// Benchmarks

/** The default path's row: examples/hello reads its request (and logs a line), so it sits with those rows. */
const devName = names.dev;

/** One-connection latency per contender, filled by {@link throughput}. */
const latency = {};

async function throughput() {
  log(
    `\n== warm throughput: ${connections} connections, ${duration}s x ${throughputRounds} rounds, servers on CPU ${serverCpu}, wrk on CPU ${loadCpu}`,
  );
  const faasport = await startFaasport(['--warm-pool', '0']);
  for (const [name, inline] of [
    ['hello', helloSource],
    ['greet', greetSource],
  ]) {
    await core.deploy(
      faasport.adapter,
      core.defineFunction({ name, source: { inline }, scaling: { min: 1, max: 1, concurrency: 1000 } }),
    );
  }
  await waitUntilServing(`${faasport.url}/hello/`);
  await waitUntilServing(`${faasport.url}/greet/${greetQuery}`);
  const dev = await startDev();
  // Bare Node serving the same answer is the added-latency baseline: the handler called directly, with no
  // gateway, pipe or second process in between.
  const contenders = [
    { name: 'bare http.createServer', start: startBare },
    { name: 'faas-js-runtime 4', start: startFaasJs },
    { name: 'functions-framework 5', start: startFunctionsFramework },
    {
      name: 'faasport runtime (gateway, 1 instance)',
      start: async () => ({ child: undefined, pid: faasport.child.pid, url: `${faasport.url}/hello/` }),
    },
    { name: 'bare http.createServer, reads the request', start: () => startBare('greet') },
    { name: 'faas-js-runtime 4, reads the request', start: () => startFaasJs('greet') },
    {
      name: 'faasport runtime, reads the request',
      start: async () => ({
        child: undefined,
        pid: faasport.child.pid,
        url: `${faasport.url}/greet/${greetQuery}`,
      }),
    },
    {
      name: devName,
      start: async () => ({ child: undefined, pid: dev.child.pid, url: dev.url }),
    },
  ];
  const results = Object.fromEntries(contenders.map((c) => [c.name, []]));
  for (let round = 0; round < throughputRounds; round++) {
    for (const contender of contenders) {
      const server = await contender.start();
      wrk(server.url, 1); // warm-up
      // CPU time of the server (and its instance processes) per request: a figure a busy machine skews
      // less than requests per second.
      const pid = server.pid ?? server.child.pid;
      const cpuBefore = cpuOfTree(pid);
      const result = wrk(server.url);
      result.cpuUs = ((cpuOfTree(pid) - cpuBefore) * 1e6) / Math.max(1, result.requests);
      results[contender.name].push(result);
      log(
        `  round ${round + 1} ${contender.name.padEnd(42)} ${result.rps.toFixed(0).padStart(7)} req/s  p50 ${result.p50?.toFixed(2)} ms  p99 ${result.p99?.toFixed(2)} ms  CPU ${result.cpuUs.toFixed(0)} µs/req${result.non2xx ? `  non-2xx ${result.non2xx}` : ''}`,
      );
      if (server.child) await stop(server.child);
    }
  }
  // Latency without queueing: one connection, one request at a time, so the figure is the cost of
  // the path (faasport's: the gateway, the pipe and the instance process) rather than of waiting.
  log('\n== latency, one connection');
  const latencyContenders = contenders.filter(
    (c) => !c.name.endsWith(', reads the request') && !c.name.includes('framework') && c.name !== devName,
  );
  const latencySamples = Object.fromEntries(latencyContenders.map((c) => [c.name, []]));
  // Rounds alternate the contenders, so a stretch of machine noise does not land on one of them only.
  for (let round = 0; round < rounds; round++) {
    for (const contender of latencyContenders) {
      const server = await contender.start();
      wrk(server.url, 1, {}, 1);
      const result = wrk(server.url, quick ? 2 : 5, {}, 1);
      latencySamples[contender.name].push(result);
      log(
        `  round ${round + 1} ${contender.name.padEnd(42)} p50 ${result.p50?.toFixed(3)} ms  p90 ${result.p90?.toFixed(3)} ms  p99 ${result.p99?.toFixed(3)} ms`,
      );
      if (server.child) await stop(server.child);
    }
  }
  for (const [name, samples] of Object.entries(latencySamples)) {
    latency[name] = Object.fromEntries(
      ['p50', 'p90', 'p99', 'rps'].map((key) => [key, median(samples.map((sample) => sample[key]))]),
    );
  }
  await stop(faasport.child);
  await stop(dev.child);
  const summary = {};
  for (const [name, list] of Object.entries(results)) {
    summary[name] = {
      rps: median(list.map((r) => r.rps)),
      p50: median(list.map((r) => r.p50)),
      p99: median(list.map((r) => r.p99)),
      rounds: list.map((r) => Math.round(r.rps)),
      cpuUs: median(list.map((r) => r.cpuUs)),
    };
  }
  return summary;
}

/** One value of the runtime's metrics: the sum of the series of `name` whose labels include `labels`. */
async function metricValue(faasport, name, labels = '') {
  let total = 0;
  for (const line of (await metricsOf(faasport)).split('\n'))
    if (line.startsWith(`${name}{`) && line.includes(labels)) total += Number(line.split(' ').pop());
  return total;
}

/** Polls until `check` (which reads the runtime's metrics) holds: a state to wait for, not a fixed sleep. */
async function until(what, check, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * Cold starts: scale from zero to the first byte, one function at a time. Each function stops its
 * instance as soon as it is idle (`idle: 0s`; a deploy starts one instance to check the code), so every
 * measured call starts one. Before each, the benchmark waits until no instance runs and, with the pool,
 * until the pool holds its pre-started worker again (`faasport_warm_pool_workers`), as a steady
 * trickle of cold starts would find it.
 */
async function coldStarts(pool, count) {
  const faasport = await startFaasport(['--warm-pool', String(pool)]);
  const names = Array.from({ length: count }, (_, i) => `cold${i}`);
  for (const name of names) {
    await core.deploy(
      faasport.adapter,
      core.defineFunction({ name, source: { inline: helloSource }, scaling: { max: 1, idle: '0s' } }),
    );
  }
  const pooledBefore = await metricValue(faasport, 'faasport_cold_starts_total', 'pooled="true"');
  const times = [];
  for (const name of names) {
    await until(
      'every instance to stop',
      async () => (await metricValue(faasport, 'faasport_instances')) === 0,
    );
    if (pool > 0)
      await until(
        'the warm pool to refill',
        async () => (await metricValue(faasport, 'faasport_warm_pool_workers')) >= pool,
      );
    const begin = process.hrtime.bigint();
    const res = await get(`${faasport.url}/${name}/`);
    const ms = Number(process.hrtime.bigint() - begin) / 1e6;
    if (res.status !== 200) throw new Error(`cold start of ${name} answered ${res.status}: ${res.body}`);
    times.push(ms);
  }
  const starts = (await metricValue(faasport, 'faasport_cold_starts_total')) - count;
  const pooled = (await metricValue(faasport, 'faasport_cold_starts_total', 'pooled="true"')) - pooledBefore;
  await stop(faasport.child);
  return { p50: percentile(times, 50), p99: percentile(times, 99), samples: times.length, starts, pooled };
}

async function idleMemory(count) {
  const faasport = await startFaasport();
  await new Promise((r) => setTimeout(r, 1000));
  const server = serverPid(faasport.child.pid);
  const before = rssOfTree(server);
  const begin = Date.now();
  for (let i = 0; i < count; i++) {
    await core.deploy(
      faasport.adapter,
      core.defineFunction({
        name: `idle${i}`,
        source: { inline: `export default () => 'idle ${i}';\n` },
        scaling: { min: 0 },
      }),
    );
  }
  const deploySeconds = (Date.now() - begin) / 1000;
  await new Promise((r) => setTimeout(r, 2000));
  const list = await faasport.adapter.list({
    emit() {},
    logger: { debug() {}, info() {}, warn() {} },
    signal: new AbortController().signal,
  });
  const after = rssOfTree(server);
  // What the deploy left running below the runtime: the instances that checked the code and are kept
  // (the last few revisions), and the pooled worker.
  const processesAfter = treePids(server).length - 1;
  // The launcher that started the server with its V8 flags waits beside it: its own RSS.
  const launcherRss = server === faasport.child.pid ? 0 : rssOfTree(faasport.child.pid).own;
  // Re-deploying unchanged functions writes nothing.
  let unchangedWrites = 0;
  for (let i = 0; i < Math.min(200, count); i++) {
    const result = await core.deploy(
      faasport.adapter,
      core.defineFunction({
        name: `idle${i}`,
        source: { inline: `export default () => 'idle ${i}';\n` },
        scaling: { min: 0 },
      }),
    );
    if (result.changed) unchangedWrites++;
  }
  await stop(faasport.child);
  return {
    functions: list.length,
    deploySeconds,
    before,
    after,
    processesAfter,
    launcherRss,
    unchangedRedeploysThatWrote: unchangedWrites,
  };
}

/**
 * Publishes `events` CloudEvents to one event function from 16 concurrent publishers, one event per
 * request (binary mode) or `batch` per request (batched content mode, one commit per batch), and
 * measures acknowledgement and end-to-end delivery. With `queue`, the same through a local topic: messages
 * published to `POST /topics/bench` (one per request) or `/topics/bench/messages` (`batch` per request)
 * and delivered to a queue-triggered function.
 */
/**
 * Events per broker run. A run lasts a few seconds, so the figure is a sustained rate: a run of
 * one second (10,000 batched events) measured mostly the runtime compiling its delivery path.
 */
const brokerSingleEvents = 8000;
const brokerBatchedEvents = 40_000;

async function broker(events, batch = 1, queue = false) {
  const faasport = await startFaasport(['--retry-backoff-ms', '50']);
  await core.deploy(
    faasport.adapter,
    core.defineFunction({
      name: 'sink',
      contract: 'event',
      source: { inline: 'export default async (event) => ({ ok: event.id });\n' },
      triggers: [queue ? { queue: { topic: 'bench' } } : { event: { filter: { type: 'bench.event' } } }],
      scaling: { max: 4, concurrency: 16 },
    }),
  );
  const publishMessage = (i) =>
    get(`${faasport.url}/_faasport/v1/topics/bench`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${faasport.token}`,
        'content-type': 'application/json',
        'x-faasport-message-id': `m${i}`,
      },
      body: '{"n":1}',
    });
  const publishMessages = (from, count) =>
    get(`${faasport.url}/_faasport/v1/topics/bench/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${faasport.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        messages: Array.from({ length: count }, (_, k) => ({
          id: `m${from + k}`,
          body: '{"n":1}',
          contentType: 'application/json',
        })),
      }),
    });
  const publishEvent = (i) =>
    get(`${faasport.url}/_faasport/v1/events`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${faasport.token}`,
        'ce-id': `e${i}`,
        'ce-source': '/bench',
        'ce-type': 'bench.event',
        'ce-specversion': '1.0',
        'content-type': 'application/json',
      },
      body: '{"n":1}',
    });
  const publish = queue ? publishMessage : publishEvent;
  await publish(-1);
  const delivered = async () => {
    const text = await metricsOf(faasport);
    return Number(/faasport_events_delivered_total\{function="sink"\} (\d+)/.exec(text)?.[1] ?? 0);
  };
  while ((await delivered()) < 1) await new Promise((r) => setTimeout(r, 20));
  const begin = Date.now();
  let next = 0;
  // https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/bindings/http-protocol-binding.md#33-batched-content-mode
  const publishEvents = (from, count) =>
    get(`${faasport.url}/_faasport/v1/events`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${faasport.token}`,
        'content-type': 'application/cloudevents-batch+json',
      },
      body: JSON.stringify(
        Array.from({ length: count }, (_, k) => ({
          specversion: '1.0',
          id: `e${from + k}`,
          source: '/bench',
          type: 'bench.event',
          datacontenttype: 'application/json',
          data: { n: 1 },
        })),
      ),
    });
  const publisher = async () => {
    while (next < events) {
      const i = next;
      const count = Math.min(batch, events - i);
      next += count;
      const res = batch === 1 ? await publish(i) : await (queue ? publishMessages : publishEvents)(i, count);
      if (res.status !== 202) throw new Error(`publish answered ${res.status}`);
    }
  };
  const cpuBefore = cpuOfTree(faasport.child.pid);
  await Promise.all(Array.from({ length: 16 }, publisher));
  const acked = Date.now();
  // Every 50 ms: each look at /metrics costs the runtime a count of the pending queue.
  while ((await delivered()) < events + 1) await new Promise((r) => setTimeout(r, 50));
  const done = Date.now();
  const cpuMsPerEvent = ((cpuOfTree(faasport.child.pid) - cpuBefore) * 1000) / events;
  await stop(faasport.child);
  return {
    events,
    publishPerSecond: events / ((acked - begin) / 1000),
    deliveredPerSecond: events / ((done - begin) / 1000),
    cpuMsPerEvent,
  };
}

// ---------------------------------------------------------------------------------------------

/** Writes docs/performance.md from one run's results. */
function writeReport(results) {
  fs.mkdirSync(path.join(root, 'docs'), { recursive: true });
  fs.writeFileSync(path.join(root, 'docs', 'performance.md'), renderReport(results));
}

/**
 * Runs one section if it was asked for. A section that fails is recorded in `results.failed` and the run goes on,
 * so the page shows the others and "not measured" for it.
 */
async function measure(results, section, run) {
  if (!runs(section)) return;
  try {
    await run();
  } catch (error) {
    if (stopping()) throw error;
    log(`  ${section} failed: ${error.message ?? error}`);
    results.failed = { ...results.failed, [section]: String(error.message ?? error).split('\n')[0] };
  }
}

async function main() {
  if (args.has('--report')) {
    // Rewrites docs/performance.md from the last full run, without measuring again.
    writeReport(JSON.parse(fs.readFileSync(path.join(root, 'bench', 'results', 'latest.json'), 'utf8')));
    log('wrote docs/performance.md from bench/results/latest.json');
    return;
  }
  // The start-up section runs the CLI only: it needs neither wrk nor the runtime loaded here.
  const serverSections = sections.filter(
    (section) => !['startup', 'many'].includes(section) && runs(section),
  );
  if (serverSections.length && !has('wrk')) {
    log('wrk is not installed: install it (e.g. `apt-get install -y wrk`) and run again.');
    process.exit(1);
  }
  if (serverSections.length) await loadFaasport();
  const results = {
    machine: {
      loadStart: os.loadavg()[0].toFixed(1),
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      node: process.version,
      date: new Date().toISOString(),
    },
    settings: { rounds, throughputRounds, duration, connections, serverCpu, loadCpu },
  };
  await measure(results, 'throughput', async () => {
    results.throughput = await throughput();
    results.latency = latency;
  });
  await measure(results, 'cold', async () => {
    log('\n== cold start (scale from zero to first byte)');
    const coldCount = quick ? 10 : 40;
    results.cold = { pool: await coldStarts(1, coldCount), noPool: await coldStarts(0, coldCount) };
    const { pool, noPool } = results.cold;
    log(
      `  with pool    p50 ${fmt(pool.p50, 1)} ms  p99 ${fmt(pool.p99, 1)} ms  (${pool.pooled} of ${pool.samples} from the pool)`,
    );
    log(`  without pool p50 ${fmt(noPool.p50, 1)} ms  p99 ${fmt(noPool.p99, 1)} ms`);
  });
  await measure(results, 'idle', async () => {
    log('\n== idle cost');
    results.idle = await idleMemory(quick ? 100 : 1000);
    const { idle } = results;
    log(
      `  ${idle.functions} functions deployed in ${fmt(idle.deploySeconds, 1)} s, at zero: runtime RSS ${fmt(idle.after.own)} MB (with the ${idle.processesAfter} processes below it ${fmt(idle.after.total)} MB)`,
    );
  });
  await measure(results, 'broker', async () => {
    log('\n== broker');
    // The publishers, the runtime and its instances share both CPUs here, so one run swings with whatever
    // else the machine does: report the median run of several.
    const brokerRuns = [];
    for (let round = 0; round < rounds; round++) {
      const run = await broker(quick ? 500 : brokerSingleEvents);
      brokerRuns.push(run);
      log(
        `  round ${round + 1} publish ${fmt(run.publishPerSecond)} events/s, delivered ${fmt(run.deliveredPerSecond)} events/s, ${fmt(run.cpuMsPerEvent, 2)} CPU ms per event`,
      );
    }
    const byDelivery = [...brokerRuns].sort((a, b) => a.deliveredPerSecond - b.deliveredPerSecond);
    results.broker = {
      ...byDelivery[Math.floor(byDelivery.length / 2)],
      deliveredPerRound: brokerRuns.map((run) => Math.round(run.deliveredPerSecond)),
    };
    // The same events, 100 to a request (batched content mode): the HTTP cost of a publish shared.
    const batchedRuns = [];
    for (let round = 0; round < rounds; round++) {
      const run = await broker(quick ? 1000 : brokerBatchedEvents, 100);
      batchedRuns.push(run);
      log(
        `  batched round ${round + 1} publish ${fmt(run.publishPerSecond)} events/s, delivered ${fmt(run.deliveredPerSecond)} events/s, ${fmt(run.cpuMsPerEvent, 2)} CPU ms per event`,
      );
    }
    const batchedByDelivery = [...batchedRuns].sort((a, b) => a.deliveredPerSecond - b.deliveredPerSecond);
    results.broker.batched = {
      ...batchedByDelivery[Math.floor(batchedByDelivery.length / 2)],
      batch: 100,
      deliveredPerRound: batchedRuns.map((run) => Math.round(run.deliveredPerSecond)),
    };
    // Queue messages: the same through a local topic and a queue trigger, one to a request and 100 to a request.
    const median = (runs) =>
      [...runs].sort((a, b) => a.deliveredPerSecond - b.deliveredPerSecond)[Math.floor(runs.length / 2)];
    const queueRuns = { single: [], batched: [] };
    for (let round = 0; round < rounds; round++) {
      for (const mode of ['single', 'batched']) {
        const run =
          mode === 'single'
            ? await broker(quick ? 500 : brokerSingleEvents, 1, true)
            : await broker(quick ? 1000 : brokerBatchedEvents, 100, true);
        queueRuns[mode].push(run);
        log(
          `  queue ${mode} round ${round + 1} publish ${fmt(run.publishPerSecond)} messages/s, delivered ${fmt(run.deliveredPerSecond)} messages/s, ${fmt(run.cpuMsPerEvent, 2)} CPU ms per message`,
        );
      }
    }
    results.broker.queue = {
      ...median(queueRuns.batched),
      batch: 100,
      deliveredPerRound: queueRuns.batched.map((run) => Math.round(run.deliveredPerSecond)),
      single: {
        ...median(queueRuns.single),
        deliveredPerRound: queueRuns.single.map((run) => Math.round(run.deliveredPerSecond)),
      },
    };
  });
  await measure(results, 'startup', async () => {
    log('\n== CLI start-up (medians of interleaved runs)');
    const startupRounds = quick ? 5 : Number(process.env.BENCH_STARTUP_ROUNDS ?? 21);
    results.startup = await startup({ root, rounds: startupRounds, log });
  });
  await measure(results, 'many', async () => {
    log(`\n== many functions: deploy against the FunctionGraph emulator, 50 ms per call`);
    results.many = await manyFunctions({ root, rounds: quick ? 1 : rounds, log });
  });
  if (only) return;
  results.machine.loadEnd = os.loadavg()[0].toFixed(1);
  fs.mkdirSync(path.join(root, 'bench', 'results'), { recursive: true });
  fs.writeFileSync(
    path.join(root, 'bench', 'results', 'latest.json'),
    `${JSON.stringify(results, null, 2)}\n`,
  );
  writeReport(results);
  log('\nwrote docs/performance.md and bench/results/latest.json');
}

/** Stops every server and worker the benchmark started and removes its temporary files. */
async function cleanUp(graceMs) {
  await stopAll(graceMs);
  fs.rmSync(workDir, { recursive: true, force: true });
}

// Ctrl-C, SIGTERM, a closed stdout (`| head`) or an uncaught error: stop what was started, then exit.
onEarlyExit(() => cleanUp(2000));

main()
  .catch((error) => {
    // After Ctrl-C the servers are gone mid-measurement: that failure is no news.
    if (stopping()) return;
    log(`bench failed: ${error.stack ?? error}`);
    process.exitCode = 1;
  })
  .finally(() => cleanUp());
