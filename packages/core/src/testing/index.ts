/**
 * @faasport/core/testing: the adapter conformance suite, the runtime shim suite, and an in-memory target for testing the
 * deploy engine itself.
 *
 * @packageDocumentation
 */
export {
  type ConformanceCase,
  type ConformanceOptions,
  type ConformanceTarget,
  type ConformanceTriggers,
  conformanceEventHandler,
  conformanceQueueHandler,
  conformanceTriggerHandler,
  conformanceWebHandler,
  type TriggerDelivery,
  testAdapter,
  triggerDeliveries,
} from './conformance';
export { createMemoryAdapter, type MemoryAdapterOptions } from './memory-adapter';
export {
  type HandlerShimConfig,
  type HandlerShimPlatform,
  handlerShimTarget,
  proxyResultBody,
  type ShimAnswer,
  type ShimCase,
  type ShimFunction,
  type ShimInstance,
  type ShimInstead,
  type ShimProcess,
  type ShimRequest,
  type ShimSuiteOptions,
  type ShimTarget,
  type ShimTrigger,
  shimGet,
  startShimProcess,
  testShim,
} from './shim-suite';
