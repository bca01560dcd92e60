import { createKnativeAdapter, toYaml } from '@faasport/adapter-knative';
import { defineFunction, desiredStateOf, type FunctionConfig } from '@faasport/core';
import { validateManifest } from '@faasport/emulators/kubernetes';
import { describe, expect, it } from 'vitest';

const adapter = createKnativeAdapter({ namespace: 'default' });

/** Renders a function and checks every manifest against the emulator's admission rules. */
function render(config: FunctionConfig, env: Record<string, string> = {}) {
  const manifests = adapter.render(desiredStateOf(defineFunction(config), { env }));
  for (const m of manifests)
    expect(validateManifest(m.content), `${m.name} must pass Knative's rules`).toEqual([]);
  return manifests;
}

/** Hash annotations change with any change to core's hashing; snapshots show them as <hash>. */
function stable<T>(value: T): T {
  return JSON.parse(JSON.stringify(value), (key, v) =>
    key.startsWith('faasport.dev/') && key.endsWith('-hash') ? '<hash>' : v,
  );
}

const serviceOf = (config: FunctionConfig) =>
  render(config).find((m) => m.name.endsWith('.service.yaml'))!.content as Record<string, any>;

describe('render: the helloworld-go Service', () => {
  it('renders the image with its TARGET env as a valid Knative Service', () => {
    const manifests = render({
      name: 'helloworld-go',
      source: { image: { ref: 'gcr.io/knative-samples/helloworld-go' } },
      env: { TARGET: 'Yeah, it works!!!' },
      revision: 'v1',
    });
    expect(manifests.map((m) => m.name)).toEqual(['helloworld-go.service.yaml']);
    expect(toYaml(manifests.map((m) => stable(m.content)))).toMatchInlineSnapshot(`
      "apiVersion: serving.knative.dev/v1
      kind: Service
      metadata:
        name: helloworld-go
        namespace: default
        labels:
          app.kubernetes.io/managed-by: faasport
          faasport.dev/function: helloworld-go
        annotations:
          faasport.dev/object-hash: <hash>
          faasport.dev/spec-hash: <hash>
      spec:
        template:
          metadata:
            name: helloworld-go-v1
            labels:
              faasport.dev/function: helloworld-go
              faasport.dev/revision: v1
            annotations:
              autoscaling.knative.dev/min-scale: "0"
              autoscaling.knative.dev/max-scale: "100"
              autoscaling.knative.dev/target: "1"
              autoscaling.knative.dev/window: 60s
              faasport.dev/revision-hash: <hash>
              faasport.dev/template-hash: <hash>
          spec:
            containerConcurrency: 1
            timeoutSeconds: 30
            containers:
              - image: gcr.io/knative-samples/helloworld-go
                ports:
                  - containerPort: 8080
                env:
                  - name: TARGET
                    value: Yeah, it works!!!
                resources:
                  limits:
                    memory: 256Mi
                  requests:
                    memory: 256Mi
        traffic:
          - revisionName: helloworld-go-v1
            percent: 100
      "
    `);
  });
});

