import {
  type Adapter,
  type AdapterModule,
  type AdapterTargetInput,
  assertTargetOptions,
  ConfigurationError,
} from '@faasport/core';

/** An entry of the adapter registry: the npm package that provides an adapter and how to load it. @public */
export interface AdapterEntry {
  /** The package to install when it is missing. */
  package: string;
  /** What the adapter talks to, for `--help` and errors (before its package is loaded). */
  description: string;
  /** Loads the package: a literal dynamic import, so an unused adapter costs nothing and bundlers see it. */
  load: () => Promise<{ adapterModule: AdapterModule }>;
}

/**
 * The adapters the CLI knows, by the name used in `targets.*.adapter` and `providers.*`. Each package
 * exports its `adapterModule` (specification v1.1) and is imported only when a target uses it. Adding
 * an adapter is one line here and a dependency in this package's package.json.
 *
 * @public
 */
export const adapterRegistry: Record<string, AdapterEntry> = {
  local: {
    package: '@faasport/runtime',
    description: 'the bundled self-hosted runtime (`faasport dev` / `faasport serve`)',
    load: () => import('@faasport/runtime/adapter'),
  },
  knative: {
    package: '@faasport/adapter-knative',
    description: 'Knative Serving and Eventing on Kubernetes',
    load: () => import('@faasport/adapter-knative'),
  },
  fc: {
    package: '@faasport/adapter-fc',
    description: 'Alibaba Cloud Function Compute 2.0',
    load: () => import('@faasport/adapter-fc'),
  },
  functiongraph: {
    package: '@faasport/adapter-functiongraph',
    description: 'Huawei Cloud FunctionGraph v2',
    load: () => import('@faasport/adapter-functiongraph'),
  },
  lambda: {
    package: '@faasport/adapter-lambda',
    description: 'AWS Lambda',
    load: () => import('@faasport/adapter-lambda'),
  },
};

/** The names of the known adapters: what `providers` keys and `targets.*.adapter` may be. @public */
export function adapterNames(): string[] {
  return Object.keys(adapterRegistry);
}

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
 * Loads the module of the adapter named `name` (its package on demand).
 *
 * @throws {@link ConfigurationError} for an unknown adapter name (listing the known ones) or when its
 * package is not installed (naming the install command).
 * @public
 */
export async function loadAdapterModule(name: string, targetName = name): Promise<AdapterModule> {
  const entry = adapterRegistry[name];
  if (!entry) {
    throw new ConfigurationError(
      `Target "${targetName}" uses adapter "${name}", which faasport does not know (known: ${adapterNames().join(', ')}).`,
      {
        option: `targets.${targetName}.adapter`,
        hint: `Set targets.${targetName}.adapter to one of: ${adapterNames().join(', ')}.`,
      },
    );
  }
  try {
    return (await entry.load()).adapterModule;
  } catch (error) {
    if (isMissingModule(error, entry.package)) {
      throw new ConfigurationError(
        `Target "${targetName}" needs the package ${entry.package}, which is not installed.`,
        { hint: `Install it: npm install ${entry.package}`, cause: error },
      );
    }
    throw error;
  }
}

/**
 * Creates the adapter named `name` for one target: loads its module, validates the target's options
 * with the module's `optionsSchema` (a did-you-mean for unknown keys), then calls its `fromTarget`.
 *
 * @throws {@link ConfigurationError} for an unknown or missing adapter; {@link ValidationError} for bad options.
 * @public
 */
export async function createAdapter(
  name: string,
  input: AdapterTargetInput & { file?: string },
): Promise<Adapter> {
  const { file, ...target } = input;
  const module = await loadAdapterModule(name, target.targetName);
  assertTargetOptions(module, target.targetName, target.options, file ? { file } : {});
  return module.fromTarget(target);
}
