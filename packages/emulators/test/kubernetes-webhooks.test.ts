/**
 * Knative's webhook rules as the emulator applies them, each case naming the knative/serving or
 * knative/eventing file the rule comes from. `validateManifest` runs the same defaulting and admission
 * as the API server, offline.
 */
import { validateManifest } from '@faasport/emulators/kubernetes';
import { describe, expect, it } from 'vitest';

const service = (pod: Record<string, unknown>, annotations: Record<string, string> = {}) => ({
  apiVersion: 'serving.knative.dev/v1',
  kind: 'Service',
  metadata: { name: 'hello' },
  spec: {
    template: { metadata: { annotations }, spec: { containers: [{ image: 'example.com/app' }], ...pod } },
  },
});
const container = (extra: Record<string, unknown>) => ({
  containers: [{ image: 'example.com/app', ...extra }],
});
const problems = (manifest: unknown) => validateManifest(manifest).join('\n');

describe('pkg/apis/serving/fieldmask.go and k8s_validation.go (feature flags at their config-features defaults)', () => {
  it('masks PodSpec fields whose flag is off: nodeSelector, initContainers, runtimeClassName', () => {
    expect(problems(service({ nodeSelector: { disk: 'ssd' } }))).toContain(
      'must not set the field(s): spec.template.spec.nodeSelector',
    );
    expect(problems(service({ initContainers: [{ image: 'example.com/init' }] }))).toContain(
      'spec.template.spec.initContainers',
    );
    expect(problems(service({ runtimeClassName: 'gvisor' }))).toContain(
      'kubernetes.podspec-runtimeclassname',
    );
    expect(problems(service({ enableServiceLinks: false, imagePullSecrets: [{ name: 'regcred' }] }))).toBe(
      '',
    );
  });

  it('masks env valueFrom.fieldRef (kubernetes.podspec-fieldref) but keeps secretKeyRef', () => {
    const env = (valueFrom: unknown) => service(container({ env: [{ name: 'X', valueFrom }] }));
    expect(problems(env({ fieldRef: { fieldPath: 'metadata.name' } }))).toContain(
      'must not set the field(s): spec.template.spec.containers[0].env[0].valueFrom.fieldRef',
    );
    expect(problems(env({ secretKeyRef: { name: 'db', key: 'password' } }))).toBe('');
  });

  it('parses image references as go-containerregistry does', () => {
    expect(problems(service(container({ image: 'ghcr.io/acme/hello@sha256:0123...' })))).toContain(
      'Failed to parse image reference: spec.template.spec.containers[0].image',
    );
    expect(problems(service(container({ image: 'Example.com/UPPER' })))).toContain(
      'Failed to parse image reference',
    );
    for (const image of ['nodejs8', 'gcr.io/knative-samples/helloworld-go', 'localhost:5000/app:v1.2'])
      expect(problems(service(container({ image }))), image).toBe('');
  });

  it('takes TCP ports only, one across all containers, with the reserved ports and names refused', () => {
    expect(problems(service(container({ ports: [{ containerPort: 8080, protocol: 'UDP' }] })))).toContain(
      'invalid value: UDP: spec.template.spec.containers[0].ports.protocol',
    );
    expect(problems(service(container({ ports: [{ containerPort: 8012 }] })))).toContain(
      '8012 is a reserved port',
    );
    expect(problems(service(container({ ports: [{ containerPort: 8080, name: 'grpc' }] })))).toContain(
      'Port name grpc is not allowed',
    );
  });

  it('wants exactly one probe handler, and a named probe port that matches the container port', () => {
    const probe = (readinessProbe: unknown, ports?: unknown) =>
      service(container({ readinessProbe, ...(ports ? { ports } : {}) }));
    expect(problems(probe({ httpGet: { path: '/' }, tcpSocket: {} }))).toContain(
      'expected exactly one, got both: spec.template.spec.containers[0].readinessProbe.httpGet',
    );
    expect(
      problems(probe({ httpGet: { path: '/', port: 'admin' } }, [{ containerPort: 8080, name: 'h2c' }])),
    ).toContain('invalid value: admin: spec.template.spec.containers[0].readinessProbe.httpGet.port');
    expect(
      problems(probe({ httpGet: { path: '/', port: 'h2c' } }, [{ containerPort: 8080, name: 'h2c' }])),
    ).toBe('');
    // Defaults first (revision_defaults.go): a period gets timeoutSeconds 1 and failureThreshold 3.
    expect(problems(probe({ httpGet: { path: '/healthz' }, periodSeconds: 1 }))).toBe('');
  });

  it('checks volumes and mounts: mounted, read-only for configMap and secret, no reserved paths, flags for hostPath', () => {
    const pod = (volume: unknown, mount: Record<string, unknown>) =>
      service({ containers: [{ image: 'example.com/app', volumeMounts: [mount] }], volumes: [volume] });
    expect(
      problems(pod({ name: 'cfg', configMap: { name: 'c' } }, { name: 'cfg', mountPath: '/etc/cfg' })),
    ).toContain(
      'volume mount should be readOnly for this type of volume: spec.template.spec.containers[0].volumeMounts[0].readOnly',
    );
    expect(
      problems(
        pod({ name: 'cfg', configMap: { name: 'c' } }, { name: 'cfg', mountPath: '/dev', readOnly: true }),
      ),
    ).toContain('mountPath "/dev" is a reserved path');
    expect(
      problems(
        pod({ name: 'host', hostPath: { path: '/var' } }, { name: 'host', mountPath: '/h', readOnly: true }),
      ),
    ).toContain('HostPath volume support is disabled, but found HostPath volume host');
    expect(problems(pod({ name: 'tmp', emptyDir: {} }, { name: 'tmp', mountPath: '/tmp' }))).toBe('');
    expect(problems(service({ volumes: [{ name: 'unused', secret: { secretName: 's' } }] }))).toContain(
      'volume with name "unused" not mounted',
    );
  });

  it('wants a DNS-1123 subdomain as the service account name', () => {
    expect(problems(service({ serviceAccountName: 'Build_Bot' }))).toContain(
      'invalid value: Build_Bot: spec.template.spec.serviceAccountName',
    );
    expect(problems(service({ serviceAccountName: 'build-bot.ci' }))).toBe('');
  });
});

