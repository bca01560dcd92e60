import { defineAdapterModule, z } from '@faasport/core';
import { localProviderSchema } from '../server/functions';
import { createLocalAdapter } from './index';
import { localTargetConnection } from './target';

/**
 * A `local` target's options in faasport.yaml: where the runtime is. All optional: by default the
 * target finds the runtime `faasport dev` / `faasport serve` started in the project's data dir.
 *
 * @public
 */
export const localTargetOptionsSchema = z.strictObject({
  /** The runtime's address (else FAASPORT_RUNTIME_URL, else the one recorded in the data dir). */
  url: z
    .url({ error: (i) => `${JSON.stringify(i.input)} is not a URL (e.g. http://127.0.0.1:8080)` })
    .optional(),
  /** The admin token: from FAASPORT_RUNTIME_TOKEN only, never the file (a secret option). */
  token: z.string().min(1).optional(),
  /** The runtime's data dir, relative to the project (default `.faasport`, or FAASPORT_DATA_DIR). */
  dataDir: z.string().min(1).optional(),
});

/**
 * The `local` adapter module (specification v1.1): a client of a running bundled runtime
 * (`faasport dev` or `faasport serve`). Offline (render) it needs no runtime: nothing is called.
 *
 * @public
 */
export const adapterModule = defineAdapterModule({
  specificationVersion: 'v1.1',
  name: 'local',
  description: 'the bundled self-hosted runtime (`faasport dev` / `faasport serve`)',
  optionsSchema: localTargetOptionsSchema,
  providerOptionsSchema: localProviderSchema,
  secretOptions: { token: ['FAASPORT_RUNTIME_TOKEN'] },
  fromTarget({ options, env, baseDir, offline }) {
    if (offline) return createLocalAdapter({ url: 'http://127.0.0.1:0', token: 'offline'.padEnd(16, '-') });
    return createLocalAdapter(localTargetConnection(options, env, baseDir));
  },
});
