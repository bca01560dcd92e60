// The registry of execution contracts the Node worker hosts. The list itself is contracts.json, shared
// with the Python worker and the TypeScript type `ExecutionContract`; each platform's contracts live in
// its own module here (fc.mjs, fc3.mjs, functiongraph.mjs, lambda.mjs) next to the portable ones (portable.mjs).
// Adding a platform's contract: a line in contracts.json and a module exporting its `hosts`.
//
// A host has `http(fn, message)` (a call over HTTP: resolves with a `res` reply) and
// `event(fn, message, payload)` (an event call: resolves with an `eres` reply), and optionally
// `initContext(fn, message)`, the context an initializer gets (FC's by default).
import { readFileSync } from 'node:fs';
import { hosts as fc, fcContext } from './fc.mjs';
import { hosts as fc3 } from './fc3.mjs';
import { hosts as functiongraph } from './functiongraph.mjs';
import { hosts as lambda } from './lambda.mjs';
import { hosts as portable } from './portable.mjs';

/** contracts.json: every contract, its platform, and the workers that host it. */
export const contractList = JSON.parse(
  readFileSync(new URL('./contracts.json', import.meta.url), 'utf8'),
).contracts;

/** The hosts of the contracts the Node worker runs, by contract name. */
export const hosts = { ...portable, ...fc, ...fc3, ...functiongraph, ...lambda };

for (const [name, entry] of Object.entries(contractList)) {
  if (entry.workers.includes('node') !== Object.hasOwn(hosts, name))
    throw new Error(`contracts.json and the Node worker's hosts disagree about contract "${name}"`);
}
for (const name of Object.keys(hosts)) {
  if (!Object.hasOwn(contractList, name))
    throw new Error(`the Node worker hosts "${name}", which contracts.json does not list`);
}

/** The context an initializer gets under a contract. */
export function initContext(contract, fn, message) {
  return (hosts[contract]?.initContext ?? fcContext)(fn, message);
}
