import { exportServiceYaml, importManifest, type KnativeAdapter, toYaml } from '@faasport/adapter-knative';
import { type AdapterContext, defineFunction, deploy, desiredStateOf } from '@faasport/core';
import type { KubernetesEmulator } from '@faasport/emulators/kubernetes';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKnative } from './helpers';

const ctx: AdapterContext = {
  emit() {},
  logger: { debug() {}, info() {}, warn() {} },
  signal: new AbortController().signal,
};
let kube: KubernetesEmulator;
let adapter: KnativeAdapter;

beforeAll(async () => {
  ({ kube, adapter } = await startKnative());
});
afterAll(async () => {
  await kube?.close();
});

describe('export', () => {
  it('exports a deployed Service back to the same neutral function, with its code', async () => {
    const config = {
      name: 'shop',
      source: { inline: 'export default () => "shop";' },
      env: { CURRENCY: 'EUR' },
      resources: { memory: 512, timeout: 60, cpu: 0.5 },
      scaling: { min: 1, max: 7, concurrency: 4, idle: 120 },
      visibility: 'private' as const,
      triggers: [
        { http: {} },
        {
          schedule: {
            name: 'nightly',
            cron: '0 3 * * *',
            timezone: 'Europe/Berlin',
            payload: { job: 'report' },
          },
        },
      ],
      revision: 'v1',
    };
    await deploy(adapter, defineFunction(config));
    const exported = await adapter.export('shop', ctx);
    expect(exported.config).toEqual({
      name: 'shop',
      runtime: 'nodejs20',
      handler: 'index.default',
      contract: 'web',
      source: { archive: './shop.zip' },
      env: { CURRENCY: 'EUR' },
      resources: { memory: 512, cpu: 0.5, timeout: 60 },
      scaling: { min: 1, max: 7, concurrency: 4, idle: 120 },
      visibility: 'private',
      revision: 'v1',
      triggers: [
        { http: {} },
        {
          schedule: {
            name: 'nightly',
            cron: '0 3 * * *',
            timezone: 'Europe/Berlin',
            payload: { job: 'report' },
          },
        },
      ],
    });
    expect(new TextDecoder().decode(unzipSync(exported.code!)['index.mjs'])).toBe(config.source.inline);
    const again = defineFunction({ ...exported.config, source: config.source });
    const original = defineFunction(config);
    for (const key of [
      'env',
      'resources',
      'scaling',
      'visibility',
      'triggers',
      'runtime',
      'handler',
      'contract',
    ] as const)
      expect(again[key]).toEqual(original[key]);
  });

  it('exports a Service YAML file (the helloworld-go example) to the neutral model with notes', () => {
    const yaml = `apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: helloworld-go
  namespace: default
spec:
  template:
    spec:
      containers:
        - image: gcr.io/knative-samples/helloworld-go
          env:
            - name: TARGET
              value: "Yeah, it works!!!"
`;
    const { config, notes } = exportServiceYaml(yaml);
    expect(config).toEqual({
      name: 'helloworld-go',
      source: { image: { ref: 'gcr.io/knative-samples/helloworld-go' } },
      env: { TARGET: 'Yeah, it works!!!' },
      resources: { timeout: 300 },
      triggers: [{ http: {} }],
    });
    expect(notes).toEqual([
      'no memory limit on the container: faasport will set its default (256 MB)',
      'containerConcurrency 0 (unlimited) has no neutral equivalent: concurrency defaults to 1; set scaling.concurrency',
    ]);
    expect(defineFunction(config).source).toEqual({
      kind: 'image',
      ref: 'gcr.io/knative-samples/helloworld-go',
      port: 8080,
    });
  });

  it('names every field of a Service it cannot carry over', () => {
    const { config, notes } = exportServiceYaml(`apiVersion: serving.knative.dev/v1
kind: Service
metadata: { name: api, labels: { team: payments } }
spec:
  template:
    metadata:
      annotations: { autoscaling.knative.dev/metric: rps }
    spec:
      containerConcurrency: 50
      nodeSelector: { pool: fast }
      containers:
        - image: example.com/api:2
          ports: [{ containerPort: 9000 }]
          securityContext: { runAsUser: 1000, runAsGroup: 2000 }
          livenessProbe: { httpGet: { path: /healthz } }
          env:
            - { name: DB_PASSWORD, valueFrom: { secretKeyRef: { name: db, key: password } } }
        - image: example.com/sidecar:1
  traffic:
    - { revisionName: api-00001, percent: 90 }
    - { latestRevision: true, percent: 10, tag: canary }
`);
    expect(config).toMatchObject({
      source: { image: { ref: 'example.com/api:2', port: 9000, user: '1000:2000' } },
      secrets: { DB_PASSWORD: { fromEnv: 'DB_PASSWORD' } },
      scaling: { concurrency: 50 },
      providers: {
        knative: { annotations: { 'autoscaling.knative.dev/metric': 'rps' }, labels: { team: 'payments' } },
      },
    });
    expect(notes).toEqual([
      '1 sidecar container(s) dropped: example.com/sidecar:1',
      'secret values are not exported: set DB_PASSWORD in the environment of the deploy (secrets read them with fromEnv)',
      'no memory limit on the container: faasport will set its default (256 MB)',
      'not exported: container livenessProbe, nodeSelector',
      'traffic split not exported (the revisions it names do not exist on a new target): api-00001 90%, latest 10% (canary)',
    ]);
    expect(defineFunction(config).name).toBe('api');
  });

  it('round-trips a rendered function through YAML, including the FC workload class', () => {
    const fn = defineFunction({
      name: 'coffee',
      source: { image: { ref: 'registry.cn-shenzhen.aliyuncs.com/aliknative/nodejs-express:v3.0' } },
      env: { VERSION: 'coffee-default' },
      scaling: { concurrency: 10 },
      providers: { knative: { workloadClass: 'fc', role: 'acs:ram::1041208914252405:role/fc-yuanyi-test' } },
    });
    const manifests = adapter.render(desiredStateOf(fn));
    const { config, notes } = exportServiceYaml(toYaml(manifests.map((m) => m.content)));
    expect(config.providers).toEqual({
      knative: { workloadClass: 'fc', role: 'acs:ram::1041208914252405:role/fc-yuanyi-test' },
    });
    expect(defineFunction(config).env).toEqual(fn.env);
    expect(defineFunction(config).scaling).toEqual(fn.scaling);
    expect(notes).toEqual([]);
  });
});

