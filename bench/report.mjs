// docs/performance.md, rendered from one run's results (bench/results/latest.json). Every figure on the page
// comes from that run; a section the run did not measure says "not measured" instead of failing. The prose
// that explains how things work is static here, so a full `npm run bench` rewrites the whole page.
import { manyFunctionsSection } from './many-functions.mjs';
import { startupSection } from './startup.mjs';

/** Contender names as bench/run.mjs records them. */
export const names = {
  bare: 'bare http.createServer',
  fjr: 'faas-js-runtime 4',
  ours: 'faasport runtime (gateway, 1 instance)',
  reading: ', reads the request',
  tuned: 'faasport runtime, reads the request',
  dev: 'faasport dev examples/hello (defaults), reads the request',
};

/** A number to `digits` decimals, or `n/a` when it was not measured. */
export function fmt(n, digits = 0) {
  return n === undefined || n === null || Number.isNaN(n) ? 'n/a' : Number(n).toFixed(digits);
}

const notMeasured = 'not measured in this run';
const yesNo = (met) => (met ? 'yes' : 'no');
/** A target row: figure, target, this run, met; `measure` returns [this run, met] or undefined. */
const row = (figure, target, measure) => {
  const measured = measure();
  return `| ${figure} | ${target} | ${measured ? measured[0] : notMeasured} | ${measured ? yesNo(measured[1]) : '—'} |`;
};

function throughputRows(entries, baseline, fastest) {
  return entries
    .map(
      ([name, r]) =>
        `| ${name.replace(names.reading, '')} | ${fmt(r.rps)} | ${fmt(r.p50, 2)} | ${fmt(r.p99, 2)} | ${fmt(r.rps / baseline?.rps, 2)}× | ${fmt((r.rps / fastest?.rps) * 100)}% | ${fmt(r.cpuUs)} | ${(r.rounds ?? []).join(', ')} |`,
    )
    .join('\n');
}

const throughputHead = (
  first,
) => `| ${first} | req/s | p50 ms | p99 ms | vs faas-js-runtime | vs bare Node | CPU µs / request | req/s per round |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |`;

/** The figures the target tables and the sections share, each undefined when its section was not run. */
function figuresOf(results) {
  const t = results.throughput ?? {};
  const startup = results.startup?.results ?? [];
  const ratioOf = (prefix) => startup.find((r) => r.name.startsWith(prefix))?.ratio;
  const oursOne = results.latency?.[names.ours];
  const bareOne = results.latency?.[names.bare];
  return {
    bare: t[names.bare],
    fjr: t[names.fjr],
    ours: t[names.ours],
    greetBare: t[names.bare + names.reading],
    greetFjr: t[names.fjr + names.reading],
    tuned: t[names.tuned],
    dev: t[names.dev],
    added:
      oursOne && bareOne ? { p50: oursOne.p50 - bareOne.p50, p99: oursOne.p99 - bareOne.p99 } : undefined,
    cold: results.cold,
    idle: results.idle,
    broker: results.broker,
    startup: results.startup
      ? {
          help: ratioOf('faasport --help'),
          render: ratioOf('faasport render'),
          plan: ratioOf('faasport plan'),
        }
      : undefined,
    thirty: results.many?.results.find((r) => r.name === '30 functions')?.ratio,
  };
}

