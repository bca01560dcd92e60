/**
 * A thin layer over `@kubernetes/client-node` 1.4: server-side apply with a field manager, merge
 * patches with a resourceVersion precondition (retried on 409), list by label, delete, and Kubernetes
 * Status errors turned into faasport errors with the status, reason and message.
 */
import { ConfigurationError, FaasportError, ProviderApiError } from '@faasport/core';
import { isNotFound, isRetryable, withRetry } from '@faasport/core/toolkit';
import type { CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { type CustomKind, resources } from './constants';
import { kubernetes } from './kubernetes';
import type { KubeObject } from './render';

/** The Status body of a failed call. */
export interface KubeStatus {
  code?: number;
  reason?: string;
  message?: string;
}

/** Reads the Status out of an `ApiException` (its body is a JSON string for custom objects). */
export function statusOf(error: unknown): KubeStatus {
  if (!(error instanceof kubernetes().ApiException)) return {};
  let body: unknown = error.body;
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body);
    } catch {
      // Not JSON: keep the text as the message.
    }
  }
  const status = (body && typeof body === 'object' ? body : {}) as { reason?: string; message?: string };
  return {
    code: error.code,
    ...(status.reason ? { reason: status.reason } : {}),
    message: status.message ?? (typeof body === 'string' ? body : error.message.split('\n')[0]),
  };
}

/** The kinds of object the client handles: Knative custom resources, plus ConfigMaps and Secrets. */
export type ObjectKind = CustomKind | 'configMap' | 'secret';

/** Which kind an object is. */
export function kindOf(object: KubeObject): ObjectKind {
  if (object.kind === 'ConfigMap') return 'configMap';
  if (object.kind === 'Secret') return 'secret';
  const found = (Object.entries(resources) as Array<[CustomKind, (typeof resources)[CustomKind]]>).find(
    ([, r]) => r.kind === object.kind,
  );
  if (!found) throw new Error(`unknown kind ${object.kind}`);
  return found[0];
}

/** A Kubernetes client bound to one namespace and field manager. */
export class KubeClient {
  private readonly custom: CustomObjectsApi;
  private readonly core: CoreV1Api;

  constructor(
    kc: KubeConfig,
    readonly namespace: string,
    private readonly fieldManager: string,
  ) {
    this.custom = kc.makeApiClient(kubernetes().CustomObjectsApi);
    this.core = kc.makeApiClient(kubernetes().CoreV1Api);
  }

  /**
   * Runs a call with the toolkit's retry (429 and 5xx, honouring the API server's `Retry-After`, which
   * API Priority and Fairness and max-in-flight set on every rejection: k8s.io/apiserver
   * pkg/server/filters/maxinflight.go, kubernetes/kubernetes#117734; transient network failures), and turns API failures into
   * {@link ProviderApiError}s. Every call wrapped here is a read, a server-side apply or a delete, so a
   * retry repeats nothing that a first success would not have done.
   */
  private async call<T>(operation: string, run: () => Promise<T>): Promise<T> {
    try {
      return await withRetry(run, { baseDelayMs: 100, maxDelayMs: 5000 });
    } catch (error) {
      throw FaasportError.isInstance(error) ? error : toProviderError(operation, error);
    }
  }

  private readonly served = new Map<string, Promise<boolean>>();

  /**
   * Throws when the cluster does not serve the API group of `kind`. A GET of a missing object and of an
   * API nobody installed both answer 404 ("the server could not find the requested resource"), so the
   * group's discovery document decides (`GET /apis/{group}/{version}`, as kubectl does); cached.
   */
  private async assertServed(kind: CustomKind): Promise<void> {
    if (!(await this.serves(kind))) throw notInstalled(resources[kind].group, resources[kind].version);
  }