describe('import', () => {
  it('imports an OpenFunction v1beta2 Function with build and serving, noting what it dropped', () => {
    const { functions, notes } = importManifest(`apiVersion: core.openfunction.io/v1beta2
kind: Function
metadata: { name: function-sample }
spec:
  version: v1.0.0
  image: openfunctiondev/v1beta1-sample:latest
  imageCredentials: { name: push-secret }
  workloadRuntime: OCIContainer
  build:
    builder: openfunction/builder-go:latest
    env: { FUNC_CLEAR_SOURCE: "true", FUNC_NAME: HelloWorld }
    srcRepo:
      url: https://github.com/OpenFunction/samples.git
      sourceSubPath: functions/knative/hello-world-go
  serving:
    scaleOptions: { minReplicas: 0, maxReplicas: 10, knative: { autoscaling.knative.dev/target: "50", autoscaling.knative.dev/window: "90s", autoscaling.knative.dev/metric: rps } }
    params: { GREETING: hello }
    template:
      containers:
        - name: function
          imagePullPolicy: Always
    timeout: 5m0s
    triggers:
      http:
        port: 8080
        route:
          gatewayRef: { name: openfunction, namespace: openfunction }
`);
    expect(functions).toEqual([
      {
        name: 'function-sample',
        source: { image: { ref: 'openfunctiondev/v1beta1-sample:latest', port: 8080 } },
        revision: 'v1-0-0',
        providers: {
          knative: {
            imagePullSecrets: ['push-secret'],
            target: 50,
            annotations: { 'autoscaling.knative.dev/metric': 'rps' },
          },
        },
        env: { GREETING: 'hello' },
        resources: { timeout: 300 },
        scaling: { min: 0, max: 10, idle: '90s' },
      },
    ]);
    expect(notes).toEqual([
      'version v1.0.0 became revision label "v1-0-0" (labels are DNS labels)',
      'build dropped (builder openfunction/builder-go:latest, source https://github.com/OpenFunction/samples.git (functions/knative/hello-world-go), build env FUNC_CLEAR_SOURCE, FUNC_NAME): faasport deploys the built image openfunctiondev/v1beta1-sample:latest; build it first (OpenFunction, Shipwright or pack)',
      // The defaults applied, noted as the Knative Service import notes them.
      'no memory limit on the container: faasport will set its default (256 MB)',
      'containerConcurrency 0 (unlimited) has no neutral equivalent: concurrency defaults to 1; set scaling.concurrency',
      'the OpenFunction gateway route dropped: the function gets its Knative route URL (add domains for custom hosts)',
    ]);
    const imported = defineFunction(functions[0]!);
    // The import is deployable as it stands: the Knative adapter's own checks find nothing wrong.
    expect(adapter.check!(imported).filter((i) => i.severity === 'error')).toEqual([]);
    expect(imported.scaling.idleSeconds).toBe(90);
  });

  it('imports an OpenFunction v1beta1 Function (port and runtime where v1beta1 keeps them)', () => {
    const { config, notes } = importManifest(`apiVersion: core.openfunction.io/v1beta1
kind: Function
metadata: { name: function-sample }
spec:
  version: "v1.0.0"
  image: "openfunctiondev/v1beta1-sample:latest"
  port: 8081
  build:
    builder: openfunction/builder-go:latest
    srcRepo:
      url: "https://github.com/OpenFunction/samples.git"
  serving:
    runtime: async
    inputs: [{ name: cron, component: cron-input }]
    template:
      containers:
        - name: function
`);
    expect(config.source).toEqual({ image: { ref: 'openfunctiondev/v1beta1-sample:latest', port: 8081 } });
    expect(notes.some((n) => n.startsWith('build dropped'))).toBe(true);
    expect(notes).toContain(
      'serving.runtime "async" (Dapr + KEDA) dropped: deployed as an HTTP function on Knative',
    );
    expect(notes).toContain(
      'Dapr inputs/outputs/triggers dropped (cron): use event triggers through a Knative Broker',
    );
  });

  it('imports a Knative func.yaml', () => {
    const { config, notes } = importManifest(`specVersion: 0.36.0
name: hello
runtime: node
registry: ghcr.io/acme
image: ghcr.io/acme/hello:latest
namespace: default
created: 2026-01-01T00:00:00Z
invoke: http
build:
  builder: pack
run:
  envs:
    - name: GREETING
      value: hi
    - name: API_KEY
      value: '{{ secret:api:key }}'
deploy:
  namespace: default
  options:
    scale: { min: 0, max: 10, metric: concurrency, target: 50, utilization: 70 }
    resources:
      requests: { cpu: 100m, memory: 128Mi }
      limits: { cpu: "1", memory: 256Mi, concurrency: 100 }
  healthEndpoints: { liveness: /health/liveness, readiness: /health/readiness }
`);
    expect(config).toEqual({
      name: 'hello',
      source: { image: { ref: 'ghcr.io/acme/hello:latest' } },
      env: { GREETING: 'hi' },
      secrets: { API_KEY: { fromEnv: 'API_KEY' } },
      scaling: { min: 0, max: 10, concurrency: 100 },
      providers: {
        knative: {
          target: 50,
          annotations: {
            'autoscaling.knative.dev/metric': 'concurrency',
            'autoscaling.knative.dev/target-utilization-percentage': '70',
          },
        },
      },
      resources: { memory: 256 },
      triggers: [{ http: {} }],
    });
    expect(notes).toContain('namespace default is a target setting: put it in targets.<name>.namespace');
    expect(defineFunction(config).scaling.concurrency).toBe(100);
  });

  it('names the kinds it understands when given something else', () => {
    expect(() => importManifest('apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: x }\n')).toThrow(
      /OpenFunction Function .* func.yaml .* Knative Service/,
    );
  });
});
