import { type ImageSizeLimit, LimitExceededError } from '@faasport/core';
import type { Layer } from './layer';

/** A size limit in bytes and where it comes from (an option, a platform's documented limit). @public */
export type SizeLimit = ImageSizeLimit;

/** The limits {@link buildImage} checks before it writes a blob. @public */
export interface ImageLimits {
  /** The largest blob (a gzipped layer) the registry takes. */
  layer?: SizeLimit;
  /** The largest image the platform runs, counted uncompressed. */
  image?: SizeLimit;
}

/** `12.3 MiB (12901234 bytes)`. */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(1)} ${units[unit]} (${bytes} bytes)`;
}

/**
 * Refuses an image over its limits before anything is written: each layer's blob against
 * `limits.layer`, and the image against `limits.image`, counting own layers uncompressed and the base's
 * layers by their (compressed) sizes in the manifest, the least they can be.
 *
 * @throws {@link LimitExceededError} naming the layer, its size, the limit and where it comes from.
 */
export function checkImageSize(
  base: Array<{ digest: string; size: number }>,
  own: Layer[],
  limits: ImageLimits,
  where: { target: string; functionName?: string; baseName: string },
): void {
  const count = base.length + own.length;
  const fn = where.functionName ? { functionName: where.functionName } : {};
  const layers = [
    ...base.map((d, i) => ({
      what: `base layer ${i + 1} of ${where.baseName}`,
      d,
      blob: d.size,
      raw: d.size,
    })),
    ...own.map((l, i) => ({
      what: `layer ${base.length + i + 1} of ${count}${l.name ? ` (${l.name})` : ''}`,
      d: { digest: l.digest },
      blob: l.blob.length,
      raw: l.tarSize ?? l.blob.length,
    })),
  ];
  if (limits.layer)
    for (const layer of layers)
      if (layer.blob > limits.layer.bytes)
        throw new LimitExceededError(
          {
            limit: `${layer.what}, ${layer.d.digest}, size`,
            actual: formatBytes(layer.blob),
            allowed: `at most ${formatBytes(limits.layer.bytes)} (${limits.layer.source})`,
            target: where.target,
            ...fn,
          },
          {
            hint: `Make the layer smaller (exclude files the function does not need), or raise ${limits.layer.source} if the registry takes larger blobs. Nothing was pushed.`,
          },
        );
  const total = layers.reduce((sum, l) => sum + l.raw, 0);
  if (limits.image && total > limits.image.bytes)
    throw new LimitExceededError(
      {
        limit: 'image size (uncompressed)',
        actual: `at least ${formatBytes(total)}`,
        allowed: `at most ${formatBytes(limits.image.bytes)} (${limits.image.source})`,
        target: where.target,
        ...fn,
      },
      {
        hint: `Use a smaller \`baseImage\` or less code: the largest layers are ${[...layers]
          .sort((a, b) => b.raw - a.raw)
          .slice(0, 2)
          .map((l) => `${l.what} (${formatBytes(l.raw)})`)
          .join(', ')}. Nothing was pushed.`,
      },
    );
}
