/**
 * The file deployed next to the user's code on FC 2.0 (`__faasport_fc.mjs`): the shim, built for the
 * function's environment. FC runs `__faasport_fc.httpHandler`, `.eventHandler` or `.initializer`; the
 * user's handler, contract and revision come from `FAASPORT_*` variables, so the file is the same for
 * every function and the code package stays deterministic. The user's module is loaded with `import()`,
 * so ES modules and CommonJS both work. Bundled with core's handler helpers into one file by
 * `npm run bundle-shim -w packages/adapter-fc`.
 */
import { createFcShim } from './shim';

const shim = createFcShim(process.env, (file) => import(new URL(`./${file}`, import.meta.url).href));

export const httpHandler = shim.httpHandler;
export const eventHandler = shim.eventHandler;
export const initializer = shim.initializer;
