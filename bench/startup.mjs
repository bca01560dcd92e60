// CLI start-up: how long `faasport` takes from exec to exit, beside a bare `node -e 0` measured in the
// same rounds. Each round runs every case once, in turn, so a stretch of machine noise lands on all of
// them; the figures are medians. Used by bench/run.mjs (`npm run bench -- --only startup`).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { track } from './processes.mjs';

/** Wall-clock milliseconds of one run of `node args` in `cwd`; throws when it fails. */
function timeRun(args, cwd) {
  const begin = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - begin) / 1e6;
  if (result.status !== 0)
    throw new Error(`node ${args.join(' ')} exited with ${result.status}: ${result.stderr}`);
  return ms;
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
    for (const c of cases) timeRun(c.args, c.cwd); // warm the file cache
    for (let round = 0; round < rounds; round++)
      cases.forEach((c, i) => {
        samples[i].push(timeRun(c.args, c.cwd));
      });
  } finally {
    const exited = new Promise((resolve) => runtime.once('exit', resolve));
    runtime.kill('SIGTERM');
    await exited;
    fs.rmSync(project, { recursive: true, force: true });
  }
  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const anchor = median(samples[0]);
  const results = cases.map((c, i) => ({
    name: c.name,
    ms: median(samples[i]),
    ratio: median(samples[i]) / anchor,
  }));
  for (const r of results)
    log(`  ${r.name.padEnd(60)} ${r.ms.toFixed(0).padStart(6)} ms  ${r.ratio.toFixed(2)}× node -e 0`);
  return { rounds, results };
}

/** The "CLI start-up" section of docs/performance.md. */
export function startupSection(measured, machine) {
  const targets = { 'faasport --help': 2 };
  const target = (name) => targets[name] ?? (name.startsWith('faasport ') ? 3 : undefined);
  const rows = measured.results
    .map((r) => {
      const limit = target(r.name);
      return `| ${r.name} | ${r.ms.toFixed(0)} | ${r.ratio.toFixed(2)}× | ${limit ? `≤ ${limit}× (${r.ratio <= limit ? 'met' : 'not met'})` : 'anchor'} |`;
    })
    .join('\n');
  return `
## CLI start-up

From exec to exit, medians of ${measured.rounds} interleaved rounds (each round runs every command once, in turn),
on ${machine.cpus}× ${machine.cpuModel}, Node ${machine.node}, ${machine.date}; load average ${machine.loadStart} at the start.
A bare \`node -e 0\` from the same rounds is the anchor: on a loaded machine every figure grows, the ratios much less.

| command | ms | vs \`node -e 0\` | target |
| --- | ---: | ---: | --- |
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
`;
}
