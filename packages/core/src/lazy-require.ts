import { createRequire } from 'node:module';

// `import.meta.url` is shimmed in the CommonJS build (tsup `shims`).
const requireHere = createRequire(import.meta.url);

/**
 * A dependency loaded on first use instead of at import: most commands never build an archive or
 * compute cron times, and start-up time is mostly module loading. Synchronous, so the functions
 * that use it keep their signatures.
 *
 * @internal
 */
export function lazyRequire<T>(name: string): () => T {
  let loaded: T | undefined;
  return () => {
    loaded ??= requireHere(name) as T;
    return loaded;
  };
}