function issueTargets(f) {
  const { dev, greetFjr, greetBare, tuned, cold, broker, startup } = f;
  const queue = broker?.queue;
  return `| # | figure | target | this run | met |
| --- | --- | --- | --- | --- |
${[
  row(
    'default path: `faasport dev examples/hello`, unchanged, 50 connections',
    '≥ 1.0× faas-js-runtime, p50 ≤ 5 ms',
    () =>
      dev &&
      greetFjr && [
        `${fmt(dev.rps / greetFjr.rps, 2)}×, p50 ${fmt(dev.p50, 2)} ms`,
        dev.rps >= greetFjr.rps && dev.p50 <= 5,
      ],
  ),
  row(
    'tuned path (`max: 1, concurrency: 1000`), handler reads the request',
    "≥ 1.5× faas-js-runtime, ≥ 50% of bare Node, p99 ≤ 2× faas-js-runtime's",
    () =>
      tuned &&
      greetFjr &&
      greetBare && [
        `${fmt(tuned.rps / greetFjr.rps, 2)}×, ${fmt((tuned.rps / greetBare.rps) * 100)}%, p99 ${fmt(tuned.p99, 1)} vs ${fmt(greetFjr.p99, 1)} ms`,
        tuned.rps >= 1.5 * greetFjr.rps && tuned.rps >= 0.5 * greetBare.rps && tuned.p99 <= 2 * greetFjr.p99,
      ],
  ),
  row(
    'CLI start-up vs `node -e 0`: `--help`; offline `render --target knative`; `plan --target local`',
    '≤ 2×; ≤ 3×; ≤ 3×',
    () =>
      startup && [
        `${fmt(startup.help, 2)}×; ${fmt(startup.render, 2)}×; ${fmt(startup.plan, 2)}×`,
        startup.help <= 2 && startup.render <= 3 && startup.plan <= 3,
      ],
  ),
  row(
    '30-function vs 1-function deploy, FunctionGraph emulator, 50 ms per call',
    '≤ 4×',
    () => f.thirty !== undefined && [`${fmt(f.thirty, 2)}×`, f.thirty <= 4],
  ),
  row(
    'broker: events delivered end to end, durably acknowledged',
    '≥ 10,000 events/s',
    () =>
      broker && [
        `${fmt(broker.deliveredPerSecond)} events/s one to a request (${fmt(broker.cpuMsPerEvent, 2)} CPU ms each)${
          broker.batched
            ? `; ${fmt(broker.batched.deliveredPerSecond)} events/s in batches of ${broker.batched.batch} (${fmt(broker.batched.cpuMsPerEvent, 2)} CPU ms each)`
            : ''
        }`,
        Math.max(broker.deliveredPerSecond, broker.batched?.deliveredPerSecond ?? 0) >= 10_000,
      ],
  ),
  row(
    'queue messages delivered end to end',
    '≥ 10,000 messages/s',
    () =>
      queue && [
        `${
          queue.single
            ? `${fmt(queue.single.deliveredPerSecond)} messages/s one to a request (${fmt(queue.single.cpuMsPerEvent, 2)} CPU ms each); `
            : ''
        }${fmt(queue.deliveredPerSecond)} messages/s${queue.batch ? ` in batches of ${queue.batch}` : ''} (${fmt(queue.cpuMsPerEvent ?? queue.cpuMsPerMessage, 2)} CPU ms each)`,
        Math.max(queue.deliveredPerSecond, queue.single?.deliveredPerSecond ?? 0) >= 10_000,
      ],
  ),
  row(
    'cold start from the warm pool, sandbox on',
    'p50 ≤ 5 ms, p99 ≤ 20 ms',
    () =>
      cold?.pool && [
        `p50 ${fmt(cold.pool.p50, 1)} ms, p99 ${fmt(cold.pool.p99, 1)} ms; ${cold.pool.pooled} of ${cold.pool.starts ?? cold.pool.samples} starts from the pool`,
        cold.pool.p50 <= 5 && cold.pool.p99 <= 20,
      ],
  ),
]
  // Issue 18's numbering: the broker's two rows are both item 5.
  .map((line, i) => `| ${[1, 2, 3, 4, 5, 5, 6][i]} ${line}`)
  .join('\n')}`;
}

