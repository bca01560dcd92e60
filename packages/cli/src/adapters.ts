import { type Adapter, ConfigurationError } from '@faasport/core';

/** Options an adapter factory receives: the target's options from faasport.yaml, plus the environment. @public */
export interface AdapterFactoryInput {
  /** The target's name in faasport.yaml (or the adapter name when none was given). */
  targetName: string;
  /** The target's options (everything but `adapter`). */
  options: Record<string, unknown>;
  /** The environment credentials are read from. */
  env: Record<string, string | undefined>;
  /** The project folder, for adapters that keep local state (the local runtime's data dir). */
  baseDir: string;
  /**
   * True for offline work (`render`): the adapter must not need credentials or a connection, so
   * factories fill absent credentials with placeholders instead of failing.
   */
  offline: boolean;
}

/** Makes an adapter for a target. @public */
export type AdapterFactory = (input: AdapterFactoryInput) => Adapter | Promise<Adapter>;

/** An entry of the adapter registry: the npm package that provides it and how to load its factory. @public */
export interface AdapterEntry {
  /** The package to install when it is missing. */
  package: string;
  /** What the adapter talks to, for `--help` and errors. */
  description: string;
  /** Loads the package (a dynamic import, so an unused adapter costs nothing) and returns its factory. */
  load: () => Promise<AdapterFactory>;
  /**
   * Options that carry secrets, with the environment variables that supply them instead: faasport.yaml
   * is shared and committed, so these are refused there.
   */
  secretOptions?: Record<string, string[]>;
}

/**
 * The adapters the CLI knows, by the name used in `targets.*.adapter`. Each package is imported
 * only when a target uses it.
 *
 * @public
 */
export const adapterRegistry: Record<string, AdapterEntry> = {
  local: {
    package: '@faasport/runtime',
    description: 'the bundled self-hosted runtime (`faasport dev` / `faasport serve`)',
    load: async () => (await import('./adapters/local')).localAdapterFactory,
    secretOptions: { token: ['FAASPORT_RUNTIME_TOKEN'] },
  },
  knative: {
    package: '@faasport/adapter-knative',
    description: 'Knative Serving and Eventing on Kubernetes',
    load: async () => (await import('./adapters/knative')).knativeAdapterFactory,
  },
  fc: {
    package: '@faasport/adapter-fc',
    description: 'Alibaba Cloud Function Compute 2.0',
    load: async () => (await import('./adapters/fc')).fcAdapterFactory,
    // The names @faasport/adapter-fc reads (fcEnvVars), as the Alibaba Cloud CLI and SDKs do.
    secretOptions: {
      credentials: [
        'ALIBABA_CLOUD_ACCESS_KEY_ID',
        'ALIBABA_CLOUD_ACCESS_KEY_SECRET',
        'ALIBABA_CLOUD_SECURITY_TOKEN (STS keys only)',
      ],
    },
  },
  functiongraph: {
    package: '@faasport/adapter-functiongraph',
    description: 'Huawei Cloud FunctionGraph v2',
    load: async () => (await import('./adapters/functiongraph')).functionGraphAdapterFactory,
    // The names @faasport/adapter-functiongraph reads (envVars), as Huawei Cloud's SDKs do.
    secretOptions: {
      credentials: [
        'HUAWEICLOUD_SDK_AK',
        'HUAWEICLOUD_SDK_SK',
        'HUAWEICLOUD_SDK_SECURITY_TOKEN (temporary keys only)',
      ],
    },
  },
};

function isMissingModule(error: unknown, pkg: string): boolean {
  const e = error as { code?: string; message?: string };
  return (
    (e?.code === 'ERR_MODULE_NOT_FOUND' ||
      e?.code === 'MODULE_NOT_FOUND' ||
      /Cannot find (module|package)/.test(e?.message ?? '')) &&
    (e.message ?? '').includes(pkg)
  );
}

/**
 * Creates the adapter named `name`, loading its package on demand.
 *
 * @throws {@link ConfigurationError} for an unknown adapter name (listing the known ones) or when its
 * package is not installed (naming the install command).
 * @public
 */
export async function createAdapter(name: string, input: AdapterFactoryInput): Promise<Adapter> {
  const targetName = input.targetName;
  const entry = adapterRegistry[name];
  if (!entry) {
    throw new ConfigurationError(
      `Target "${targetName}" uses adapter "${name}", which faasport does not know (known: ${Object.keys(adapterRegistry).join(', ')}).`,
      {
        option: `targets.${targetName}.adapter`,
        hint: `Set targets.${targetName}.adapter to one of: ${Object.keys(adapterRegistry).join(', ')}.`,
      },
    );
  }
  let factory: AdapterFactory;
  try {
    factory = await entry.load();
  } catch (error) {
    if (isMissingModule(error, entry.package)) {
      throw new ConfigurationError(
        `Target "${targetName}" needs the package ${entry.package}, which is not installed.`,
        {
          hint: `Install it: npm install ${entry.package}`,
          cause: error,
        },
      );
    }
    throw error;
  }
  return factory(input);
}