describe('pkg/apis/autoscaling/annotation_validation.go', () => {
  const a = (annotations: Record<string, string>) => problems(service({}, annotations));
  const key = 'autoscaling.knative.dev';

  it('bounds min and max scale to int32, reporting an overflow as out of bounds', () => {
    expect(a({ [`${key}/max-scale`]: '2147483648' })).toContain(
      `expected 0 <= 2147483648 <= 2147483647: spec.template.metadata.annotations.${key}/max-scale`,
    );
    expect(a({ [`${key}/min-scale`]: 'two' })).toContain('invalid value: two');
    expect(a({ [`${key}/min-scale`]: '5', [`${key}/max-scale`]: '2' })).toContain(
      'max-scale=2 is less than min-scale=5',
    );
  });

  it('takes a target burst capacity of -1 or >= 0', () => {
    expect(a({ [`${key}/target-burst-capacity`]: '-1' })).toBe('');
    expect(a({ [`${key}/target-burst-capacity`]: '-2' })).toContain('invalid value: -2');
  });

  it('parses windows and delays as Go durations with second precision (no stricter than Knative)', () => {
    expect(a({ [`${key}/window`]: '90000ms' })).toBe('');
    expect(a({ [`${key}/window`]: '1m30s', [`${key}/scale-down-delay`]: '15m' })).toBe('');
    expect(a({ [`${key}/window`]: '2s' })).toContain(
      `expected 6s <= 2s <= 1h0m0s: spec.template.metadata.annotations.${key}/window`,
    );
    expect(a({ [`${key}/window`]: '6500ms' })).toContain('must be specified with at most second precision');
    expect(a({ [`${key}/scale-down-delay`]: '2h' })).toContain('expected 0s <= 2h <= 1h0m0s');
  });

  it('takes any metric under the HPA class or a custom autoscaler class, only concurrency or rps under KPA', () => {
    expect(a({ [`${key}/class`]: 'custom.example.com', [`${key}/metric`]: 'queue-depth' })).toBe('');
    expect(a({ [`${key}/class`]: 'hpa.autoscaling.knative.dev', [`${key}/metric`]: 'memory' })).toBe('');
    expect(a({ [`${key}/metric`]: 'cpu' })).toContain('invalid value: cpu');
    expect(a({ [`${key}/class`]: 'kpa.autoscaling.knative.dev', [`${key}/metric`]: 'rps' })).toBe('');
  });

  it('refuses initial-scale 0 (allow-zero-initial-scale is false) and a too-low target', () => {
    expect(a({ [`${key}/initial-scale`]: '0' })).toContain(`${key}/initial-scale=0 not allowed by cluster`);
    expect(a({ [`${key}/target`]: '0.001' })).toContain('target 0.001 should be at least 0.01');
  });
});

