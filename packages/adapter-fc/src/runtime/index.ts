/**
 * `@faasport/adapter-fc/runtime`: the shim deployed with every `web` and `event` function on Alibaba
 * Cloud FC 2.0, and the text of the standalone file the adapter adds to the code package.
 *
 * @packageDocumentation
 */
import { shimScript } from './shim-script.generated';

export {
  createFcShim,
  type FcCallback,
  type FcContext,
  type FcHttpRequest,
  type FcHttpResponse,
  type FcShim,
  type FcShimEnv,
} from './shim';

/** The file name of the shim inside the code package (an ES module; FC's nodejs18/20 runtimes load `.mjs`). @public */
export const shimFileName = '__faasport_fc.mjs';

/** FC handler strings that run the shim, per contract. @public */
export const shimHandlers = {
  web: '__faasport_fc.httpHandler',
  event: '__faasport_fc.eventHandler',
  initializer: '__faasport_fc.initializer',
} as const;

/**
 * The standalone ES module source of the shim: `src/runtime/entry.ts` with core's handler helpers
 * bundled in at build time, no imports. It is the same for every function (it reads the user's handler,
 * contract and revision from `FAASPORT_*` environment variables), so the code package stays
 * deterministic. The user's module is loaded with `import()`, so ES modules and CommonJS both work.
 *
 * @public
 */
export function shimSource(): string {
  return shimScript;
}
