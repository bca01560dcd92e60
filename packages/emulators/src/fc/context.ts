import type { IncomingMessage } from 'node:http';
import type { FcExecution } from './execution';
import type { FcState } from './state';

/** Settings of the request handler. */
export interface FcHandlerOptions {
  accountId: string;
  region: string;
  secrets: Map<string, string>;
  execution: FcExecution;
  baseUrl: () => string;
}

/** A JSON object. */
export type Json = Record<string, unknown>;

/** An answer of the API: a JSON `body` or `raw` bytes. */
export type Reply = { status: number; body?: unknown; headers?: Record<string, string>; raw?: Uint8Array };

/** What the FC API's request handlers share: settings, state, code download links and the clock. */
export interface FcEmu {
  readonly options: FcHandlerOptions;
  readonly state: FcState;
  /** Download tokens handed out by GetFunctionCode → the zip each one serves. */
  readonly codeLinks: Map<string, Uint8Array>;
  /** The emulator's clock (ms since the epoch): real time at start, moved by `advanceClock`. */
  clock: number;
}

/** One signed API call under `/2016-08-15`, matched to a route pattern. */
export interface FcCall {
  method: string;
  /** The path after the API version prefix. */
  path: string;
  /** The matched pattern of the API's routes (`*` is one segment), if any. */
  route?: string;
  /** The values of the pattern's `*` segments. */
  params: string[];
  query: URLSearchParams;
  ifMatch: string | undefined;
  /** The JSON body; parsed (and validated as a JSON object) only when a handler asks for it. */
  body(): Json;
  req: IncomingMessage;
  raw: Buffer;
  requestId: string;
}

/** The API version prefix of every FC 2.0 path. */
export const prefix = '/2016-08-15';
