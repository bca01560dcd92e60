// Many functions, many round trips: `faasport deploy` of a 30-function project against the FunctionGraph
// emulator with 50 ms added to every API call (`faasport emulate functiongraph --latency 50`), beside a
// 1-function project and the 30 functions one at a time (`--concurrency 1`), in interleaved rounds.
// Each deploy creates new functions (names carry the round), so every one makes its full set of calls.
// Used by bench/run.mjs (`npm run bench -- --only many`).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { track } from './processes.mjs';

const latencyMs = 50;

/** Starts `faasport emulate functiongraph --latency 50 --json` and resolves with its JSON line and process. */
function emulate(bin) {
  const child = track(
    spawn(process.execPath, [bin, 'emulate', 'functiongraph', '--latency', String(latencyMs), '--json'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk) => {
      output += chunk;
      const line = output.split('\n').find((l) => l.startsWith('{'));
      if (line && output.includes('\n')) {
        child.stdout.off('data', onData);
        resolve({ child, info: JSON.parse(line) });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk) => (output += chunk));
    child.once('exit', (code) => reject(new Error(`faasport emulate exited with ${code}: ${output}`)));
  });
}

/** Runs `faasport deploy` in `dir` and resolves with its wall-clock ms; rejects when it fails. */
function deploy(bin, dir, env, extra) {
  const begin = process.hrtime.bigint();
  const child = track(
    spawn(process.execPath, [bin, 'deploy', '--target', 'hw', '--yes', '--json', ...extra], {
      cwd: dir,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => {
      const ms = Number(process.hrtime.bigint() - begin) / 1e6;
      if (code === 0) resolve(ms);
      else reject(new Error(`faasport deploy in ${dir} exited with ${code}: ${output.slice(0, 2000)}`));
    });
  });
}

/** Writes a project of `count` inline functions named `<prefix>-<i>` aimed at the emulator. */
function writeProject(dir, target, prefix, count) {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const functions = Array.from(
    { length: count },
    (_, i) =>
      `  - name: ${prefix}-${i}\n    source: { inline: "export default () => new Response('hello ${i}')" }`,
  ).join('\n');
  const targetYaml = Object.entries(target)
    .map(([key, value]) => `${key}: ${JSON.stringify(value)}`)
    .join(', ');
  fs.writeFileSync(
    path.join(dir, 'faasport.yaml'),
    `name: many\ntargets:\n  hw: { ${targetYaml} }\nfunctions:\n${functions}\n`,
  );
}

/**
 * Measures deploy time of 1 function, 30 functions (default concurrency, 8) and 30 functions one at a
 * time, each against the emulator with 50 ms per call. Returns medians in ms.
 */
export async function manyFunctions({ root, rounds, log }) {
  const bin = path.join(root, 'packages', 'cli', 'bin', 'faasport.mjs');
  if (!fs.existsSync(path.join(root, 'packages', 'cli', 'dist', 'bin.js')))
    throw new Error('the CLI is not built: run `npm run build` first');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'faasport-bench-many-'));
  const { child, info } = await emulate(bin);
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, ...info.env };
  const cases = [
    { name: '1 function', count: 1, extra: [] },
    { name: '30 functions', count: 30, extra: [] },
    { name: '30 functions, --concurrency 1', count: 30, extra: ['--concurrency', '1'] },
  ];
  const samples = cases.map(() => []);
  try {
    for (let round = 0; round < rounds; round++) {
      for (const [i, c] of cases.entries()) {
        const dir = path.join(work, `case-${i}`);
        writeProject(dir, info.target, `r${round}c${i}`, c.count);
        const ms = await deploy(bin, dir, env, c.extra);
        samples[i].push(ms);
        log(`  round ${round + 1} ${c.name.padEnd(32)} ${ms.toFixed(0).padStart(6)} ms`);
      }
    }
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
    fs.rmSync(work, { recursive: true, force: true });
  }
  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const one = median(samples[0]);
  const results = cases.map((c, i) => ({
    name: c.name,
    ms: median(samples[i]),
    ratio: median(samples[i]) / one,
  }));
  for (const r of results)
    log(`  ${r.name.padEnd(32)} ${r.ms.toFixed(0).padStart(6)} ms  ${r.ratio.toFixed(2)}× 1 function`);
  // Within a round the cases ran back to back, so their ratio holds even when the machine's load moves.
  const ratioPerRound = samples[1].map((ms, round) => ms / samples[0][round]);
  return { rounds, latencyMs, results, ratioPerRound };
}

/** The "Many functions" section of docs/performance.md. */
export function manyFunctionsSection(measured, machine) {
  const thirty = measured.results.find((r) => r.name === '30 functions');
  const rows = measured.results
    .map(
      (r) =>
        `| ${r.name} | ${r.ms.toFixed(0)} | ${r.ratio.toFixed(2)}× |${r === thirty ? ` ≤ 4× (${r.ratio <= 4 ? 'met' : 'not met'})` : ''} |`,
    )
    .join('\n');
  return `
## Many functions

\`faasport deploy --yes\` of a new project, from exec to exit, against the FunctionGraph emulator with ${measured.latencyMs} ms added to every
API call (\`faasport emulate functiongraph --latency ${measured.latencyMs}\`), as a cloud's round trips would add. Medians of
${measured.rounds} interleaved round(s) on ${machine.cpus}× ${machine.cpuModel}, Node ${machine.node}, ${machine.date}. Each function is created
from nothing (read, create, scaling, version, alias, function URL), so every deploy makes all of its calls.

| project | ms | vs 1 function | target |
| --- | ---: | ---: | --- |
${rows}

${
  measured.ratioPerRound
    ? `30 functions vs 1 function in each round: ${measured.ratioPerRound.map((r) => `${r.toFixed(2)}×`).join(', ')}.

`
    : ''
}A project's functions are planned, then deployed, up to 8 at a time (\`--concurrency N\`); each function's own steps
stay in order. Progress is printed function by function in project order, and when one fails no new function starts and
the error lists which deployed, which failed and which never started.
`;
}
