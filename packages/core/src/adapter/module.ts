import type { z } from 'zod';
import type { ImagePlan, ImagePlanInput } from './image';
import type { Adapter } from './spec';

/**
 * What an adapter module's {@link AdapterModule.fromTarget} receives: one target of `faasport.yaml`
 * and the world around it.
 *
 * @public
 */
export interface AdapterTargetInput {
  /** The target's name in faasport.yaml (or the adapter name when none was given). */
  targetName: string;
  /** The target's options (everything but `adapter`), not yet validated: the module validates them. */
  options: Record<string, unknown>;
  /** The environment credentials and settings are read from. */
  env: Record<string, string | undefined>;
  /** The project folder: relative paths in options (kubeconfig, data dirs) resolve against it. */
  baseDir: string;
  /**
   * True for offline work (`render`, offline `plan` checks): the adapter must not need credentials
   * or a connection, so absent credentials are filled with placeholders instead of failing.
   */
  offline: boolean;
}

/**
 * One platform, as a package exports it (adapter specification v1.1): the schemas of what a user
 * writes for it and a factory from a target. Core and the CLI know a platform only through this.
 *
 * @public
 */
export interface AdapterModule {
  readonly specificationVersion: 'v1.1';
  /** The name used in `targets.*.adapter` and `providers.*`: `local`, `knative`, `fc`, `lambda`. */
  readonly name: string;
  /** One line for `--help` and errors: what the adapter talks to. */
  readonly description: string;
  /** The target's options (everything of `targets.<t>` but `adapter`). */
  readonly optionsSchema: z.ZodType;
  /** A function's `providers.<name>` options. */
  readonly providerOptionsSchema: z.ZodType;
  /**
   * Options that carry secrets, with the environment variables that supply them instead:
   * faasport.yaml is shared and committed, so these are refused there.
   */
  readonly secretOptions?: Readonly<Record<string, readonly string[]>>;
  /**
   * How a function with code becomes a container image on this platform (its entry for the
   * platform's container contract, the code, the config), or undefined when the target has no
   * `registry` or the function cannot run as an image here. Adapters without it build no images.
   */
  imagePlan?(input: ImagePlanInput): ImagePlan | undefined;
  /** Makes the adapter for one target. */
  fromTarget(input: AdapterTargetInput): Adapter | Promise<Adapter>;
}

/**
 * Marks an object as an adapter module (specification v1.1) and checks its shape once.
 *
 * @public
 */
export function defineAdapterModule<M extends AdapterModule>(module: M): M {
  if (module.specificationVersion !== 'v1.1') {
    throw new TypeError(
      `adapter module "${module.name}" implements specification ${String(module.specificationVersion)}; this core supports v1.1`,
    );
  }
  return module;
}