  /** Whether the cluster serves the API of `kind` (its group's discovery document), cached. */
  async serves(kind: CustomKind): Promise<boolean> {
    const { group, version } = resources[kind];
    const key = `${group}/${version}`;
    let served = this.served.get(key);
    if (!served) {
      served = this.custom.getAPIResources({ group, version }).then(
        () => true,
        (error: unknown) => {
          if (isNotFound(error)) return false;
          throw toProviderError(`discover ${key}`, error);
        },
      );
      this.served.set(key, served);
    }
    return served;
  }

  /** GET; `undefined` on 404 (after checking that the cluster serves the kind's API at all). */
  async get(kind: ObjectKind, name: string): Promise<KubeObject | undefined> {
    try {
      return await withRetry(() => this.read(kind, name), { baseDelayMs: 100, maxDelayMs: 5000 });
    } catch (error) {
      if (!isNotFound(error)) throw toProviderError(`get ${kind} ${name}`, error);
      if (kind !== 'configMap' && kind !== 'secret') await this.assertServed(kind);
      return undefined;
    }
  }

  /** One GET of an object; a 404 is thrown like any failure. */
  private async read(kind: ObjectKind, name: string): Promise<KubeObject> {
    if (kind === 'configMap')
      return (await this.core.readNamespacedConfigMap({
        name,
        namespace: this.namespace,
      })) as unknown as KubeObject;
    if (kind === 'secret')
      return (await this.core.readNamespacedSecret({
        name,
        namespace: this.namespace,
      })) as unknown as KubeObject;
    return (await this.custom.getNamespacedCustomObject({
      ...pick(resources[kind]),
      namespace: this.namespace,
      name,
    })) as KubeObject;
  }

  /** Lists objects of a kind by label selector. */
  async list(kind: ObjectKind, labelSelector: string): Promise<KubeObject[]> {
    return this.call(`list ${kind}`, async () => {
      if (kind === 'configMap')
        return (await this.core.listNamespacedConfigMap({ namespace: this.namespace, labelSelector }))
          .items as unknown as KubeObject[];
      if (kind === 'secret')
        return (await this.core.listNamespacedSecret({ namespace: this.namespace, labelSelector }))
          .items as unknown as KubeObject[];
      return this.listCustom(kind, labelSelector);
    });
  }

  private async listCustom(kind: CustomKind, labelSelector: string): Promise<KubeObject[]> {
    try {
      const list = await this.custom.listNamespacedCustomObject({
        ...pick(resources[kind]),
        namespace: this.namespace,
        labelSelector,
      });
      return (list.items ?? []) as KubeObject[];
    } catch (error) {
      if (isNotFound(error)) await this.assertServed(kind);
      throw error;
    }
  }

  /** Server-side apply (create or update) with this client's field manager, forcing ownership. */
  async apply(object: KubeObject): Promise<KubeObject> {
    const kind = kindOf(object);
    const name = object.metadata.name;
    const options = kubernetes().setHeaderOptions('Content-Type', kubernetes().PatchStrategy.ServerSideApply);
    return this.call(`apply ${object.kind} ${name}`, async () => {
      const params = {
        name,
        namespace: this.namespace,
        body: object,
        fieldManager: this.fieldManager,
        force: true,
      };
      if (kind === 'configMap')
        return (await this.core.patchNamespacedConfigMap(params, options)) as unknown as KubeObject;
      if (kind === 'secret')
        return (await this.core.patchNamespacedSecret(params, options)) as unknown as KubeObject;
      return (await this.custom.patchNamespacedCustomObject(
        { ...pick(resources[kind]), ...params },
        options,
      )) as KubeObject;
    });
  }

