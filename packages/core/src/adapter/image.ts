import { z } from 'zod';
import type { ResolvedFunction } from '../model/resolved';

/**
 * The target options of an adapter that builds images (`faasport build`, and `faasport deploy` with
 * `registry`). Each such adapter spreads this shape into its own options schema, so every platform
 * spells them the same way.
 *
 * @public
 */
export const imageTargetOptionsShape = {
  /**
   * Build each inline / dir / archive function into an image and push it here before the plan
   * (`faasport build` does the same alone); the function then runs the image by digest.
   * `url` is `host[:port]/path`; `insecure: true` allows plain HTTP, to a registry on loopback only;
   * `maxLayerBytes` refuses a layer larger than the registry takes before anything is uploaded.
   */
  registry: z
    .strictObject({
      url: z
        .string()
        .regex(/^[^\s/]+(\/[a-z0-9._-]+)*$/, { error: 'must be host[:port]/path, e.g. ghcr.io/acme' }),
      insecure: z.boolean().default(false),
      /** The largest layer blob the registry takes, in bytes: a larger one is refused before any upload. */
      maxLayerBytes: z.number().int().positive().optional(),
    })
    .optional(),
  /** The base of built images (default: the official Node.js image of the runtime); `scratch` for none. */
  baseImage: z.string().min(1).optional(),
  /** The platform images are built for (default `linux/amd64`). */
  imagePlatform: z
    .string()
    .regex(/^[a-z0-9]+\/[a-z0-9]+(\/[a-z0-9]+)?$/, { error: 'must be os/arch[/variant], e.g. linux/arm64' })
    .default('linux/amd64'),
};

/** The image options as parsed by {@link imageTargetOptionsShape}. @public */
export interface ImageTargetOptions {
  registry?: { url: string; insecure: boolean; maxLayerBytes?: number };
  baseImage?: string;
  imagePlatform: string;
}

/** The label faasport puts on the images it builds, valued with the platform contract their entry serves. @public */
export const IMAGE_ENTRY_LABEL = 'dev.faasport.entry';

/** One file of an image layer: its absolute path in the image and its bytes. @public */
export interface ImagePlanFile {
  path: string;
  data: Uint8Array | string;
  executable?: boolean;
}

/** One layer of a planned image: its files and, when a platform needs it, their owner (default 0:0). @public */
export interface ImagePlanLayer {
  files: ImagePlanFile[];
  owner?: { uid: number; gid: number };
}

/**
 * How one function becomes an image on one platform: where it is pushed, what it builds on, its
 * layers (the platform's entry first, since it changes least, then the code) and its config. An
 * adapter module describes it ({@link AdapterModule.imagePlan}); the CLI builds and pushes it.
 *
 * @public
 */
export interface ImagePlan {
  /** `host/path/<function>:latest`. */
  target: string;
  /** Plain HTTP to a registry on loopback. */
  insecure: boolean;
  /** The base image reference, or `scratch`. */
  base: string;
  platform: { os: string; architecture: string; variant?: string };
  layers: ImagePlanLayer[];
  settings: {
    entrypoint: string[];
    cmd?: string[];
    env: Record<string, string>;
    exposedPorts?: string[];
    workingDir: string;
    user?: string;
    labels: Record<string, string>;
  };
  /** The port the image serves on (the function's image source `port`). */
  port: number;
  /**
   * Sizes checked before any blob is written: `layer` (the largest blob the registry takes, from
   * `registry.maxLayerBytes`) and `image` (the platform's largest image, uncompressed), each with
   * the source an error names.
   */
  limits?: { layer?: ImageSizeLimit; image?: ImageSizeLimit };
}

/** A size limit in bytes and where it comes from (an option, a platform's documented limit). @public */
export interface ImageSizeLimit {
  bytes: number;
  /** Named in the error, e.g. `registry.maxLayerBytes` or `Lambda's 10 GB image limit`. */
  source: string;
}

/** What {@link AdapterModule.imagePlan} receives for one function. @public */
export interface ImagePlanInput {
  fn: ResolvedFunction;
  /** The function's code package (the zip a code deploy would upload). */
  codeZip: Uint8Array;
  /** The same package's files, by path relative to the code root. */
  codeFiles: ReadonlyArray<{ path: string; data: Uint8Array }>;
  /** The target's options, not yet validated (the module parses them with its own schema). */
  targetOptions: unknown;
}

