import type { Capabilities } from '@faasport/core';

/**
 * What Knative can do for a faasport function. Storage triggers have no Knative mapping here; queue
 * triggers read Kafka through a KafkaSource; per-request auth is not part of Knative Serving.
 *
 * @public
 */
export const knativeCapabilities: Capabilities = {
  features: {
    'source.inline': 'native',
    'source.dir': { level: 'native', note: 'the code zip is kept in a ConfigMap (up to 1 MiB)' },
    'source.archive': { level: 'native', note: 'the code zip is kept in a ConfigMap (up to 1 MiB)' },
    'source.bucket': {
      level: 'emulated',
      note: "faasport's entry script downloads the zip from source.bucket.endpoint at start",
    },
    'source.image': 'native',
    'contract.web': 'native',
    'contract.event': { level: 'native', note: 'CloudEvents over HTTP, binary or structured' },
    'contract.native': {
      level: 'limited',
      note: 'only with providers.knative.workloadClass: fc (FC native handlers)',
    },
    'trigger.http': 'native',
    'trigger.http.private': {
      level: 'unsupported',
      note: 'Knative Serving has no per-request auth',
      instead:
        'Use visibility: private (cluster-local URL), or put an authenticating proxy or ingress policy in front of the function.',
    },
    'trigger.schedule': { level: 'native', note: 'a PingSource' },
    'trigger.storage': {
      level: 'unsupported',
      note: 'Knative has no object-storage event source that faasport maps to',
      instead:
        'Send bucket notifications to a Knative Broker as CloudEvents and use an event trigger, or deploy this function to fc, functiongraph or local.',
    },
    'trigger.queue': {
      level: 'native',
      note: 'a KafkaSource (eventing-kafka-broker) per queue trigger, from targets.<t>.queues.<topic>.kafka',
    },
    'trigger.event': { level: 'native', note: 'a Broker and a Trigger' },
    'traffic.split': { level: 'native', note: 'any number of revisions' },
    'traffic.tags': { level: 'native', note: 'each tag gets its own URL' },
    'scaling.min': 'native',
    'scaling.max': 'native',
    'scaling.concurrency': {
      level: 'native',
      note: 'containerConcurrency (a hard limit) and the autoscaling target',
    },
    'scaling.toZero': 'native',
    secrets: { level: 'native', note: 'a Secret per set of values, read through secretKeyRef' },
    domains: { level: 'native', note: 'a DomainMapping (needs the domain claimed in the cluster)' },
    initializer: {
      level: 'emulated',
      note: "faasport's entry script calls it once per instance before the first request",
    },
    'visibility.private': { level: 'native', note: 'networking.knative.dev/visibility: cluster-local' },
    logs: {
      level: 'unsupported',
      note: "a function's logs are its containers' logs, which this adapter does not read yet",
      instead: 'kubectl logs -l serving.knative.dev/service=<function> -c user-container (add -f to follow)',
    },
  },
  limits: {
    memoryMb: { min: 16, max: 131_072, description: '16-131072 MB (a Kubernetes memory limit, in MiB)' },
    timeoutSeconds: {
      min: 1,
      max: 600,
      description: '1-600 seconds (Knative max-revision-timeout-seconds default)',
    },
    concurrency: { min: 1, max: 1000, description: '1-1000 (Knative container-concurrency-max-limit)' },
    codeBytes: 1_000_000,
    name: {
      pattern: /^[a-z]([-a-z0-9]*[a-z0-9])?$/,
      maxLength: 45,
      description:
        'lowercase letters, digits and "-", starting with a letter, at most 45 characters (revision names add a suffix within 63)',
    },
    runtimes: [
      'nodejs18',
      'nodejs20',
      'nodejs22',
      'python3.9',
      'python3.10',
      'python3.11',
      'python3.12',
      'custom',
    ],
  },
};