describe('render: the blue-green progression', () => {
  const base: FunctionConfig = {
    name: 'blue-green-demo',
    source: { image: { ref: 'example.com/blue-green-demo:1' } },
  };
  const trafficOf = (config: FunctionConfig) => {
    const svc = serviceOf(config);
    return { revision: svc.spec.template.metadata.name, traffic: svc.spec.traffic };
  };

  const v1 = 'blue-green-demo-v1';
  const v2 = 'blue-green-demo-v2';
  // Each step of Knative's blue-green guide: the function's revision and traffic in faasport.yaml, and
  // the Service's template name and traffic block they render to.
  it.each<{ step: string; config: Partial<FunctionConfig>; revision: string; traffic: unknown[] }>([
    {
      step: 'v1 takes 100%',
      config: { revision: 'v1', env: { COLOR: 'blue' } },
      revision: v1,
      traffic: [{ percent: 100, revisionName: v1 }],
    },
    {
      step: 'v2 arrives at 0% under the tag v2',
      config: {
        traffic: [
          { revision: 'v1', percent: 100 },
          { revision: 'latest', percent: 0, tag: 'v2' },
        ],
      },
      revision: v2,
      traffic: [
        { percent: 100, revisionName: v1 },
        { percent: 0, revisionName: v2, tag: 'v2' },
      ],
    },
    {
      step: 'splits 50/50',
      config: {
        traffic: [
          { revision: 'v1', percent: 50 },
          { revision: 'latest', percent: 50, tag: 'v2' },
        ],
      },
      revision: v2,
      traffic: [
        { percent: 50, revisionName: v1 },
        { percent: 50, revisionName: v2, tag: 'v2' },
      ],
    },
    {
      step: 'moves all traffic to v2, keeping v1 reachable by its tag',
      config: {
        traffic: [
          { revision: 'v1', percent: 0, tag: 'v1' },
          { revision: 'latest', percent: 100 },
        ],
      },
      revision: v2,
      traffic: [
        { percent: 0, revisionName: v1, tag: 'v1' },
        { percent: 100, revisionName: v2 },
      ],
    },
    {
      step: 'rolls back to v1',
      config: { traffic: [{ revision: 'v1', percent: 100 }] },
      revision: v2,
      traffic: [{ percent: 100, revisionName: v1 }],
    },
  ])('$step', ({ config, revision, traffic }) => {
    const green = { revision: 'v2', env: { COLOR: 'green' } };
    expect(trafficOf({ ...base, ...green, ...config })).toStrictEqual({ revision, traffic });
  });
});

