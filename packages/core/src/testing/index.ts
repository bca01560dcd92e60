/**
 * @faasport/core/testing: the adapter conformance suite, and an in-memory target for testing the
 * deploy engine itself.
 *
 * @packageDocumentation
 */
export {
  type ConformanceCase,
  type ConformanceOptions,
  type ConformanceTarget,
  conformanceEventHandler,
  conformanceWebHandler,
  testAdapter,
} from './conformance';
export { createMemoryAdapter, type MemoryAdapterOptions } from './memory-adapter';
