/**
 * Waiting on a Knative Service: read it, and while it is not settled, watch it from the
 * resourceVersion read (the reference's §6.6 / §10 pattern), re-reading when a watch ends.
 */
import { DeployTimeoutError } from '@faasport/core';
import type { KubeConfig } from '@kubernetes/client-node';
import type { KubeClient } from './client';
import { kubernetes } from './kubernetes';
import type { KubeObject } from './render';

/** The verdict on one state of the Service. */
export type Verdict<T> = { done: true; value: T } | { done: false; status: string };

/**
 * Waits until `evaluate` says done (or throws), using a watch between reads.
 *
 * @throws {@link DeployTimeoutError} with the last status seen when the deadline passes.
 */
export async function waitForService<T>(
  kc: KubeConfig,
  client: KubeClient,
  name: string,
  evaluate: (service: KubeObject) => Verdict<T>,
  options: { timeoutMs: number; pollIntervalMs: number; signal?: AbortSignal },
): Promise<T> {
  const started = Date.now();
  const deadline = started + options.timeoutMs;
  let last = 'not read yet';
  while (Date.now() < deadline) {
    if (options.signal?.aborted) break;
    const service = await client.get('service', name);
    if (!service)
      throw new DeployTimeoutError({
        functionName: name,
        waitedMs: Date.now() - started,
        lastStatus: 'the Service was deleted',
        adapter: 'knative',
      });
    const verdict = evaluate(service);
    if (verdict.done) return verdict.value;
    last = verdict.status;
    const changed = await watchOnce(
      kc,
      client.namespace,
      name,
      String(service.metadata.resourceVersion),
      Math.min(deadline - Date.now(), options.pollIntervalMs * 30),
    );
    if (changed) {
      const again = evaluate(changed);
      if (again.done) return again.value;
      last = again.status;
    }
  }
  throw new DeployTimeoutError({
    functionName: name,
    waitedMs: Date.now() - started,
    lastStatus: last,
    adapter: 'knative',
  });
}

/** Resolves with the next state of the Service after `resourceVersion`, or undefined when the watch ends. */
function watchOnce(
  kc: KubeConfig,
  namespace: string,
  name: string,
  resourceVersion: string,
  timeoutMs: number,
): Promise<KubeObject | undefined> {
  return new Promise((resolve) => {
    let settled = false;
    let controller: AbortController | undefined;
    const finish = (value: KubeObject | undefined) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      controller?.abort();
      resolve(value);
    };
    const timer = setTimeout(() => finish(undefined), Math.max(0, timeoutMs));
    new (kubernetes().Watch)(kc)
      .watch(
        `/apis/serving.knative.dev/v1/namespaces/${namespace}/services`,
        {
          fieldSelector: `metadata.name=${name}`,
          resourceVersion,
          timeoutSeconds: Math.max(1, Math.ceil(timeoutMs / 1000)),
        },
        (type, object) => {
          if (type === 'MODIFIED' || type === 'ADDED' || type === 'DELETED') finish(object as KubeObject);
          else if (type === 'ERROR') finish(undefined);
        },
        () => finish(undefined),
      )
      .then((ac) => {
        controller = ac;
        if (settled) ac.abort();
      })
      .catch(() => finish(undefined));
  });
}