describe('render: coffee on the Function Compute workload class', () => {
  const coffeeCode = `var getRawBody = require('raw-body')
var version = 'coffee-default'
module.exports.handler = function (request, response, context) {
    var respBody = new Buffer('Hello ' + version + '\\n')
    response.setStatusCode(200)
    response.setHeader('content-type', 'application/json')
    response.send(respBody)
};
`;
  const fc = { knative: { workloadClass: 'fc' } };

  it('inline Node code: code-space inline, runtime in image, code in command', () => {
    const svc = serviceOf({
      name: 'coffee',
      source: { inline: coffeeCode },
      contract: 'native',
      handler: 'index.handler',
      runtime: 'nodejs20',
      revision: 'v1',
      providers: fc,
    });
    expect(svc.metadata.annotations['workload.serving.knative.aliyun.com/class']).toBe('fc');
    expect(toYaml([stable(svc)])).toMatchInlineSnapshot(`
      "apiVersion: serving.knative.dev/v1
      kind: Service
      metadata:
        name: coffee
        namespace: default
        labels:
          app.kubernetes.io/managed-by: faasport
          faasport.dev/function: coffee
        annotations:
          workload.serving.knative.aliyun.com/class: fc
          faasport.dev/object-hash: <hash>
          faasport.dev/spec-hash: <hash>
      spec:
        template:
          metadata:
            name: coffee-v1
            labels:
              faasport.dev/function: coffee
              faasport.dev/revision: v1
            annotations:
              autoscaling.knative.dev/min-scale: "0"
              autoscaling.knative.dev/max-scale: "100"
              autoscaling.knative.dev/target: "1"
              autoscaling.knative.dev/window: 60s
              fc.revision.serving.knative.aliyun.com/code-space: inline
              faasport.dev/revision-hash: <hash>
              faasport.dev/template-hash: <hash>
          spec:
            containerConcurrency: 1
            timeoutSeconds: 30
            containers:
              - image: nodejs20
                command:
                  - |
                    var getRawBody = require('raw-body')
                    var version = 'coffee-default'
                    module.exports.handler = function (request, response, context) {
                        var respBody = new Buffer('Hello ' + version + '\\n')
                        response.setStatusCode(200)
                        response.setHeader('content-type', 'application/json')
                        response.send(respBody)
                    };
                resources:
                  limits:
                    memory: 256Mi
                  requests:
                    memory: 256Mi
        traffic:
          - revisionName: coffee-v1
            percent: 100
      "
    `);
  });

  it('OSS object: code-space oss with [bucket, object] in command', () => {
    const svc = serviceOf({
      name: 'coffee',
      source: { bucket: { name: 'fc-zip', key: 'knative-demo/node-demo.zip' } },
      contract: 'native',
      handler: 'index.handler',
      runtime: 'nodejs20',
      revision: 'v1',
      providers: fc,
    });
    expect(svc.spec.template.metadata.annotations['fc.revision.serving.knative.aliyun.com/code-space']).toBe(
      'oss',
    );
    expect(svc.spec.template.spec.containers).toMatchInlineSnapshot(`
      [
        {
          "command": [
            "fc-zip",
            "knative-demo/node-demo.zip",
          ],
          "image": "nodejs20",
          "resources": {
            "limits": {
              "memory": "256Mi",
            },
            "requests": {
              "memory": "256Mi",
            },
          },
        },
      ]
    `);
  });

  it('image with the role annotation spelled role-arm', () => {
    const svc = serviceOf({
      name: 'coffee',
      source: { image: { ref: 'registry.cn-shenzhen.aliyuncs.com/aliknative/nodejs-express:v3.0' } },
      revision: 'v1',
      providers: { knative: { workloadClass: 'fc', role: 'acs:ram::1041208914252405:role/fc-yuanyi-test' } },
    });
    const annotations = svc.spec.template.metadata.annotations;
    expect({
      codeSpace: annotations['fc.revision.serving.knative.aliyun.com/code-space'],
      role: annotations['fc.revision.serving.knative.aliyun.com/role-arm'],
      containers: svc.spec.template.spec.containers,
    }).toMatchInlineSnapshot(`
      {
        "codeSpace": "image",
        "containers": [
          {
            "image": "registry.cn-shenzhen.aliyuncs.com/aliknative/nodejs-express:v3.0",
            "resources": {
              "limits": {
                "memory": "256Mi",
              },
              "requests": {
                "memory": "256Mi",
              },
            },
          },
        ],
        "role": "acs:ram::1041208914252405:role/fc-yuanyi-test",
      }
    `);
  });

  it('refuses event filter attributes a Knative Trigger would reject, before any write', () => {
    const issues = adapter.check!(
      defineFunction({
        name: 'e',
        source: { inline: 'export default () => 1' },
        contract: 'event',
        triggers: [{ event: { filter: { 'Event-Type': 'x' } } }],
      }),
    );
    expect(issues.map((i) => `${i.severity} ${i.path}`)).toEqual(['error triggers.event.filter.Event-Type']);
  });

  it('refuses provider annotations that would override the neutral model', () => {
    const issues = adapter.check!(
      defineFunction({
        name: 'a',
        source: { inline: 'export default () => 1' },
        providers: {
          knative: {
            annotations: {
              'autoscaling.knative.dev/max-scale': '3',
              'autoscaling.knative.dev/metric': 'rps',
            },
          },
        },
      }),
    );
    expect(issues.map((i) => i.message)).toEqual([
      'autoscaling.knative.dev/max-scale is set by faasport from scaling.max; set that instead',
    ]);
  });

  it('refuses tags Knative would reject or reserve', () => {
    const fn = (tag: string) =>
      defineFunction({
        name: 't',
        source: { inline: 'export default () => 1' },
        traffic: [{ revision: 'latest', percent: 100, tag }],
      });
    expect(adapter.check!(fn('1st')).map((i) => i.message)).toEqual([
      'tag "1st" must start with a letter (Knative tags are DNS-1035 labels)',
    ]);
    expect(adapter.check!(fn('rev-x')).map((i) => i.message)).toEqual([
      'tag "rev-x" starts with "rev-", which the Knative adapter keeps for per-revision tags',
    ]);
  });

  it('warns that a Knative route does not restrict HTTP methods', () => {
    const issues = adapter.check!(
      defineFunction({
        name: 'm',
        source: { inline: 'export default () => 1' },
        triggers: [{ http: { methods: ['GET'] } }],
      }),
    );
    expect(issues).toEqual([
      {
        severity: 'warning',
        feature: 'trigger.http',
        path: 'triggers',
        message:
          'http trigger "http" allows only GET, but a Knative route accepts every method; check the method in the handler',
      },
    ]);
  });

  it('rejects a web handler or a folder on the FC workload class before anything is rendered', () => {
    const issues = adapter.check!(defineFunction({ name: 'coffee', source: { dir: '.' }, providers: fc }));
    expect(issues.filter((i) => i.severity === 'error').map((i) => i.message)).toEqual([
      'the FC workload class takes inline code, an OSS object or an image',
      'the FC workload class runs FC\'s own handler contract; "web" handlers need the faasport FC shim',
    ]);
  });
});