function designTargets(f) {
  const { bare, fjr, ours, added, cold, idle, broker } = f;
  return `| figure | target | this run | met |
| --- | --- | --- | --- |
${[
  row(
    'warm throughput, gateway + 1 instance (hello)',
    '≥ 1.0× faas-js-runtime, ≥ 40% of bare Node',
    () =>
      ours &&
      fjr &&
      bare && [
        `${fmt(ours.rps / fjr.rps, 2)}×, ${fmt((ours.rps / bare.rps) * 100)}%`,
        ours.rps >= fjr.rps && ours.rps >= 0.4 * bare.rps,
      ],
  ),
  row(
    'added latency, one connection, over bare Node',
    'p50 ≤ 0.5 ms, p99 ≤ 2 ms',
    () => added && [`${fmt(added.p50, 2)} ms, ${fmt(added.p99, 2)} ms`, added.p50 <= 0.5 && added.p99 <= 2],
  ),
  row(
    'cold start p50, warm pool',
    '≤ 15 ms',
    () => cold?.pool && [`${fmt(cold.pool.p50, 1)} ms`, cold.pool.p50 <= 15],
  ),
  row(
    'idle RSS, 1,000 functions at zero',
    '≤ 150 MB',
    () =>
      idle && [
        `${fmt(idle.after.own)} MB (runtime process, ${idle.functions} functions)`,
        idle.after.own <= 150 && idle.functions >= 1000,
      ],
  ),
  row(
    'unchanged re-deploy of 200 functions',
    '0 writes',
    () => idle && [`${idle.unchangedRedeploysThatWrote}`, idle.unchangedRedeploysThatWrote === 0],
  ),
  row(
    'event delivery, at least once, no loss across kill -9',
    '≥ 2,000 events/s',
    () =>
      broker && [
        `${fmt(broker.deliveredPerSecond)} events/s; kill -9 covered by the e2e test`,
        broker.deliveredPerSecond >= 2000,
      ],
  ),
].join('\n')}`;
}

function pathsSection(f, settings) {
  const { greetBare, greetFjr, tuned, dev } = f;
  const entries = [
    [names.bare, greetBare],
    [names.fjr, greetFjr],
    ['faasport runtime, tuned (`scaling: { max: 1, concurrency: 1000 }`)', tuned],
    ['`faasport dev examples/hello` (defaults)', dev],
  ].filter(([, r]) => r);
  const table = entries.length
    ? `${throughputHead('server, handler reads the request')}
${throughputRows(entries, greetFjr, greetBare)}`
    : `Throughput: ${notMeasured}.`;
  return `## The default path and the tuned path

Every handler here reads a query parameter from its request (\`new URL(request.url).searchParams\` in faasport,
\`context.query\` in faas-js-runtime, \`new URL(req.url)\` in bare Node), so each server's cost of a request object shows.
The default path is \`faasport dev examples/hello\` unchanged, as a user starts it (concurrency 1, no \`scaling.max\`, the
sandbox on; its handler reads the request and writes a log line per call). The tuned path is the same runtime with one
instance that takes every call (\`scaling: { max: 1, concurrency: 1000 }\`). ${settings.connections} connections, medians of
${settings.throughputRounds ?? settings.rounds} interleaved round(s) of ${settings.duration} s.

${table}

How the default path runs (docs/decisions/0014-local-scaling.md): the runtime starts one instance per CPU it may use
(here one: the benchmark pins the server to one CPU) and holds further calls at the gateway or inside the busy instance,
which runs them one at a time, so \`concurrency: 1\` stays exact. Before, 50 connections started one Node process per
waiting call, each call a round trip and two process wake-ups. Now one write through the pipe carries the calls of a turn
to the instance, which runs them back to back in one turn (each starts as the previous one answers, with no wake-up in
between) and answers them, with their log lines, in one write. What still separates the default path from the tuned one
is CPU per request: examples/hello writes a log line per call, which travels over the pipe to the runtime's log store.

Where the CPU goes (\`perf record -e cpu-clock\` of both processes under wrk, which counts time on a CPU only): in the
runtime, reading requests from and writing answers to the client sockets (about a third), minor garbage collection
(about a sixth), frame decoding and encoding, and the two log lines per call (the function's and the invocation
record); in the instance, building the Web \`Request\`, garbage collection, the pipe write and the log line. To cut the
log's share, the instance sends the log lines of a turn as one frame, and keeps a call's lines only for event answers;
the log store keeps no lines on the heap: each line is written field by field and encoded at once into one off-heap
buffer, which goes to the functions' files at the end of the turn, in one write per function, and reads (rare) read the
files' ends. Before, the last thousands of lines stayed in memory, so every line survived minor collections and was
copied twice on the way to the old generation. Even kept for one turn only, as one joined text, the invocation
record cost about a sixth of the tuned path's gateway CPU (measured by leaving it out); encoding it at once into the
buffer won back about half of that, in interleaved runs apart from this one. Calls and answers cross the pipe the same way: their JSON is written field by field straight into
one buffer per turn, and call times travel as whole microseconds.${
    dev?.cpuUs
      ? `

With all work on one CPU and ${settings.connections} connections each waiting for its answer, a call waits for the
calls ahead of it: p50 is about ${settings.connections} × the CPU time of a request, here ${fmt((settings.connections * dev.cpuUs) / 1000, 1)} ms
(${fmt(dev.cpuUs)} µs per request). p50 ≤ 5 ms at ${settings.connections} connections needs ≤ ${fmt(5000 / settings.connections)} µs of CPU per request for the
gateway and the instance together; matching faas-js-runtime's throughput needs its ${fmt(greetFjr?.cpuUs ?? Number.NaN)} µs.`
      : ''
  }

