import type { Adapter } from '../adapter';
import { contextFor, type EngineOptions } from './options';

/**
 * Removes a function and everything faasport made for it on the target. No error when it is absent.
 *
 * @public
 */
export async function remove(adapter: Adapter, name: string, options: EngineOptions = {}): Promise<void> {
  await adapter.remove(name, contextFor(options));
}
