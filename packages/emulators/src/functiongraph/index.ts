/**
 * The FunctionGraph v2 API emulator (`@faasport/emulators/functiongraph`).
 *
 * @packageDocumentation
 */
export type { EventDelivery, ObsEventName } from './events';
export type { ImageCommand } from './execution';
export type { FunctionGraphEmulatorOptions } from './options';
export { type FunctionGraphEmulator, type InjectedFault, startFunctionGraphEmulator } from './server';