Every call crosses from the gateway to its instance: the gateway alone spends about as much CPU per request as a whole
bare server. Handing the client connection to the instance would remove that hop, but a keep-alive connection carries
whatever its client sends next, including calls to other functions with their credentials and admin calls with the
admin token, and the instance runs untrusted function code. So the gateway keeps every connection
(docs/decisions/0021-no-connection-hand-off.md).${
    tuned && greetBare
      ? ` With the hop, the tuned path reached ${fmt((tuned.rps / greetBare.rps) * 100)}% of bare Node in this run${
          tuned.rps / greetBare.rps >= 0.5
            ? ''
            : ', short of 50%: on one CPU for every server, the gateway and the instance together spend more than twice the CPU of a bare server per request'
        }.`
      : ''
  }

### The Web \`Request\` of the tuned path

On the tuned path the largest single cost in the instance is Node's \`Request\` constructor (undici), which the web
contract calls once per call. Measured apart from this run, on Node v20.20.2, by CPU time of 100,000 calls in one thread
pinned to one CPU (\`process.cpuUsage\`), the variants run alternately twice at load average about 19, so read the ratios:

| built per call | CPU µs / call |
| --- | ---: |
| \`new Request(url, { method, headers: pairs, duplex: 'half' })\` (the eager request) | 11.0–16.6 |
| the same without \`duplex\` | 12.0–16.7 |
| headers as \`new Headers(pairs)\` | 12.7–14.2 |
| headers as a plain object | 11.3–11.7 |
| \`new Request(url)\`, no init at all | 9.4–12.2 |
| \`new Headers(pairs)\` alone | 1.2–1.8 |
| \`new URL(url)\` alone | 0.4–0.7 |

No way of calling the constructor is cheap: a bare \`new Request(url)\` costs nearly as much, so the cost is the object
itself (its signal, its state, its URL checks), not the headers or the body. Only not building it helps, so the runtime
builds it on first use (docs/decisions/0019-lazy-web-request.md): a \`Proxy\` answers \`url\` and \`method\` itself and
builds the real \`Request\` on any other access, forwarding to it from then on. Its methods are \`Request.prototype\`'s
own functions (none is made per read), and \`util.inspect\` prints it as the real one. It works while undici keeps a
request's state behind property reads a proxy can forward, so every worker checks at start-up, on a lazy and an eager
request built from the same call, that \`instanceof\`, \`fetch\`, \`new Request\`, \`clone\`, every body read, inspect
and freezing give the same results, and builds eager requests when any check differs. The executor remembers the finding
per Node binary and flags, so later workers skip the check. A handler's test runs both ways
(\`FAASPORT_WEB_REQUEST=lazy|eager\`) and only \`util.types.isProxy\` tells them apart.

Measured apart from this run on the instance alone, with the CPU time (\`process.cpuUsage\`) of decoding the call
frame, the web contract with this benchmark's handler, and encoding the answer, 50 calls in flight, alternating runs at
load average about 15: 16.3–19.3 µs per call with the eager \`Request\`, 10.0–12.4 µs with the lazy one. Under wrk on
the same loaded machine, the instance process went from 32–50 to 24–39 CPU µs per request (4 alternating rounds).

The rest of the tuned path, profiled the same way (\`--cpu-prof\` of both processes under wrk): the runtime's own time
goes mostly to the answer's socket write (one per request, as for any server), the pipe write to the instance (one per
event-loop turn) and garbage collection; the instance's to collection, the pipe write, the call's context and the
answer's frame. The instance now allocates less per call: the context's loggers are written out rather than built in
a loop, plain results share frozen header lists whose JSON is computed once, and a frame's JSON is written straight
into the frame (12.8 against 14.8 µs per call, medians of 8 alternating in-process runs, 5 of 8 pairs lower: small and
within the noise of a loaded machine). For the p99 we observed the collections: under load, most minor collections of
both processes lasted 5 to 80 ms of wall time (\`PerformanceObserver\` of \`gc\` entries). V8 runs them in parallel on
helper threads, which the benchmark pins to the same CPU as both processes, so a pause can last until the other
process's time slice ends. \`--single-threaded-gc\` and a larger \`--min-semi-space-size\` for both processes were
tried. In one run the instance had 25 minor collections over 5 ms instead of 65, but neither gave a difference in p99
or CPU per request that we could separate from the machine's load (average 15 on 2 CPUs during those runs). They
are not adopted; a quiet run should decide.

A quieter machine (AMD EPYC, load average about 1) decided part of it, measured apart from this run with
\`--trace-gc-nvp\` on the tuned path: under wrk the runtime allocates about 13 KB per request, runs a minor collection
every 50 ms or so, and each one promoted about a megabyte to the old generation (mostly objects of answers decoded from
the instance's pipe, by V8's sampling heap profiler) and paused the runtime 3 to 4 ms; those objects die soon after, so
a full collection followed every 3 s. With V8's young generation held at 2 MB per semi-space
(\`--max-semi-space-size=2\`, against 16 by default) almost nothing is promoted (0 to 30 KB per collection), a minor
collection pauses 0.4 to 0.5 ms, and p99 at 50 connections fell from 16.7–21.1 ms to 7.9–8.9 ms in 3 alternating pairs,
with throughput within the noise. The same flag on the instance alone gave less (12.9–14.9 ms). V8 reads the young
generation's size only when a process starts (\`v8.setFlagsFromString\` later changes nothing), so the executables
that host the runtime (\`faasport dev\`, \`faasport serve\`, \`faasport-runtime\`) run it in a child process started
with the flag (and with \`--no-memory-reducer\`: after a few idle seconds the memory reducer shrank the heap's limits,
and the next burst ran about 20 full collections in 8 s with p99 back at 21 ms), and this benchmark starts them as npm
links them
(docs/decisions/0020-runtime-process-flags.md). \`--single-threaded-gc\` on both processes lowered the default
path's p99 too (8.6–21.5 against 14.6–22.8 ms, 3 pairs); it is not adopted: turned on after start it aborts the
process, and the young generation's size did more.
`;
}

