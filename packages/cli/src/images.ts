import { packageSource, type ResolvedFunction, type ResolvedTarget } from '@faasport/core';
import { loadAdapterModule } from './adapters';

/** One function's image, as `faasport build` prints it and deploy uses it. */
export interface FunctionImage {
  functionName: string;
  /** `registry/repository@sha256:...`. */
  reference: string;
  digest: string;
  tag: string;
  /** Whether anything was written to the registry. */
  pushed: boolean;
  /** Blobs uploaded or mounted by this build (0 when the registry had everything). */
  blobsPushed: number;
  /** The port the image serves on. */
  port: number;
}

/** Whether a function's code can be built into an image (it has code, not an image or a bucket). */
const buildable = (fn: ResolvedFunction) => ['inline', 'dir', 'archive'].includes(fn.source.kind);

/** Whether a target builds images: it has `registry` and its adapter module describes an image layout. */
export async function buildsImages(target: ResolvedTarget): Promise<boolean> {
  if (!target.options.registry) return false;
  return typeof (await loadAdapterModule(target.adapter, target.name)).imagePlan === 'function';
}

/**
 * Builds and pushes the image of each buildable function for a target with `registry`, in the layout
 * its adapter module describes (`imagePlan`); a target without `registry`, or whose adapter builds no
 * images, returns an empty list. Every function is built before any returns, so a failure stops a
 * deploy before its first write. `push: false` computes the digests only (plan).
 */
export async function buildTargetImages(
  target: ResolvedTarget,
  functions: ResolvedFunction[],
  env: NodeJS.ProcessEnv,
  options: { push?: boolean } = {},
): Promise<FunctionImage[]> {
  if (!target.options.registry) return [];
  const module = await loadAdapterModule(target.adapter, target.name);
  if (!module.imagePlan) return [];
  const { buildImage, buildLayer, imageSizeLimits, zipFiles } = await import('@faasport/image');
  const platformLimit = imageSizeLimits[target.adapter as keyof typeof imageSizeLimits];
  const images: FunctionImage[] = [];
  for (const fn of functions.filter(buildable)) {
    const codeZip = packageSource(fn).zip!;
    const plan = module.imagePlan({
      fn,
      codeZip,
      codeFiles: zipFiles(codeZip),
      targetOptions: target.options,
    });
    if (!plan) continue;
    const built = await buildImage({
      base: plan.base,
      target: plan.target,
      platform: plan.platform,
      layers: plan.layers.map((layer) => buildLayer(layer.files, layer.owner)),
      settings: plan.settings,
      push: options.push ?? true,
      // The plan's own limits win; a platform with a documented image limit gets it when its plan names none.
      limits: { ...(platformLimit ? { image: platformLimit } : {}), ...plan.limits },
      for: { functionName: fn.name, target: target.name },
      clientOptions: (registry) => ({
        env,
        insecure: plan.insecure && plan.target.startsWith(`${registry}/`),
      }),
    });
    images.push({
      functionName: fn.name,
      reference: built.reference,
      digest: built.digest,
      tag: built.tag,
      pushed: built.pushed,
      blobsPushed: built.blobs.filter((b) => b.push === 'uploaded' || b.push === 'mounted').length,
      port: plan.port,
    });
  }
  return images;
}

/** The functions with each built one's source replaced by its image, pinned by digest. */
export function withImageSources(functions: ResolvedFunction[], images: FunctionImage[]): ResolvedFunction[] {
  const byName = new Map(images.map((i) => [i.functionName, i]));
  return functions.map((fn) => {
    const image = byName.get(fn.name);
    if (!image) return fn;
    const { handler: _handler, ...rest } = fn;
    return { ...rest, runtime: 'custom', source: { kind: 'image', ref: image.reference, port: image.port } };
  });
}
