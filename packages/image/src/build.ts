import { ProviderApiError } from '@faasport/core';
import {
  type BlobPush,
  type Descriptor,
  type FetchedManifest,
  mediaTypes,
  type Platform,
  RegistryClient,
  type RegistryClientOptions,
} from './client';
import { type Layer, sha256Digest } from './layer';
import { checkImageSize, type ImageLimits } from './limits';
import { formatImageReference, type ImageReference, parseImageReference } from './reference';

/** The container settings of an image config (OCI image-spec config.md `config`). @public */
export interface ImageSettings {
  entrypoint?: string[];
  cmd?: string[];
  /** Added to (and overriding) the base image's variables. */
  env?: Record<string, string>;
  workingDir?: string;
  /** e.g. `8080/tcp`. */
  exposedPorts?: string[];
  user?: string;
  labels?: Record<string, string>;
}

/** What {@link buildImage} needs. @public */
export interface BuildImageInput {
  /** The base image reference, or `scratch` for none. */
  base: string;
  /** Where the image goes: `registry/repository:tag`. */
  target: string;
  platform: Platform;
  /** Layers on top of the base, in order. */
  layers: Layer[];
  settings: ImageSettings;
  /** Compute the digest only (reads the base, writes nothing), e.g. for a plan. Default true. */
  push?: boolean;
  /** Client options per registry host (insecure, credentials). */
  clientOptions?: (registry: string) => RegistryClientOptions;
  /** Size limits checked before any blob is written (and for `push: false` too). */
  limits?: ImageLimits;
  /** The function and faasport target the image is for, named in errors. */
  for?: { functionName?: string; target?: string };
}

/** What {@link buildImage} did. @public */
export interface BuiltImage {
  /** `registry/repository@sha256:...`, the reference to deploy. */
  reference: string;
  digest: string;
  /** The tag it was pushed under. */
  tag: string;
  /** Whether anything was written (false: the registry already had this exact image under the tag). */
  pushed: boolean;
  /** How each blob got there. */
  blobs: Array<{ digest: string; size: number; push: BlobPush | 'skipped' }>;
}

interface BaseImage {
  ref?: ImageReference;
  client?: RegistryClient;
  manifestType: 'oci' | 'docker';
  layers: Descriptor[];
  config: { config?: Record<string, unknown>; rootfs?: { diff_ids?: string[] } };
}

const platformText = (p: Platform) => `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`;

/** Picks the manifest for `platform` from an index (OCI image-spec image-index.md `platform`). */
function pickPlatform(index: FetchedManifest, platform: Platform, ref: string): Descriptor {
  const entries = index.json.manifests ?? [];
  const match =
    entries.find(
      (m) =>
        m.platform?.os === platform.os &&
        m.platform.architecture === platform.architecture &&
        (!platform.variant || m.platform.variant === platform.variant),
    ) ?? undefined;
  if (match) return match;
  const offered = entries.flatMap((m) => (m.platform ? [platformText(m.platform)] : [])).join(', ');
  throw new ProviderApiError(
    {
      adapter: 'registry',
      operation: `resolve base image ${ref}`,
      providerCode: 'PLATFORM_MISSING',
      providerMessage: `the image has no ${platformText(platform)} variant (it has: ${offered || 'none'})`,
      retryable: false,
    },
    { hint: `Choose a \`baseImage\` built for ${platformText(platform)}.` },
  );
}

async function resolveBase(
  input: BuildImageInput,
  clientFor: (r: string) => RegistryClient,
): Promise<BaseImage> {
  if (input.base === 'scratch') return { manifestType: 'oci', layers: [], config: {} };
  const ref = parseImageReference(input.base);
  const client = clientFor(ref.registry);
  let manifest = await client.getManifest(ref.repository, ref.digest ?? ref.tag ?? 'latest');
  if (manifest.mediaType === mediaTypes.ociIndex || manifest.mediaType === mediaTypes.dockerList)
    manifest = await client.getManifest(
      ref.repository,
      pickPlatform(manifest, input.platform, input.base).digest,
    );
  const config = JSON.parse(
    new TextDecoder().decode(await client.getBlob(ref.repository, manifest.json.config!.digest)),
  ) as BaseImage['config'] & Partial<Platform>;
  if (config.architecture && config.architecture !== input.platform.architecture)
    throw new ProviderApiError(
      {
        adapter: 'registry',
        operation: `resolve base image ${input.base}`,
        providerCode: 'PLATFORM_MISSING',
        providerMessage: `the image is ${config.os}/${config.architecture}, not ${platformText(input.platform)}`,
        retryable: false,
      },
      { hint: `Choose a \`baseImage\` built for ${platformText(input.platform)}.` },
    );
  return {
    ref,
    client,
    manifestType: manifest.mediaType === mediaTypes.dockerManifest ? 'docker' : 'oci',
    layers: manifest.json.layers ?? [],
    config,
  };
}