/** The official Node.js image for a runtime such as `nodejs20`: `docker.io/library/node:20-slim` (`node:22-slim` for other runtimes). @public */
export function defaultNodeImage(runtime: string): string {
  const major = /^nodejs(\d+)$/.exec(runtime)?.[1] ?? '22';
  return `docker.io/library/node:${major}-slim`;
}

/**
 * The parts of an {@link ImagePlan} every platform shares, from the image options: the target
 * reference under `registry.url`, the base, and the platform; undefined without `registry`.
 *
 * @public
 */
export function imagePlanTarget(
  fn: ResolvedFunction,
  options: ImageTargetOptions,
  defaultBase = defaultNodeImage(fn.runtime),
): Pick<ImagePlan, 'target' | 'insecure' | 'base' | 'platform' | 'limits'> | undefined {
  if (!options.registry) return undefined;
  const [os, architecture, variant] = options.imagePlatform.split('/') as [string, string, string?];
  return {
    target: `${options.registry.url}/${fn.name}:latest`,
    insecure: options.registry.insecure,
    base: options.baseImage ?? defaultBase,
    platform: { os, architecture, ...(variant ? { variant } : {}) },
    ...(options.registry.maxLayerBytes
      ? { limits: { layer: { bytes: options.registry.maxLayerBytes, source: 'registry.maxLayerBytes' } } }
      : {}),
  };
}

/** The image options of a target's options (validated already by the module's own schema). @public */
export function parseImageTargetOptions(targetOptions: unknown): ImageTargetOptions {
  return z.object(imageTargetOptionsShape).parse(targetOptions ?? {});
}

/** A platform's layout of a Node.js function image: its entry file, where the code goes, its config. @public */
export interface NodeImageLayout {
  /** The value of the {@link IMAGE_ENTRY_LABEL} label: the platform contract the entry serves. */
  contract: string;
  /** The folder of the entry and the code (the working dir). */
  codeDir: string;
  /** faasport's entry for the platform's container contract, run as `node <codeDir>/<file>`. */
  entry: { file: string; script: string };
  /** Arguments after the entrypoint (CMD), e.g. the handler of a Lambda image. */
  cmd?: string[];
  env: Record<string, string>;
  /** The port the entry serves on, when it serves HTTP. */
  port?: number;
  /** Owner of both layers' files, and the user the image runs as, when the platform needs one. */
  owner?: { uid: number; gid: number };
  /** The platform's largest image, uncompressed, checked before any blob is written. */
  imageLimit?: ImageSizeLimit;
}

/**
 * The image plan of a Node.js function on a platform: layer 1 holds the entry (it changes least),
 * layer 2 the code files beside it; `node <entry>` is the entrypoint; undefined without `registry`.
 *
 * @public
 */
export function nodeImagePlan(input: ImagePlanInput, layout: NodeImageLayout): ImagePlan | undefined {
  const where = imagePlanTarget(input.fn, parseImageTargetOptions(input.targetOptions));
  if (!where) return undefined;
  const entryPath = `${layout.codeDir}/${layout.entry.file}`;
  const owner = layout.owner ? { owner: layout.owner } : {};
  const limits = { ...where.limits, ...(layout.imageLimit ? { image: layout.imageLimit } : {}) };
  return {
    ...where,
    ...(Object.keys(limits).length > 0 ? { limits } : {}),
    layers: [
      { files: [{ path: entryPath, data: layout.entry.script }], ...owner },
      {
        files: input.codeFiles
          .filter((f) => f.path !== layout.entry.file)
          .map((f) => ({ path: `${layout.codeDir}/${f.path}`, data: f.data })),
        ...owner,
      },
    ],
    settings: {
      entrypoint: ['node', entryPath],
      ...(layout.cmd ? { cmd: layout.cmd } : {}),
      env: layout.env,
      ...(layout.port ? { exposedPorts: [`${layout.port}/tcp`] } : {}),
      workingDir: layout.codeDir,
      ...(layout.owner ? { user: `${layout.owner.uid}:${layout.owner.gid}` } : {}),
      labels: { [IMAGE_ENTRY_LABEL]: layout.contract },
    },
    port: layout.port ?? 8080,
  };
}
