import registry from '../../worker/contracts/contracts.json';

/**
 * How the instance process talks to the code: the contracts of `worker/contracts/contracts.json`, the one
 * list the Node worker, the Python worker and this type follow (type-checking and
 * test/worker-contracts.test.ts fail when they disagree).
 * - `web`: faasport web handler `(Request, ctx) => Response`.
 * - `event`: faasport event handler `(CloudEvent, ctx) => result`.
 * - `fc-http`: FC 2.0 Node HTTP handler `(req, resp, context)`.
 * - `fc-event`: FC 2.0 Node event handler `(event: Buffer, context, callback)`.
 * - `fc3-event`: FC 3.0 handler `(event: Buffer, context)`; HTTP calls arrive as FC 3.0's HTTP event
 *   (`version: "v1"`) and a `{statusCode, headers, body, isBase64Encoded}` result is the response.
 * - `fg-event`: FunctionGraph Node handler `(event, context)` returning a value or a promise
 *   (APIG events give `{statusCode, headers, body, isBase64Encoded}`).
 * - `lambda`: AWS Lambda Node handler `(event, context)`.
 * - `http`: any command that serves HTTP on `$PORT` (custom runtimes, containers run as commands,
 *   FunctionGraph custom images on 8000, FC custom containers on caPort).
 */
export type ExecutionContract =
  | 'web'
  | 'event'
  | 'fc-http'
  | 'fc-event'
  | 'fc3-event'
  | 'fg-event'
  | 'lambda'
  | 'http';

// The type is spelled out so the published declarations need no JSON: this line stops type-checking
// (tsc, `npm run typecheck`) when it and contracts.json disagree, in either direction.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const typeMatchesList: Same<ExecutionContract, keyof typeof registry.contracts> = true;
void typeMatchesList;

/** One entry of the contract list. */
export interface ExecutionContractInfo {
  /** The cloud whose native handler signature it hosts; `null` for faasport's own and for `http`. */
  platform: string | null;
  /** The language workers that host it (none: the executor runs the function's own command). */
  workers: Array<'node' | 'python'>;
  summary: string;
}

/** Every execution contract, with its platform and workers. */
export const executionContracts = registry.contracts as Record<ExecutionContract, ExecutionContractInfo>;

/** The names of every execution contract. */
export const executionContractNames = Object.keys(executionContracts) as [
  ExecutionContract,
  ...ExecutionContract[],
];

/** The contracts that host a cloud's native handler signature (`providers.local.contract`). */
export const nativeContractNames = executionContractNames.filter(
  (name) => executionContracts[name].platform !== null,
) as [ExecutionContract, ...ExecutionContract[]];

/** The native contracts as a sentence fragment, for messages: `fc-http, fc-event, fc3-event, fg-event or lambda`. */
export const nativeContractsText = `${nativeContractNames.slice(0, -1).join(', ')} or ${nativeContractNames.at(-1)}`;