  /**
   * Merge-patches a custom object, with the resourceVersion it was read at as a precondition. A 409
   * (someone wrote in between) re-reads and retries, up to `attempts` times with jittered backoff, as
   * do throttling (429, after its `Retry-After`) and 5xx answers. An aborted `signal` stops the retries with its reason.
   */
  async mergePatch(
    kind: CustomKind,
    name: string,
    change: (current: KubeObject) => Record<string, unknown>,
    { attempts = 5, signal }: { attempts?: number; signal?: AbortSignal } = {},
  ): Promise<KubeObject> {
    const operation = `patch ${resources[kind].kind} ${name}`;
    const patchOnce = async (): Promise<KubeObject> => {
      const current = await this.get(kind, name);
      if (!current)
        throw new ProviderApiError({
          adapter: 'knative',
          operation,
          status: 404,
          providerCode: 'NotFound',
          providerMessage: `${name} not found`,
        });
      const body = { ...change(current), metadata: { resourceVersion: current.metadata.resourceVersion } };
      return (await this.custom.patchNamespacedCustomObject(
        {
          ...pick(resources[kind]),
          namespace: this.namespace,
          name,
          body,
          fieldManager: this.fieldManager,
        },
        kubernetes().setHeaderOptions('Content-Type', kubernetes().PatchStrategy.MergePatch),
      )) as KubeObject;
    };
    try {
      return await withRetry(patchOnce, {
        // 409 (a write in between) re-reads; throttling and 5xx are retried as every call is.
        retryable: (error) =>
          !(error instanceof ProviderApiError) && (statusOf(error).code === 409 || isRetryable(error)),
        attempts,
        baseDelayMs: 50,
        maxDelayMs: 1000,
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      if (signal?.aborted && error === signal.reason) throw error;
      throw toProviderError(operation, error);
    }
  }

  /** Deletes; quiet when already gone. */
  async delete(kind: ObjectKind, name: string): Promise<void> {
    try {
      if (kind === 'configMap')
        await this.core.deleteNamespacedConfigMap({ name, namespace: this.namespace });
      else if (kind === 'secret') await this.core.deleteNamespacedSecret({ name, namespace: this.namespace });
      else
        await this.custom.deleteNamespacedCustomObject({
          ...pick(resources[kind]),
          namespace: this.namespace,
          name,
        });
    } catch (error) {
      if (isNotFound(error)) return;
      throw toProviderError(`delete ${kind} ${name}`, error);
    }
  }
}

/** The Knative component that serves each API group, for the "not installed" error. */
const components: Record<string, string> = {
  'serving.knative.dev': 'Knative Serving',
  'eventing.knative.dev': 'Knative Eventing',
  'sources.knative.dev': 'Knative Eventing (its sources)',
};

/** The cluster has no Knative: a configuration problem, found before any write. */
function notInstalled(group: string, version: string): ConfigurationError {
  const component =
    group === 'sources.knative.dev' && version === 'v1beta1'
      ? "Knative's Kafka source (knative-extensions/eventing-kafka-broker, for queue triggers)"
      : (components[group] ?? group);
  return new ConfigurationError(
    `${component} is not installed in this cluster: the API ${group}/${version} is not served. Nothing was changed.`,
    {
      adapter: 'knative',
      hint: `Install ${component.replace(/ \(.*\)$/, '')} (https://knative.dev/docs/install/), or point the target at a cluster that has it (kubeconfig, context).`,
    },
  );
}

const pick = (r: { group: string; version: string; plural: string }) => ({
  group: r.group,
  version: r.version,
  plural: r.plural,
});

/** A Kubernetes API failure as a faasport error. */
export function toProviderError(operation: string, error: unknown): ProviderApiError {
  if (error instanceof ProviderApiError) return error;
  const status = statusOf(error);
  if (status.code === undefined) {
    return new ProviderApiError(
      { adapter: 'knative', operation, providerMessage: (error as Error).message, retryable: true },
      { cause: error },
    );
  }
  return new ProviderApiError(
    {
      adapter: 'knative',
      operation,
      status: status.code,
      ...(status.reason ? { providerCode: status.reason } : {}),
      ...(status.message ? { providerMessage: status.message } : {}),
    },
    { cause: error },
  );
}
