/**
 * HTTP emulators of cloud FaaS APIs, for tests: each listens on 127.0.0.1, checks request signatures,
 * paths and bodies as the cloud does, keeps state, and runs deployed code through the faasport runtime.
 *
 * Import one emulator from its subpath (`@faasport/emulators/fc`, `/functiongraph`, `/kubernetes`, `/lambda`).
 */
export * as fc from './fc';
export * as fc3 from './fc3';
export * as functiongraph from './functiongraph';
export * as kubernetes from './kubernetes';
export * as lambda from './lambda';
