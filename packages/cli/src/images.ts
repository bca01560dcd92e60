import { packageSource, type ResolvedFunction, type ResolvedTarget } from '@faasport/core';

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

/**
 * Builds and pushes the image of each buildable function for a target with `registry`. Only the
 * Knative adapter describes its image layout so far; a target without `registry` (or of another
 * adapter) builds nothing and returns an empty list. Every function is built before any returns,
 * so a failure stops a deploy before its first write. `push: false` computes the digests only (plan).
 */
export async function buildTargetImages(
  target: ResolvedTarget,
  functions: ResolvedFunction[],
  env: NodeJS.ProcessEnv,
  options: { push?: boolean } = {},
): Promise<FunctionImage[]> {
  if (target.adapter !== 'knative' || !target.options.registry) return [];
  const [{ knativeImagePlan }, { buildImage, buildLayer }] = await Promise.all([
    import('@faasport/adapter-knative'),
    import('@faasport/image'),
  ]);
  const images: FunctionImage[] = [];
  for (const fn of functions.filter(buildable)) {
    const plan = knativeImagePlan(fn, packageSource(fn).zip!, target.options);
    if (!plan) continue;
    const built = await buildImage({
      base: plan.base,
      target: plan.target,
      platform: plan.platform,
      layers: plan.layers.map((files) => buildLayer(files)),
      settings: plan.settings,
      push: options.push ?? true,
      ...(plan.maxLayerBytes
        ? { limits: { layer: { bytes: plan.maxLayerBytes, source: 'registry.maxLayerBytes' } } }
        : {}),
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