function helloSection(f) {
  const { bare, fjr, ours, tuned, greetFjr } = f;
  const hello = [
    [names.bare, bare],
    [names.fjr, fjr],
    ['functions-framework 5', f.ff],
    [names.ours, ours],
  ].filter(([, r]) => r);
  return `## Warm throughput (hello)

${
  hello.length
    ? `${throughputHead('server')}
${throughputRows(hello, fjr, bare)}`
    : `Throughput: ${notMeasured}.`
}

Anchors measured on an unloaded machine for the design: bare Node ≈ 34k req/s, faas-js-runtime 4 ≈ 13k,
functions-framework 5 ≈ 3.3k. The hello handler declares no parameters, so its instance does not build the Web \`Request\`
it could never read${ours && fjr && tuned && greetFjr ? `: ${fmt(ours.rps / fjr.rps, 2)}× faas-js-runtime here, against ${fmt(tuned.rps / greetFjr.rps, 2)}× for the tuned handler that reads its request` : ''}.

How faasport gets there with a process per instance: the gateway's front reads simple function calls straight off the
client connection (without Node's \`IncomingMessage\`/\`ServerResponse\`), routes them with decisions kept until the next
deploy, and sends each call as one frame over the instance's pipe, the frames of one event-loop turn in a single write in
both directions. The instance process decodes the frame, runs the handler and answers the same way. Anything unusual (the
admin API, chunked bodies, \`Expect\`, upgrades, HTTP/1.0, oversized or malformed heads) goes to Node's own HTTP server on
the same connection. Both faasport processes share the one server CPU here.
`;
}

