// CLI start-up: how long `faasport` takes from exec to exit, beside a bare `node -e 0` measured in the
// same rounds. Each round runs every case once, in turn, so a stretch of machine noise lands on all of
// them; the figures are medians. Used by bench/run.mjs (`npm run bench -- --only startup`).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { track } from './processes.mjs';

/**
 * A preload that writes the process's CPU time (user + system, every thread, from process start) to
 * stderr at exit: on a busy machine wall time mostly measures the other processes, CPU time much less.
 * Every case, the anchor too, loads it, so it adds the same small cost to each.
 */
const cpuMarker = 'FAASPORT_BENCH_CPU_US';
const cpuReporter = `process.on('exit', () => { const u = process.cpuUsage(); require('node:fs').writeSync(2, '\\n${cpuMarker} ' + (u.user + u.system) + '\\n'); });\n`;

/** Wall-clock and CPU milliseconds of one run of `node args` in `cwd`; throws when it fails. */
function timeRun(args, cwd, reporter) {
  const begin = process.hrtime.bigint();
  const result = spawnSync(process.execPath, ['--require', reporter, ...args], {
    cwd,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const ms = Number(process.hrtime.bigint() - begin) / 1e6;
  if (result.status !== 0)
    throw new Error(`node ${args.join(' ')} exited with ${result.status}: ${result.stderr}`);
  const cpu = new RegExp(`${cpuMarker} (\\d+)`).exec(String(result.stderr));
  if (!cpu) throw new Error(`node ${args.join(' ')} reported no CPU time: ${result.stderr}`);
  return { ms, cpuMs: Number(cpu[1]) / 1000 };
}

/** Starts `faasport serve` in `dir` on a free port and resolves once it is ready (its JSON ready line). */
function serve(bin, dir) {
  const child = track(
    spawn(process.execPath, [bin, 'serve', '--port', '0', '--json'], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk) => {
      output += chunk;
      if (output.includes('"type":"ready"')) {
        child.stdout.off('data', onData);
        resolve(child);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk) => (output += chunk));
    child.once('exit', (code) => reject(new Error(`faasport serve exited with ${code}: ${output}`)));
  });
}

/**
 * Measures start-up: `node -e 0` (the anchor), `faasport --help`, an offline `faasport render --target
 * knative` of examples/coffee, and `faasport plan --target local` of examples/hello against a running
 * `faasport serve`. Returns medians in ms and each as a ratio to `node -e 0`.
 */
export async function startup({ root, rounds, log }) {
  const bin = path.join(root, 'packages', 'cli', 'bin', 'faasport.mjs');
  if (!fs.existsSync(path.join(root, 'packages', 'cli', 'dist', 'bin.js')))
    throw new Error('the CLI is not built: run `npm run build` first');
  // plan reads the live state from a runtime: one started in a copy of examples/hello, so the
  // repository's example gets no .faasport folder.
  const project = fs.mkdtempSync(path.join(os.tmpdir(), 'faasport-bench-startup-'));
  fs.cpSync(path.join(root, 'examples', 'hello'), project, {
    recursive: true,
    filter: (source) => !source.includes(`${path.sep}.faasport`),
  });
  const reporter = path.join(project, '.bench-cpu.cjs');
  fs.writeFileSync(reporter, cpuReporter);
  const runtime = await serve(bin, project);
  const cases = [
    { name: 'node -e 0', args: ['-e', '0'], cwd: root },
    { name: 'faasport --help', args: [bin, '--help'], cwd: root },
    {
      // coffee-fc3 (an FC 3.0 native handler) has no Knative form: the two functions that do.
      name: 'faasport render --target knative (examples/coffee, offline)',
      args: [bin, 'render', '--target', 'knative', '--function', 'coffee,coffee-web'],
      cwd: path.join(root, 'examples', 'coffee'),
    },
    {
      name: 'faasport plan --target local (examples/hello)',
      args: [bin, 'plan', '--target', 'local'],
      cwd: project,
    },
  ];
  const samples = cases.map(() => []);
  try {
    for (const c of cases) timeRun(c.args, c.cwd, reporter); // warm the file cache
    for (let round = 0; round < rounds; round++)
      cases.forEach((c, i) => {
        samples[i].push(timeRun(c.args, c.cwd, reporter));
      });
  } finally {
    const exited = new Promise((resolve) => runtime.once('exit', resolve));
    runtime.kill('SIGTERM');
    await exited;
    fs.rmSync(project, { recursive: true, force: true });
  }
  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const wall = samples.map((runs) => median(runs.map((r) => r.ms)));
  const cpu = samples.map((runs) => median(runs.map((r) => r.cpuMs)));
  const results = cases.map((c, i) => ({
    name: c.name,
    ms: wall[i],
    ratio: wall[i] / wall[0],
    cpuMs: cpu[i],
    cpuRatio: cpu[i] / cpu[0],
  }));
  for (const r of results)
    log(
      `  ${r.name.padEnd(60)} ${r.ms.toFixed(0).padStart(6)} ms  ${r.ratio.toFixed(2)}× node -e 0  (CPU ${r.cpuMs.toFixed(0)} ms, ${r.cpuRatio.toFixed(2)}×)`,
    );
  return { rounds, results };
}

/** The "CLI start-up" section of docs/performance.md. */
export function startupSection(measured, machine) {
  const targets = { 'faasport --help': 2 };
  const target = (name) => targets[name] ?? (name.startsWith('faasport ') ? 3 : undefined);
  const rows = measured.results
    .map((r) => {
      const limit = target(r.name);
      // Results from before CPU time was recorded render without it.
      const cpu = r.cpuMs === undefined ? '— | —' : `${r.cpuMs.toFixed(0)} | ${r.cpuRatio.toFixed(2)}×`;
      return `| ${r.name} | ${r.ms.toFixed(0)} | ${r.ratio.toFixed(2)}× | ${cpu} | ${limit ? `≤ ${limit}× (${r.ratio <= limit ? 'met' : 'not met'})` : 'anchor'} |`;
    })
    .join('\n');
  return `
## CLI start-up

From exec to exit, medians of ${measured.rounds} interleaved rounds (each round runs every command once, in turn),
on ${machine.cpus}× ${machine.cpuModel}, Node ${machine.node}, ${machine.date}; load average ${machine.loadStart} at the start.
A bare \`node -e 0\` from the same rounds is the anchor: on a loaded machine every figure grows, the ratios much less.

| command | ms | vs \`node -e 0\` | CPU ms | CPU vs \`node -e 0\` | target (on ms) |
| --- | ---: | ---: | ---: | ---: | --- |
${rows}

Start-up is mostly module loading and compiling, so the CLI loads only what a command needs: \`--help\` reads the command
list from a catalog and loads no command, no core and no zod; a command loads its own module only; adapters, the
Kubernetes client, cloud SDKs, the emulators and chokidar load when a command uses them. Fewer files help as much as fewer
modules: core's build carries zod (English messages only) and yaml as modules of its own bundle (the other packages take
\`z\` and \`stringifyYaml\` from core) instead of zod's ~100 files and yaml's ~75; cron-parser (with luxon) and fflate load
when a schedule is computed or an archive built; citty is bundled into the CLI without consola; a \`local\` target loads
\`@faasport/runtime/adapter\` (an HTTP client) without the server, SQLite or the executor, and its JSON round trips use
\`node:http\`, not \`fetch\` (undici and its WebAssembly parser cost more than the rest of \`plan\`). On Node 22.1+ the
CLI turns on Node's module compile cache.

Work a command does not need is left out too: an archive's hash comes from its files, and the zip itself is built on first
read, so \`plan\` (which compares hashes) builds none and loads no compressor; the Knative adapter and the runtime client load
\`node:http\` / \`node:https\` (with TLS) when they first send, so an offline render loads neither and a plan against a
runtime on plain http no TLS; core takes fflate's build without worker threads (the same synchronous code and bytes); and a
project is validated without zod's compiled fast path (a \`new Function\` per object schema, which a one-time parse never
earns back). What remains is mostly core itself: compiling zod and yaml and building the project schema (about 400 zod
schemas) before the file can be validated. Tried and left out, measured in CPU time and instruction counts: V8 flags
(\`--no-opt\`, \`--no-sparkplug\`, \`--max-lazy\`, a larger young generation) all cost more; a V8 code cache (Node 20 has no
\`module.enableCompileCache\`, so only a CommonJS bundle run through \`vm.Script\` with \`cachedData\` could use one) saved about
a quarter of core's load but under 5% of a whole \`render\`: one bundle has to hold every adapter (a CommonJS core beside
the adapters' ES modules would be a second copy of core), and reading and checking that costs most of what the cache saves.
`;
}
