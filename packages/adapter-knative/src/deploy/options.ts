import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import {
  ConfigurationError,
  formatIssues,
  imageTargetOptionsShape,
  ValidationError,
  z,
} from '@faasport/core';
import { queueBindingsSchema, strictWithHints, zodIssues } from '@faasport/core/toolkit';
import type { KubeConfig } from '@kubernetes/client-node';
import { MAX_CONFIGMAP_CODE_BYTES } from './constants';
import { kubernetes } from './kubernetes';

const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * One topic's binding on Knative: the Kafka cluster a `KafkaSource` reads it from. The consumer group
 * defaults to `faasport-<namespace>-<function>-<trigger>` (KafkaSource makes the group immutable, so
 * faasport names it rather than letting the webhook draw a random one).
 *
 * @public
 */
export const knativeQueueBinding = strictWithHints({
  kafka: strictWithHints({
    /** `host:port` of the Kafka brokers (`spec.bootstrapServers`). */
    bootstrapServers: z
      .array(
        z.string().regex(/^[^\s:]+:\d{1,5}$/, {
          error: (i) =>
            `${JSON.stringify(i.input)} is not a Kafka bootstrap server (host:port, e.g. my-cluster-kafka-bootstrap.kafka:9092)`,
        }),
      )
      .min(1, { error: 'must list at least one Kafka broker (host:port)' }),
    /** The consumer group (`spec.consumerGroup`). */
    consumerGroup: z.string().min(1).max(255).optional(),
  }),
});

/**
 * Options of {@link createKnativeAdapter}. Where the cluster is comes from, in order: `kubeConfig`
 * (an object, for tests and programs that already have one), `inCluster`, `kubeconfig` (a file), then
 * the default places (`$KUBECONFIG`, `~/.kube/config`, the in-cluster service account).
 *
 * @public
 */
export const knativeAdapterOptionsSchema = z.strictObject({
  /** A loaded `KubeConfig` from `@kubernetes/client-node`. */
  kubeConfig: z
    .custom<KubeConfig>((value) => value instanceof kubernetes().KubeConfig, {
      error: 'must be a KubeConfig from @kubernetes/client-node',
    })
    .optional(),
  /** Path of a kubeconfig file (like `kubectl --kubeconfig`). */
  kubeconfig: z.string().min(1).optional(),
  /** The kubeconfig context to use (default: its current context). */
  context: z.string().min(1).optional(),
  /** Use the pod's service account (running inside the cluster). */
  inCluster: z.boolean().optional(),
  /** The namespace (default: the context's namespace, else `default`). */
  namespace: z
    .string()
    .regex(dnsLabel, {
      error: (i) => `${JSON.stringify(i.input)} is not a namespace name (lowercase letters, digits and "-")`,
    })
    .optional(),
  /** The server-side apply field manager. */
  fieldManager: z.string().min(1).default('faasport'),
  /**
   * The Node.js image that runs inline / dir / archive / bucket code with faasport's entry script
   * (default: the official `docker.io/library/node:<major>-slim` of the function's runtime). Any image
   * with `node` on its PATH works, e.g. a mirror in a private registry.
   */
  runtimeImage: z.string().min(1).optional(),
  /** `registry`, `baseImage` (default: `runtimeImage`, else the official Node.js image), `imagePlatform`. */
  ...imageTargetOptionsShape,
  /**
   * Send invocations to this address with the route's host in the `Host` header, as you would through
   * a Kourier or Gloo ingress (`http://<ingress-ip>`). Without it, invoke calls `status.url` directly.
   */
  ingress: z
    .url({ error: (i) => `${JSON.stringify(i.input)} is not a URL (e.g. http://10.0.0.5)` })
    .optional(),
  /** Largest code zip plus entry script kept in a ConfigMap, in bytes (Kubernetes allows 1 MiB per ConfigMap). */
  maxConfigMapBytes: z
    .number()
    .int()
    .positive()
    .max(MAX_CONFIGMAP_CODE_BYTES)
    .default(MAX_CONFIGMAP_CODE_BYTES),
  /** Add a 0% `rev-<label>` tag for each revision in the traffic so it can be invoked by revision. */
  revisionTags: z.boolean().default(true),
  /** Environment variables to read `KUBECONFIG` from (default: the process environment). */
  env: z.record(z.string(), z.string().optional()).optional(),
  /**
   * Where each topic a queue trigger reads lives: `queues.<topic>.kafka` makes a `KafkaSource`
   * (knative-extensions/eventing-kafka-broker, `sources.knative.dev/v1beta1`) that sinks to the Service.
   */
  queues: queueBindingsSchema(knativeQueueBinding).optional(),
  /** The deploy target's name, which errors about its options name (default `knative`). */
  target: z.string().min(1).optional(),
  /** How often to re-read while waiting, when a watch ends early (ms). */
  pollIntervalMs: z.number().int().positive().default(1000),
});