/** The image config: the base's, with our layers' diff_ids and settings, and no creation time (reproducible). */
function imageConfig(base: BaseImage, input: BuildImageInput): Uint8Array {
  const baseSettings = (base.config.config ?? {}) as Record<string, unknown>;
  const env = new Map<string, string>();
  for (const line of (baseSettings.Env as string[] | undefined) ?? []) {
    const eq = line.indexOf('=');
    env.set(line.slice(0, eq), line.slice(eq + 1));
  }
  for (const [k, v] of Object.entries(input.settings.env ?? {})) env.set(k, v);
  const s = input.settings;
  const settings: Record<string, unknown> = {
    ...baseSettings,
    ...(env.size ? { Env: [...env].map(([k, v]) => `${k}=${v}`) } : {}),
    ...(s.entrypoint ? { Entrypoint: s.entrypoint, Cmd: s.cmd ?? null } : s.cmd ? { Cmd: s.cmd } : {}),
    ...(s.workingDir ? { WorkingDir: s.workingDir } : {}),
    ...(s.user ? { User: s.user } : {}),
    ...(s.exposedPorts ? { ExposedPorts: Object.fromEntries(s.exposedPorts.map((p) => [p, {}])) } : {}),
    ...(s.labels ? { Labels: { ...(baseSettings.Labels as object | undefined), ...s.labels } } : {}),
  };
  const config = {
    architecture: input.platform.architecture,
    os: input.platform.os,
    ...(input.platform.variant ? { variant: input.platform.variant } : {}),
    config: settings,
    rootfs: {
      type: 'layers',
      diff_ids: [...(base.config.rootfs?.diff_ids ?? []), ...input.layers.map((l) => l.diffId)],
    },
  };
  return new TextEncoder().encode(JSON.stringify(config));
}

/**
 * Builds an image on a base without a container engine and pushes it: the base's layers are reused
 * (mounted or copied when the target registry lacks them), `layers` are added, the config and the
 * manifest are written with the base's media type family (Docker schema 2 or OCI). Nothing is
 * written when the registry already has the same manifest under the tag; otherwise the missing
 * blobs go first and the manifest last, so an interrupted push leaves no tag to a half image and a
 * re-run finishes it. The result is pinned by digest.
 *
 * @public
 */
export async function buildImage(input: BuildImageInput): Promise<BuiltImage> {
  const clients = new Map<string, RegistryClient>();
  const clientFor = (registry: string) => {
    let client = clients.get(registry);
    if (!client) {
      client = new RegistryClient(registry, input.clientOptions?.(registry) ?? {});
      clients.set(registry, client);
    }
    return client;
  };
  const target = parseImageReference(input.target);
  const tag = target.tag ?? 'latest';
  const targetClient = clientFor(target.registry);
  const base = await resolveBase(input, clientFor);
  if (input.limits)
    checkImageSize(base.layers, input.layers, input.limits, {
      target: input.for?.target ?? input.target,
      baseName: input.base,
      ...(input.for?.functionName ? { functionName: input.for.functionName } : {}),
    });
  const docker = base.manifestType === 'docker';
  const config = imageConfig(base, input);
  const configDescriptor: Descriptor = {
    mediaType: docker ? mediaTypes.dockerConfig : mediaTypes.ociConfig,
    digest: sha256Digest(config),
    size: config.length,
  };
  const ownLayers: Descriptor[] = input.layers.map((l) => ({
    mediaType: docker ? mediaTypes.dockerLayer : mediaTypes.ociLayer,
    digest: l.digest,
    size: l.blob.length,
  }));
  const manifestType = docker ? mediaTypes.dockerManifest : mediaTypes.ociManifest;
  const manifest = new TextEncoder().encode(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: manifestType,
      config: configDescriptor,
      layers: [...base.layers, ...ownLayers],
    }),
  );
  const digest = sha256Digest(manifest);
  const reference = formatImageReference({
    registry: target.registry,
    repository: target.repository,
    digest,
  });
  const blobs: BuiltImage['blobs'] = [];
  if (input.push === false || (await targetClient.manifestDigest(target.repository, tag)) === digest) {
    for (const d of [...base.layers, configDescriptor, ...ownLayers])
      blobs.push({ digest: d.digest, size: d.size, push: 'skipped' });
    return { reference, digest, tag, pushed: false, blobs };
  }
  // A base on the same registry is mounted (no bytes move); one elsewhere is copied, read only when missing.
  const mountFrom = base.ref?.registry === target.registry ? base.ref.repository : undefined;
  for (const layer of base.layers) {
    const push = await targetClient.pushBlob(
      target.repository,
      layer.digest,
      () => base.client!.getBlob(base.ref!.repository, layer.digest),
      mountFrom,
    );
    blobs.push({ digest: layer.digest, size: layer.size, push });
  }
  for (const [i, layer] of input.layers.entries())
    blobs.push({
      digest: layer.digest,
      size: ownLayers[i]!.size,
      push: await targetClient.pushBlob(target.repository, layer.digest, layer.blob),
    });
  blobs.push({
    digest: configDescriptor.digest,
    size: config.length,
    push: await targetClient.pushBlob(target.repository, configDescriptor.digest, config),
  });
  await targetClient.putManifest(target.repository, tag, manifest, manifestType);
  return { reference, digest, tag, pushed: true, blobs };
}
