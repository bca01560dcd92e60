/**
 * The AWS Lambda API emulator (`@faasport/emulators/lambda`), with the EventBridge Scheduler calls faasport
 * makes.
 *
 * @packageDocumentation
 */
export type { LambdaDelivery } from './invoke';
export { type LambdaEmulator, type LambdaEmulatorOptions, startLambdaEmulator } from './server';