describe('pkg/apis/serving/v1/route_validation.go and revision_defaults.go', () => {
  it('defaults the container name and traffic, and names a second unnamed container with a counter', () => {
    const manifest = service({
      containers: [
        { image: 'example.com/app', ports: [{ containerPort: 8080 }] },
        { image: 'example.com/sidecar' },
      ],
    });
    expect(problems(manifest)).toBe('');
  });

  it('validates traffic: latestRevision against revisionName, DNS-1035 tags, and the sum', () => {
    const traffic = (t: unknown[]) => problems({ ...service({}), spec: { ...service({}).spec, traffic: t } });
    expect(traffic([{ latestRevision: false, percent: 100 }])).toContain(
      'may not set revisionName "" when latestRevision is false: spec.traffic[0].latestRevision',
    );
    expect(traffic([{ latestRevision: true, percent: 100, tag: 'Blue' }])).toContain('not a DNS 1035 label');
    expect(traffic([{ latestRevision: true, percent: 100, configurationName: 'hello' }])).toContain(
      'must not set the field(s): spec.traffic[0].configurationName',
    );
  });
});

describe('knative/eventing pkg/apis/sources/v1/ping_validation.go and eventing/v1/trigger_validation.go', () => {
  const ping = (spec: Record<string, unknown>) =>
    problems({
      apiVersion: 'sources.knative.dev/v1',
      kind: 'PingSource',
      metadata: { name: 'p' },
      spec: { sink: { uri: 'http://example.com' }, ...spec },
    });
  it('parses schedules with robfig/cron, without @every, and data as a JSON object', () => {
    expect(ping({ schedule: '@every 1m' })).toContain('unsupported descriptor @every');
    expect(ping({ schedule: '0 0 25 * * *' })).toContain('end of range (25) above maximum (23)');
    expect(ping({ schedule: '*/10 * * * * *' })).toBe(''); // seconds are optional
    expect(ping({ schedule: '@hourly', timezone: 'Asia/Shanghai' })).toBe('');
    expect(ping({ schedule: '* * * * *', contentType: 'application/json', data: '[1, 2]' })).toContain(
      'not a JSON object: spec.data',
    );
    expect(ping({ schedule: '* * * * *', dataBase64: 'not base64!' })).toContain('illegal base64 data');
  });

  it('refuses a Trigger with both broker and brokerRef', () => {
    const trigger = (spec: Record<string, unknown>) =>
      problems({
        apiVersion: 'eventing.knative.dev/v1',
        kind: 'Trigger',
        metadata: { name: 't' },
        spec: { subscriber: { uri: 'http://example.com' }, ...spec },
      });
    expect(trigger({ broker: 'default', brokerRef: { name: 'default' } })).toContain(
      'expected exactly one, got both: spec.broker, spec.brokerRef',
    );
    expect(trigger({})).toContain('missing field(s): spec.broker');
    expect(trigger({ brokerRef: { name: 'default' } })).toBe('');
  });
});