function latencySection(measured, settings) {
  if (!measured?.[names.bare] || !measured[names.ours])
    return `## Latency, one connection

${notMeasured}.
`;
  const rows = Object.entries(measured)
    .map(
      ([name, r]) => `| ${name} | ${fmt(r.p50, 3)} | ${fmt(r.p90, 3)} | ${fmt(r.p99, 3)} | ${fmt(r.rps)} |`,
    )
    .join('\n');
  const added = (key) => fmt(measured[names.ours][key] - measured[names.bare][key], 3);
  return `## Latency, one connection

| server (hello) | p50 ms | p90 ms | p99 ms | req/s |
| --- | ---: | ---: | ---: | ---: |
${rows}

One request at a time, so nothing queues. What faasport adds over a bare Node server is the path itself: the gateway,
the pipe, the instance process and back. In this run (medians of ${settings.rounds} alternating rounds) that is **${added('p50')} ms**
at p50, **${added('p90')} ms** at p90 and **${added('p99')} ms** at p99. DESIGN §8 asks for ≤ 0.5 ms at p50 and ≤ 2 ms at p99,
added over calling the instance directly; a bare server is the stricter baseline.

Read the p99 column with the machine's floor in mind: bare Node's own p99 here is ${fmt(measured[names.bare].p99, 3)} ms
against a p50 of ${fmt(measured[names.bare].p50, 3)} ms. Stalls of a few milliseconds hit about 1% of requests whatever
serves them on a shared VM; a request to faasport wakes two processes instead of one, so it meets such a stall a little
more often. The p90 column shows the path's own cost.
`;
}

function coldSection(cold) {
  const table = cold?.pool
    ? `| | p50 ms | p99 ms | samples |
| --- | ---: | ---: | ---: |
| with the warm pool (1 pre-started worker; ${cold.pool.pooled} of ${cold.pool.starts ?? cold.pool.samples} starts took a pooled worker) | ${fmt(cold.pool.p50, 1)} | ${fmt(cold.pool.p99, 1)} | ${cold.pool.samples} |
| without the warm pool (\`--warm-pool 0\`) | ${fmt(cold.noPool?.p50, 1)} | ${fmt(cold.noPool?.p99, 1)} | ${cold.noPool?.samples ?? 'n/a'} |`
    : `${notMeasured}.`;
  return `## Cold start (scale from zero to last byte, Node hello)

${table}

Measured from the client: request sent to last byte back, through the gateway, for a function with no running instance
(each stops its instance as soon as it is idle, \`scaling.idle: 0s\`, since a deploy keeps the instance it started to
check the code), one cold start at a time, each once no instance runs and the pool holds its worker again (read from the
\`faasport_warm_pool_workers\` gauge, not a fixed sleep). With the pool, a cold start sends the code location to a running
generic worker (Web APIs already loaded), which imports the module; without it, a \`node\` process starts first. A pooled
worker runs the loader's steps on a module of its own and one web call through the serve path before it reports ready, so
a cold start does not compile them.

What a pooled start spends, and what changed (measured inside the worker with \`process.cpuUsage\` marks, since wall
figures on a shared machine are noise): importing the module (\`import()\`, whose loader reads each file through the
thread pool). Loading an \`.mjs\` handler with \`require()\` instead (Node 20.19+ loads an ES module that way,
synchronously) cost less CPU in the worker (about 1.5 against 2.3 ms for the hello module) but made the pooled cold start
about 6 ms slower end to end in alternating runs of both builds on a quiet machine, so \`.mjs\` files are imported as
before; a \`.js\` file is still tried with \`require()\` first, as it always was. The first call used to follow the load message after a round trip
(the worker reports \`loaded\`, the runtime wakes and sends the call, the worker wakes); it now travels behind the load
message in the same write, and the worker holds it until the code has loaded (its timeout starts then). The loader's
regular expressions are compiled before the worker reports ready (V8 compiles a regular expression on its second run).
`;
}