describe('render: a function with code, secrets, triggers and domains', () => {
  it('renders a ConfigMap, a Secret without values, a PingSource, a Broker, a Trigger and a DomainMapping', () => {
    const manifests = render(
      {
        name: 'orders',
        source: { inline: 'export default (event) => event.data' },
        contract: 'event',
        revision: 'v1',
        secrets: { DB_PASSWORD: { fromEnv: 'ORDERS_DB_PASSWORD' } },
        scaling: { min: 1, max: 5, concurrency: 10, idle: '90s' },
        visibility: 'private',
        triggers: [
          { schedule: { cron: '*/5 * * * *', timezone: 'Asia/Shanghai', payload: { ping: true } } },
          { event: { filter: { type: 'com.example.order.created' } } },
        ],
        domains: [{ host: 'orders.example.com' }],
      },
      { ORDERS_DB_PASSWORD: 'hunter2-secret' },
    );
    expect(JSON.stringify(manifests)).not.toContain('hunter2-secret');
    expect(manifests.map((m) => m.name)).toMatchInlineSnapshot(`
      [
        "orders.secret.yaml",
        "orders.configmap.yaml",
        "orders.broker-default.yaml",
        "orders.service.yaml",
        "orders.pingsource-orders-schedule.yaml",
        "orders.trigger-orders-event.yaml",
        "orders.domainmapping-orders.example.com.yaml",
      ]
    `);
    const secret = manifests.find((m) => m.name === 'orders.secret.yaml')!.content as Record<string, any>;
    expect(secret.stringData).toEqual({ DB_PASSWORD: '<DB_PASSWORD from $ORDERS_DB_PASSWORD>' });
    const service = manifests.find((m) => m.name === 'orders.service.yaml')!.content as Record<string, any>;
    expect(service.metadata.labels['networking.knative.dev/visibility']).toBe('cluster-local');
    expect(service.spec.template.metadata.annotations).toMatchObject({
      'autoscaling.knative.dev/min-scale': '1',
      'autoscaling.knative.dev/max-scale': '5',
      'autoscaling.knative.dev/target': '10',
      'autoscaling.knative.dev/window': '90s',
    });
    expect(service.spec.template.spec.containerConcurrency).toBe(10);
    expect(
      service.spec.template.spec.containers[0].env.find((e: { name: string }) => e.name === 'DB_PASSWORD'),
    ).toEqual({
      name: 'DB_PASSWORD',
      valueFrom: {
        secretKeyRef: { name: expect.stringMatching(/^orders-secrets-[0-9a-f]{8}$/), key: 'DB_PASSWORD' },
      },
    });
    const ping = manifests.find((m) => m.name.startsWith('orders.pingsource'))!.content as Record<
      string,
      any
    >;
    expect(ping.spec).toMatchObject({
      schedule: '*/5 * * * *',
      timezone: 'Asia/Shanghai',
      data: '{"ping":true}',
    });
  });

  it('refuses code too large for a ConfigMap, pointing to image or bucket sources', () => {
    const big = defineFunction({
      name: 'big',
      source: { inline: `export default () => ${JSON.stringify('x'.repeat(10))};\n// ${'y'.repeat(10)}` },
    });
    const small = createKnativeAdapter({ namespace: 'default', maxConfigMapBytes: 64 });
    expect(() => small.render(desiredStateOf(big))).toThrow(
      /code size .* is not accepted by target "knative"/,
    );
    try {
      small.render(desiredStateOf(big));
    } catch (error) {
      expect((error as { hint: string }).hint).toMatch(/source\.image.*source\.bucket/);
    }
  });
});
