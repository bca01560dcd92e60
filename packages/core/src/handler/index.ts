/**
 * The portable handler contract and its Web-only helpers, also published as `@faasport/core/handler`:
 * no zod and no Node.js APIs, so runtime shims can bundle it into code that runs inside a function.
 *
 * @packageDocumentation
 */
export {
  type ContainerRequest,
  type ContainerResponse,
  headerOf,
  readBodyBytes,
  webRequestOf,
  writeWebResponse,
} from './container';
export { type DefinedHandler, defineHandler } from './define-handler';
export {
  cloudEventFromRequest,
  cloudEventToBinary,
  createCloudEvent,
  eventResultToBytes,
  fromBase64,
  toBase64,
  toResponse,
} from './normalize';
export { type ProxyResult, proxyResultOf } from './proxy-result';
export { type QueueMessage, queueExtensions, queueMessageEvent } from './queue';
export {
  callForEach,
  exportedFunction,
  handlerLoader,
  invocationRequest,
  isRecord,
  jsonLineLogger,
  type LogLevel,
  parseJsonOrText,
  randomRequestId,
  readShimConfig,
  shimFileText,
  storageCloudEvent,
} from './shim-helpers';
export type { CloudEvent, Context, EventHandler, HandlerLogger, WebHandler, WebResult } from './types';
export { eventTypes } from './types';