/** A topic's binding on Knative, as written. @public */
export type KnativeQueueBinding = z.output<typeof knativeQueueBinding>;

/** What a user passes. @public */
export type KnativeAdapterOptions = z.input<typeof knativeAdapterOptionsSchema>;
/** Options with defaults applied. @public */
export type ResolvedKnativeOptions = z.output<typeof knativeAdapterOptionsSchema>;

/** Validates adapter options; throws a {@link ValidationError} naming each bad option. */
export function parseOptions(input: unknown): ResolvedKnativeOptions {
  const parsed = knativeAdapterOptionsSchema.safeParse(input ?? {});
  if (!parsed.success) {
    throw new ValidationError(zodIssues(parsed.error, { rootPath: '(options)' }), {
      subject: 'the knative adapter options',
      adapter: 'knative',
    });
  }
  return parsed.data;
}

/** Loads the kubeconfig the options point at, and picks the context and namespace. */
export function loadKubeConfig(options: ResolvedKnativeOptions): { kc: KubeConfig; namespace: string } {
  let kc: KubeConfig;
  if (options.kubeConfig) kc = options.kubeConfig;
  else {
    kc = new (kubernetes().KubeConfig)();
    try {
      if (options.inCluster) kc.loadFromCluster();
      else if (options.kubeconfig) {
        if (!existsSync(options.kubeconfig)) {
          throw new ConfigurationError(`The kubeconfig file ${options.kubeconfig} does not exist.`, {
            option: 'kubeconfig',
            adapter: 'knative',
          });
        }
        kc.loadFromFile(options.kubeconfig);
      } else {
        const fromEnv = (options.env ?? process.env).KUBECONFIG;
        const home = join(homedir(), '.kube', 'config');
        const inCluster = existsSync('/var/run/secrets/kubernetes.io/serviceaccount/token');
        if (!fromEnv && !existsSync(home) && !inCluster) {
          // loadFromDefault would silently fall back to http://localhost:8080.
          throw ConfigurationError.missing({
            what: 'a Kubernetes cluster to deploy to (no kubeconfig found)',
            option: 'kubeconfig',
            envVar: 'KUBECONFIG',
            adapter: 'knative',
          });
        }
        if (fromEnv && options.env) {
          // An explicit environment: load its KUBECONFIG list, merged as kubectl and loadFromDefault do.
          const files = fromEnv.split(delimiter).filter(Boolean);
          kc.loadFromFile(files[0]!);
          for (const file of files.slice(1)) {
            const more = new (kubernetes().KubeConfig)();
            more.loadFromFile(file);
            kc.mergeConfig(more);
          }
        } else kc.loadFromDefault();
      }
    } catch (error) {
      if (error instanceof ConfigurationError) throw error;
      throw new ConfigurationError(`The kubeconfig cannot be loaded: ${(error as Error).message}`, {
        option: 'kubeconfig',
        envVar: 'KUBECONFIG',
        adapter: 'knative',
        cause: error,
      });
    }
  }
  if (options.context) {
    const names = kc.getContexts().map((c) => c.name);
    if (!names.includes(options.context)) {
      throw new ConfigurationError(
        `The kubeconfig has no context "${options.context}" (it has: ${names.join(', ') || 'none'}).`,
        {
          option: 'context',
          adapter: 'knative',
          hint: 'Pass one of the listed contexts, or run `kubectl config get-contexts`.',
        },
      );
    }
    kc.setCurrentContext(options.context);
  }
  if (!kc.getCurrentCluster()) {
    throw new ConfigurationError(`The kubeconfig has no cluster for context "${kc.getCurrentContext()}".`, {
      option: 'context',
      adapter: 'knative',
    });
  }
  const contextNamespace = kc.getContextObject(kc.getCurrentContext())?.namespace;
  return { kc, namespace: options.namespace ?? contextNamespace ?? 'default' };
}

/** Formats zod issues of a provider options block. */
export function providerIssues(error: z.ZodError): string {
  return formatIssues(zodIssues(error, { prefix: ['providers', 'knative'] }));
}