function idleSection(m) {
  if (!m)
    return `## Idle cost

${notMeasured}.
`;
  return `## Idle cost

${m.functions} functions deployed one after another through the local adapter in ${fmt(m.deploySeconds, 1)} s (${fmt((m.deploySeconds * 1000) / Math.max(1, m.functions), 0)} ms each), then at zero:
runtime process RSS ${fmt(m.before.own)} MB before → **${fmt(m.after.own)} MB** after; with the processes below it
${fmt(m.before.total)} MB → ${fmt(m.after.total)} MB${m.processesAfter === undefined ? '' : ` (${m.processesAfter} processes: the instances kept from the deploy's code checks and the pooled worker)`}. Target: ≤ 150 MB. Re-deploying 200 of them unchanged: ${m.unchangedRedeploysThatWrote} made a write.${
    m.launcherRss
      ? `
\`faasport-runtime\` runs the server in a child process started with the runtime's V8 flags
(docs/decisions/0020-runtime-process-flags.md); the launcher waiting beside it is one more idle Node process of
${fmt(m.launcherRss)} MB, not counted above.`
      : ''
  }

A deploy checks that the code loads before it stores the revision: it starts an instance (a pooled worker, which the
pool then replaces by starting a process). That instance serves the revision's first calls, but only the last 4
revisions verified keep it; older ones stop it once no call runs there, so a project of many functions leaves a few
processes, not one per function for the idle window (before, 1,000 functions left up to a few hundred, 6.9 GB). A
deploy still costs about one Node process start (the worker's bootstrap: Node's own modules, undici), which on a
2-CPU machine dominates its time; a shared worker that checks many functions' code would be cheaper but would run
one function's code beside another's secrets (docs/decisions/0008-instance-isolation.md), so each check keeps its own
process.
`;
}

/** One broker row: a publish mode, delivered and acknowledged rates, CPU per event, each run. */
const brokerRow = (mode, r) =>
  `| ${mode} | ${r.events} | ${fmt(r.deliveredPerSecond)} | ${fmt(r.publishPerSecond)} | ${fmt(r.cpuMsPerEvent, 2)} | ${(r.deliveredPerRound ?? [r.deliveredPerSecond]).map((n) => fmt(n)).join(', ')} |`;

function brokerSection(b) {
  if (!b)
    return `## Broker

${notMeasured}.
`;
  const rows = [
    brokerRow('binary mode, one event to a request', b),
    b.batched && brokerRow(`batched content mode, ${b.batched.batch} events to a request`, b.batched),
    b.queue?.single && brokerRow('queue messages, one to a request (`POST /topics/{topic}`)', b.queue.single),
    b.queue &&
      brokerRow(
        b.queue.batch
          ? `queue messages, ${b.queue.batch} to a request (\`POST /topics/{topic}/messages\`)`
          : 'queue messages',
        b.queue,
      ),
  ].filter(Boolean);
  return `## Broker

CloudEvents published over HTTP by 16 concurrent publishers to one event function (and queue messages to a local
topic read by one queue-triggered function); the median run by delivery. The runtime and its instances share CPU 0; CPU ms
per event counts the runtime and its instances, not the publishers. A run lasts a few seconds (the events column), so the
rates are sustained ones: in runs of about one second (10,000 batched events) most of the time went to V8 compiling the
delivery path, and the same build delivered about a third fewer events per second than over 40,000.

| publish | events | delivered events/s | acknowledged events/s | CPU ms / event | delivered events/s per run |
| --- | ---: | ---: | ---: | ---: | --- |
${rows.join('\n')}

Targets: ≥ 2,000 events/s (DESIGN §8), ≥ 10,000 events/s delivered end to end (issue #18). Durably acknowledged means
committed before the 202: the publishes that arrive in one event-loop turn share one SQLite transaction (each in a
savepoint of its own, so a publish that fails fails alone), and every 202 of the group is written after that transaction
commits; if the commit fails, every publish of the group is answered with an error and none is stored. SQLite runs in WAL
mode with \`synchronous=NORMAL\`: a committed publish survives the runtime being killed (\`kill -9\`), not an OS crash or a
power loss, which can lose the last commits (\`FULL\` would survive those for an fsync per commit). The end-to-end tests
kill the runtime with \`kill -9\` between publish and delivery and see the events and queue messages delivered after the
restart. Delivered events leave the queue in groups (up to 512, at most 20 ms later), so an event delivered just before a
crash may be delivered again: at least once. Batched content mode (\`application/cloudevents-batch+json\`) and
\`POST /topics/{topic}/messages\` share the HTTP cost and the commit of a publish across the batch, all or nothing. Deliveries
fill what a function's instances take without a wait: their concurrency plus the short calls each holds behind its
running ones (never more than its concurrency running at once), so one write to an instance carries many events. A burst
larger than the broker's in-memory ready list (1,024 deliveries) stays in SQLite and is read on from a cursor, past the
last row held.
`;
}