describe('knative.dev/pkg apis/metadata_validation.go and serving/v1/revision_validation.go, on update', () => {
  it('keeps the creator annotation and a Revision spec immutable', async () => {
    const { startKubernetesEmulator } = await import('@faasport/emulators/kubernetes');
    const kube = await startKubernetesEmulator();
    const patch = async (path: string, body: unknown) => {
      const res = await fetch(`${kube.url}${path}`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${kube.token}`, 'content-type': 'application/merge-patch+json' },
        body: JSON.stringify(body),
      });
      return { status: res.status, message: ((await res.json()) as { message?: string }).message ?? '' };
    };
    try {
      const created = await fetch(`${kube.url}/apis/serving.knative.dev/v1/namespaces/default/services`, {
        method: 'POST',
        headers: { authorization: `Bearer ${kube.token}`, 'content-type': 'application/json' },
        body: JSON.stringify(service({})),
      });
      expect(created.status).toBe(201);
      const svc = await patch('/apis/serving.knative.dev/v1/namespaces/default/services/hello', {
        metadata: { annotations: { 'serving.knative.dev/creator': 'someone-else' } },
      });
      expect(svc).toEqual({
        status: 400,
        message: expect.stringContaining(
          'annotation value is immutable: metadata.annotations.serving.knative.dev/creator',
        ),
      });
      await kube.idle();
      const rev = await patch('/apis/serving.knative.dev/v1/namespaces/default/revisions/hello-00001', {
        spec: { timeoutSeconds: 10 },
      });
      expect(rev).toEqual({
        status: 400,
        message: expect.stringContaining('Immutable fields changed (-old +new): spec'),
      });
    } finally {
      await kube.close();
    }
  });
});

describe('knative/serving revision_defaults.go and route_defaults.go, as stored', () => {
  it('names unnamed containers with a counter that skips taken names, defaults probes and traffic', async () => {
    const { startKubernetesEmulator } = await import('@faasport/emulators/kubernetes');
    const kube = await startKubernetesEmulator();
    try {
      const manifest = {
        apiVersion: 'serving.knative.dev/v1',
        kind: 'Service',
        metadata: { name: 'multi' },
        spec: {
          template: {
            spec: {
              containers: [
                {
                  image: 'example.com/app',
                  ports: [{ containerPort: 8080 }],
                  readinessProbe: { httpGet: { path: '/' }, periodSeconds: 2 },
                },
                { image: 'example.com/sidecar', name: 'user-container-0' },
                { image: 'example.com/other' },
              ],
            },
          },
          traffic: [
            { tag: 'current', latestRevision: true },
            { latestRevision: true, percent: 100 },
          ],
        },
      };
      const res = await fetch(`${kube.url}/apis/serving.knative.dev/v1/namespaces/default/services`, {
        method: 'POST',
        headers: { authorization: `Bearer ${kube.token}`, 'content-type': 'application/json' },
        body: JSON.stringify(manifest),
      });
      expect(res.status).toBe(201);
      const stored = (await res.json()) as {
        spec: { template: { spec: { containers: any[] } }; traffic: unknown[] };
      };
      const containers = stored.spec.template.spec.containers;
      expect(containers.map((c) => c.name)).toEqual([
        'user-container-1',
        'user-container-0',
        'user-container-2',
      ]);
      expect(containers[0].readinessProbe).toEqual({
        httpGet: { path: '/' },
        periodSeconds: 2,
        successThreshold: 1,
        failureThreshold: 3,
        timeoutSeconds: 1,
      });
      expect(containers[1].readinessProbe).toBeUndefined(); // a sidecar gets no default probe
      expect(stored.spec.traffic).toEqual([
        { tag: 'current', latestRevision: true, percent: 0 },
        { latestRevision: true, percent: 100 },
      ]);
    } finally {
      await kube.close();
    }
  });
});
