import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Executor } from '../executor';
import type { Broker } from './broker';
import type { Buckets } from './buckets';
import type { CodeStore } from './code-store';
import type { Functions } from './functions';
import type { LogStore } from './logs';
import type { Metrics } from './metrics';
import type { Scheduler } from './scheduler';
import type { FunctionRow, Store } from './store';
import type { Topics } from './topics';

/** Everything the request handlers share. */
export interface RuntimeContext {
  store: Store;
  code: CodeStore;
  functions: Functions;
  broker: Broker;
  buckets: Buckets;
  topics: Topics;
  logs: LogStore;
  metrics: Metrics;
  executor: Executor;
  scheduler: Scheduler;
  namespace: string;
  bodyLimit: number;
  baseUrl: () => string;
  countWrite: () => void;
  /** Serves a call to a function (gateway and admin invoke share it). */
  serve: (
    req: IncomingMessage,
    res: ServerResponse,
    route: Route,
    options?: { mode?: 'event'; body?: Buffer },
  ) => Promise<void>;
}

/** Where a gateway request goes. */
export interface Route {
  fn: FunctionRow;
  tag?: string;
  revision?: string;
  /** The path the function sees. */
  path: string;
}

/** Where the admin API lives. */
export const adminPrefix = '/_faasport/v1';