/** docs/performance.md for one run's results. */
export function renderReport(results) {
  const settings = {
    rounds: 3,
    duration: 8,
    connections: 50,
    serverCpu: '0',
    loadCpu: '1',
    ...results.settings,
  };
  const f = figuresOf(results);
  f.ff = results.throughput?.['functions-framework 5'];
  const { machine } = results;
  const startup = results.startup
    ? startupSection(results.startup, machine)
    : `\n## CLI start-up\n\n${notMeasured}.\n`;
  const many = results.many
    ? manyFunctionsSection(results.many, machine)
    : `\n## Many functions\n\n${notMeasured}.\n`;
  return `# Performance

Measured by one \`npm run bench\` (\`bench/run.mjs\`) on ${machine.cpus}× ${machine.cpuModel}, Node ${machine.node}, ${machine.date}.
Load average when the run started / ended: **${machine.loadStart} / ${machine.loadEnd ?? 'n/a'}** (on ${machine.cpus} CPUs).
Server processes are pinned to CPU ${settings.serverCpu} (\`taskset -c ${settings.serverCpu}\`), the load generator (wrk, 1 thread,
${settings.connections} connections, ${settings.duration} s per run) to CPU ${settings.loadCpu}. Each contender of the 50-connection throughput
runs ran ${settings.throughputRounds ?? settings.rounds} round(s), the other sections ${settings.rounds}, interleaved; the tables show the medians. Figures from a shared or loaded machine vary between runs: compare the ratios
within one run, and the CPU columns, not absolute numbers across runs.
${
  results.failed
    ? `
Sections that failed in this run, shown below as not measured: ${Object.entries(results.failed)
        .map(([section, reason]) => `${section} (${reason})`)
        .join('; ')}.
`
    : ''
}
## Against the targets

Issue #18:

${issueTargets(f)}

DESIGN §8:

${designTargets(f)}

${pathsSection(f, settings)}
${helloSection(f)}
${latencySection(results.latency, settings)}
${coldSection(results.cold)}
${idleSection(results.idle)}
${brokerSection(results.broker)}${startup}${many}
Raw figures: \`bench/results/latest.json\`.
`;
}
