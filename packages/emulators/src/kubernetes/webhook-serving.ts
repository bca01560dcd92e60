/**
 * Knative Serving's validating webhook rules for a revision template, transcribed from knative/serving
 * (each function names its source file): the PodSpec and Container feature-flag masks with the
 * defaults of `config-features`, image references, ports, probes, volumes and mounts, env, the service
 * account name, and the autoscaling annotations. Messages and paths are those of knative.dev/pkg
 * `apis.FieldError` (`invalid value: x: path`, `expected 0 <= x <= 100: path`, `must not set the field(s): path`).
 */
import { isObject, type Json } from './patch';

/** One webhook finding: message and field path(s), printed as `message: path`. */
export interface FieldProblem {
  message: string;
  path: string;
  details?: string;
}

const INT32_MAX = 2147483647;
const dns1123Label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const dns1123Subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

// ---------------------------------------------------------------------------------------------
// Go's time.ParseDuration, so `90000ms`, `1m30s` and `1.5h` are accepted as Knative accepts them.

const unitNs: Record<string, number> = {
  ns: 1,
  us: 1e3,
  µs: 1e3,
  μs: 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/** Nanoseconds of a Go duration string, or undefined when Go would not parse it. */
export function goDuration(text: string): number | undefined {
  if (text === '0') return 0;
  const m = /^([-+]?)((?:(?:\d+\.?\d*|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+)$/.exec(text);
  if (!m) return undefined;
  let total = 0;
  for (const part of m[2]!.matchAll(/(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g))
    total += Number(part[1]) * unitNs[part[2]!]!;
  return m[1] === '-' ? -total : total;
}

/** Go's Duration.String for whole seconds: `6s`, `1m30s`, `1h0m0s`. */
function goDurationString(seconds: number): string {
  if (seconds < 60) return `${seconds}s`;
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return h ? `${h}h${m}m${s}s` : `${m}m${s}s`;
}

// ---------------------------------------------------------------------------------------------
// Autoscaling annotations: knative/serving pkg/apis/autoscaling/annotation_validation.go, with the
// keys (and legacy camelCase aliases) of pkg/apis/autoscaling/register.go.

const KPA = 'kpa.autoscaling.knative.dev';
const HPA = 'hpa.autoscaling.knative.dev';

/** Autoscaling annotation problems; `base` is the annotations' path. */
export function autoscalingProblems(annotations: Record<string, unknown>, base: string): FieldProblem[] {
  const out: FieldProblem[] = [];
  const group = 'autoscaling.knative.dev';
  const get = (key: string, legacy?: string): [string, string] | undefined => {
    for (const k of [key, legacy].filter(Boolean) as string[]) {
      const v = annotations[`${group}/${k}`];
      if (v !== undefined) return [`${base}.${group}/${k}`, String(v)];
    }
    return undefined;
  };
  const invalid = (v: string, path: string) => out.push({ message: `invalid value: ${v}`, path });
  const bounds = (v: string | number, lo: string | number, hi: string | number, path: string) =>
    out.push({ message: `expected ${lo} <= ${v} <= ${hi}`, path });

  const cls = get('class');
  if (cls?.[1].endsWith('.knative.dev') && cls[1] !== KPA && cls[1] !== HPA) invalid(cls[1], cls[0]);

  // getIntGE0: a 32-bit integer >= 0; an overflow is out of bounds, not invalid.
  const intGE0 = (key: string, legacy: string): number => {
    const found = get(key, legacy);
    if (!found) return 0;
    const [path, v] = found;
    if (!/^[-+]?\d+$/.test(v)) {
      invalid(v, path);
      return 0;
    }
    const n = Number(v);
    if (n < 0 || n > INT32_MAX) {
      bounds(v, 0, INT32_MAX, path);
      return 0;
    }
    return n;
  };
  const min = intGE0('min-scale', 'minScale');
  const max = intGE0('max-scale', 'maxScale');
  if (max !== 0 && max < min)
    out.push({
      message: `max-scale=${max} is less than min-scale=${min}`,
      path: `${base}.${group}/max-scale, ${base}.${group}/min-scale`,
    });
  const activation = get('activation-scale');
  if (activation) {
    const [path, v] = activation;
    const n = Number(v);
    if (!/^[-+]?\d+$/.test(v) || Math.abs(n) > INT32_MAX) invalid(v, path);
    else if (min > n) out.push({ message: `min-scale=${min} is greater than activation-scale=${n}`, path });
    else if (max < n && max !== 0)
      out.push({ message: `max-scale=${max} is less than activation-scale=${n}`, path });
    else if (n < 2) out.push({ message: `activation-scale=${n} must be greater than 1`, path });
  }

  const float = (
    key: string,
    legacy: string | undefined,
    check: (n: number, v: string, path: string) => void,
  ) => {
    const found = get(key, legacy);
    if (!found) return;
    const [path, v] = found;
    const n = Number(v);
    if (v.trim() === '' || Number.isNaN(n)) invalid(v, path);
    else check(n, v, path);
  };
  float('panic-window-percentage', 'panicWindowPercentage', (n, v, p) => {
    if (n < 1 || n > 100) bounds(v, 1, 100, p);
  });
  float('panic-threshold-percentage', 'panicThresholdPercentage', (n, v, p) => {
    if (n < 110 || n > 1000) bounds(v, 110, 1000, p);
  });
  float('target', undefined, (n, v, p) => {
    if (n < 0.01) out.push({ message: `target ${v} should be at least 0.01`, path: p });
  });
  float('target-utilization-percentage', 'targetUtilizationPercentage', (n, v, p) => {
    if (n < 1 || n > 100) bounds(v, 1, 100, p);
  });
  float('target-burst-capacity', 'targetBurstCapacity', (n, v, p) => {
    if (n < 0 && n !== -1) invalid(v, p); // -1: the activator always stays in the path
  });

  const windowMin = 6e9;
  const windowMax = 3600e9;
  const window = get('window');
  if (window) {
    const d = goDuration(window[1]);
    if (d === undefined) invalid(window[1], window[0]);
    else if (d < windowMin || d > windowMax) bounds(window[1], '6s', goDurationString(3600), window[0]);
    else if (d % 1e9 !== 0)
      out.push({ message: 'must be specified with at most second precision', path: window[0] });
  }
  const retention = get('scale-to-zero-pod-retention-period', 'scaleToZeroPodRetentionPeriod');
  if (retention) {
    const d = goDuration(retention[1]);
    if (d === undefined) invalid(retention[1], retention[0]);
    else if (d < 0 || d > windowMax) bounds(retention[1], '0s', goDurationString(3600), retention[0]);
  }
  const delay = get('scale-down-delay', 'scaleDownDelay');
  if (delay) {
    const d = goDuration(delay[1]);
    if (d === undefined) invalid(delay[1], delay[0]);
    else if (d < 0 || d > windowMax) bounds(delay[1], '0s', goDurationString(3600), delay[0]);
    else if (Math.round(d / 1e9) * 1e9 !== d)
      out.push({ message: 'must be specified with at most second precision', path: delay[0] });
  }

  // The metric depends on the class: KPA takes concurrency or rps, HPA any metric, another class anything.
  const metric = get('metric');
  if (metric) {
    const classValue = cls?.[1] ?? KPA;
    const ok =
      classValue === KPA
        ? ['concurrency', 'rps'].includes(metric[1])
        : classValue === HPA
          ? metric[1] !== ''
          : true;
    if (!ok) invalid(metric[1], `${base}.${group}/metric`);
  }
  if ((cls?.[1] ?? '') === KPA) {
    const algorithm = get('metric-aggregation-algorithm', 'metricAggregationAlgorithm');
    if (algorithm && !['linear', 'weighted-exponential', 'weightedExponential'].includes(algorithm[1]))
      invalid(algorithm[1], algorithm[0]);
  }
  const initial = get('initial-scale', 'initialScale');
  if (initial) {
    const [path, v] = initial;
    if (!/^[-+]?\d+$/.test(v)) invalid(v, path);
    else if (Number(v) < 0) invalid(v, `${path} must be greater than 0`);
    else if (Number(v) === 0) invalid(v, `${path}=0 not allowed by cluster`); // allow-zero-initial-scale: false
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Image references: go-containerregistry pkg/name ParseReference with WeakValidation, as
// knative/serving pkg/apis/serving/k8s_validation.go validate() calls it.

/** Why an image reference does not parse, or undefined when it does. */
export function imageReferenceProblem(image: string): string | undefined {
  let base = image;
  const at = image.indexOf('@');
  if (at !== -1) {
    const digest = image.slice(at + 1);
    base = image.slice(0, at);
    if (!/^sha256:[0-9a-f]{64}$/.test(digest))
      return `a digest must be sha256: followed by 64 hexadecimal digits: ${digest}`;
  }
  const slash = base.lastIndexOf('/');
  const colon = base.lastIndexOf(':');
  let repo = base;
  if (colon > slash) {
    const tag = base.slice(colon + 1);
    repo = base.slice(0, colon);
    if (!/^[\w][\w.-]{0,127}$/.test(tag))
      return `tag can only contain the characters \`abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.\`: ${tag}`;
  }
  const parts = repo.split('/');
  if (parts.length > 1 && (/[.:]/.test(parts[0]!) || parts[0] === 'localhost')) {
    const registry = parts.shift()!;
    if (!/^[A-Za-z0-9.-]+(:\d+)?$/.test(registry) && !/^\[[0-9a-fA-F:]+\](:\d+)?$/.test(registry))
      return `registries must be valid RFC 3986 URI authorities: ${registry}`;
  }
  const path = parts.join('/');
  if (path === '') return 'a repository name must be specified';
  if (!/^[a-z0-9_./-]+$/.test(path))
    return `repository can only contain the characters \`abcdefghijklmnopqrstuvwxyz0123456789_-./\`: ${path}`;
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// PodSpec and Container: knative/serving pkg/apis/serving/k8s_validation.go and fieldmask.go, with
// the flag defaults of pkg/apis/config/features.go (multi-container on, emptyDir volumes on, the other
// podspec-* flags off).

/** PodSpec fields kept by PodSpecMask with the default feature flags. */
const podSpecAllowed = new Set([
  'serviceAccountName',
  'containers',
  'volumes',
  'imagePullSecrets',
  'enableServiceLinks',
  'automountServiceAccountToken', // only `false` is kept
  // Knative's own RevisionSpec fields.
  'containerConcurrency',
  'timeoutSeconds',
  'responseStartTimeoutSeconds',
  'idleTimeoutSeconds',
]);
/** The flag that allows each masked PodSpec field (kubernetes.podspec-*). */
const podSpecFlags: Record<string, string> = {
  affinity: 'kubernetes.podspec-affinity',
  topologySpreadConstraints: 'kubernetes.podspec-topologyspreadconstraints',
  hostAliases: 'kubernetes.podspec-hostaliases',
  nodeSelector: 'kubernetes.podspec-nodeselector',
  runtimeClassName: 'kubernetes.podspec-runtimeclassname',
  tolerations: 'kubernetes.podspec-tolerations',
  securityContext: 'kubernetes.podspec-securitycontext',
  shareProcessNamespace: 'kubernetes.podspec-shareprocessnamespace',
  priorityClassName: 'kubernetes.podspec-priorityclassname',
  schedulerName: 'kubernetes.podspec-schedulername',
  initContainers: 'kubernetes.podspec-init-containers',
  dnsPolicy: 'kubernetes.podspec-dnspolicy',
  dnsConfig: 'kubernetes.podspec-dnsconfig',
  hostIPC: 'kubernetes.podspec-hostipc',
  hostPID: 'kubernetes.podspec-hostpid',
  hostNetwork: 'kubernetes.podspec-hostnetwork',
};
/** Container fields kept by ContainerMask. */
const containerAllowed = new Set([
  'name',
  'args',
  'command',
  'env',
  'workingDir',
  'envFrom',
  'image',
  'imagePullPolicy',
  'livenessProbe',
  'ports',
  'readinessProbe',
  'resources',
  'securityContext',
  'startupProbe',
  'terminationMessagePath',
  'terminationMessagePolicy',
  'volumeMounts',
]);
const reservedPorts = new Set([8012, 8013, 8022, 9090, 9091, 8008]);
const reservedEnv = new Set(['PORT', 'K_SERVICE', 'K_CONFIGURATION', 'K_REVISION']);
const reservedSidecarEnv = new Set(['K_SERVICE', 'K_CONFIGURATION', 'K_REVISION']);
const reservedMountPaths = new Set(['/', '/dev', '/dev/log']);

const objects = (v: unknown): Json[] => (Array.isArray(v) ? v.filter(isObject) : []);
const isSet = (v: unknown) => v !== undefined && v !== null;

/** POSIX path.Clean, for mount paths. */
function cleanPath(p: string): string {
  const abs = p.startsWith('/');
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length && out[out.length - 1] !== '..') out.pop();
      else if (!abs) out.push('..');
    } else out.push(part);
  }
  const joined = out.join('/');
  return abs ? `/${joined}` : joined || '.';
}

/** validateProbe / validateReadinessProbe of k8s_validation.go. */
function probeProblems(
  probe: unknown,
  path: string,
  port: { name: string },
  userContainer: boolean,
  readiness: boolean,
): FieldProblem[] {
  if (!isObject(probe)) return [];
  const out: FieldProblem[] = [];
  const handlers: string[] = [];
  for (const [key, name] of [
    ['httpGet', 'httpGet'],
    ['tcpSocket', 'tcpSocket'],
    ['exec', 'exec'],
    ['grpc', 'gRPC'],
  ] as const) {
    if (!isObject(probe[key])) continue;
    handlers.push(name);
    if (key === 'httpGet' || key === 'tcpSocket') {
      const p = (probe[key] as Json).port;
      if (userContainer) {
        if (typeof p === 'string' && p !== '' && p !== port.name)
          out.push({
            message: `invalid value: ${p}`,
            path: `${path}.${key}.port`,
            details: 'Probe port must match container port',
          });
      } else if (p === undefined || p === 0 || p === '')
        out.push({
          message: `invalid value: ${p ?? 0}`,
          path: `${path}.${key}.port`,
          details: 'Probe port must be specified',
        });
    }
  }
  if (handlers.length === 0)
    out.push({
      message: 'expected exactly one, got neither',
      path: ['httpGet', 'tcpSocket', 'exec', 'grpc'].map((h) => `${path}.${h}`).join(', '),
    });
  else if (handlers.length > 1)
    out.push({
      message: 'expected exactly one, got both',
      path: handlers.map((h) => `${path}.${h}`).join(', '),
    });
  if (readiness) {
    const n = (k: string) => (typeof probe[k] === 'number' ? (probe[k] as number) : 0);
    if (n('periodSeconds') < 0)
      out.push({
        message: `expected 0 <= ${n('periodSeconds')} <= ${INT32_MAX}`,
        path: `${path}.periodSeconds`,
      });
    if (n('initialDelaySeconds') < 0)
      out.push({
        message: `expected 0 <= ${n('initialDelaySeconds')} <= ${INT32_MAX}`,
        path: `${path}.initialDelaySeconds`,
      });
    if (n('successThreshold') < 1)
      out.push({
        message: `expected 1 <= ${n('successThreshold')} <= ${INT32_MAX}`,
        path: `${path}.successThreshold`,
      });
    if (n('periodSeconds') === 0) {
      if (n('failureThreshold') !== 0)
        out.push({
          message: 'failureThreshold is disallowed when periodSeconds is zero',
          path: `${path}.failureThreshold`,
        });
      if (n('timeoutSeconds') !== 0)
        out.push({
          message: 'timeoutSeconds is disallowed when periodSeconds is zero',
          path: `${path}.timeoutSeconds`,
        });
    } else {
      if (n('timeoutSeconds') < 1)
        out.push({
          message: `expected 1 <= ${n('timeoutSeconds')} <= ${INT32_MAX}`,
          path: `${path}.timeoutSeconds`,
        });
      if (n('failureThreshold') < 1)
        out.push({
          message: `expected 1 <= ${n('failureThreshold')} <= ${INT32_MAX}`,
          path: `${path}.failureThreshold`,
        });
    }
  }
  return out;
}

/** validateVolume / ValidateVolumes of k8s_validation.go, with the default volume flags. */
function volumeProblems(volumes: Json[], mounted: Set<string>, base: string): FieldProblem[] {
  const out: FieldProblem[] = [];
  const seen = new Set<string>();
  volumes.forEach((v, i) => {
    const path = `${base}[${i}]`;
    const name = typeof v.name === 'string' ? v.name : '';
    if (seen.has(name)) out.push({ message: `duplicate volume name "${name}"`, path: `${path}.name` });
    seen.add(name);
    if (!mounted.has(name))
      out.push({ message: `volume with name "${name}" not mounted`, path: `${path}.name` });
    if (name === '') out.push({ message: 'missing field(s)', path: `${path}.name` });
    else if (!dns1123Label.test(name) || name.length > 63)
      out.push({ message: `invalid value: ${name}`, path: `${path}.name` });
    const flagged: Record<string, string> = {
      persistentVolumeClaim: 'Persistent volume claim support is disabled, but found persistent volume claim',
      hostPath: 'HostPath volume support is disabled, but found HostPath volume',
      csi: 'CSI volume support is disabled, but found CSI volume',
      ephemeral: 'Ephemeral volume support is disabled, but found Ephemeral volume',
      image: 'Image volume support is disabled, but found Image volume',
    };
    const sources = ['secret', 'configMap', 'projected', 'emptyDir', ...Object.keys(flagged)].filter((k) =>
      isObject(v[k]),
    );
    for (const k of sources) {
      if (flagged[k]) out.push({ message: `${flagged[k]} ${name}`, path });
    }
    if (sources.length === 0)
      out.push({
        message: 'expected exactly one, got neither',
        path: ['secret', 'configMap', 'projected', 'emptyDir'].map((k) => `${path}.${k}`).join(', '),
      });
    else if (sources.length > 1)
      out.push({
        message: 'expected exactly one, got both',
        path: sources.map((k) => `${path}.${k}`).join(', '),
      });
    for (const k of ['secret', 'configMap'])
      objects((v[k] as Json | undefined)?.items).forEach((item, j) => {
        if (!item.key) out.push({ message: 'missing field(s)', path: `${path}.${k}.items[${j}].key` });
        if (!item.path) out.push({ message: 'missing field(s)', path: `${path}.${k}.items[${j}].path` });
      });
    const medium = (v.emptyDir as Json | undefined)?.medium;
    if (medium !== undefined && medium !== '' && medium !== 'Memory')
      out.push({ message: `invalid value: ${String(medium)}`, path: `${path}.emptyDir.medium` });
  });
  return out;
}

function mountProblems(mounts: Json[], volumes: Map<string, Json>, base: string): FieldProblem[] {
  const out: FieldProblem[] = [];
  const paths = new Set<string>();
  mounts.forEach((m, i) => {
    const path = `${base}[${i}]`;
    const name = String(m.name ?? '');
    const volume = volumes.get(name);
    if (!volume) out.push({ message: 'volumeMount has no matching volume', path: `${path}.name` });
    const mountPath = typeof m.mountPath === 'string' ? m.mountPath : '';
    const clean = cleanPath(mountPath);
    if (mountPath === '') out.push({ message: 'missing field(s)', path: `${path}.mountPath` });
    else if (reservedMountPaths.has(clean))
      out.push({ message: `mountPath "${clean}" is a reserved path`, path: `${path}.mountPath` });
    else if (!mountPath.startsWith('/'))
      out.push({ message: `invalid value: ${mountPath}`, path: `${path}.mountPath` });
    else if (paths.has(clean))
      out.push({ message: `invalid value: "${mountPath}" must be unique`, path: `${path}.mountPath` });
    paths.add(clean);
    const writable =
      volume &&
      (isObject(volume.emptyDir) || isObject(volume.persistentVolumeClaim) || isObject(volume.ephemeral));
    if (!writable && m.readOnly !== true)
      out.push({
        message: 'volume mount should be readOnly for this type of volume',
        path: `${path}.readOnly`,
      });
    if (isSet(m.mountPropagation))
      out.push({
        message: `Volume Mount Propagation support is disabled, but found volume mount ${name} with mount propagation`,
        path,
      });
  });
  return out;
}

function containerProblems(
  c: Json,
  path: string,
  volumes: Map<string, Json>,
  port: { name: string },
  kind: 'user' | 'sidecar',
): FieldProblem[] {
  const out: FieldProblem[] = [];
  const disallowed = Object.keys(c).filter((k) => !containerAllowed.has(k) && isSet(c[k]) && c[k] !== false);
  if (disallowed.length)
    out.push({
      message: 'must not set the field(s)',
      path: disallowed.map((k) => `${path}.${k}`).join(', '),
    });
  if (c.name === 'queue-proxy')
    out.push({ message: '"queue-proxy" is a reserved container name', path: `${path}.name` });
  const reserved = kind === 'user' ? reservedEnv : reservedSidecarEnv;
  objects(c.env).forEach((e, j) => {
    if (!e.name) out.push({ message: 'missing field(s)', path: `${path}.env[${j}].name` });
    else if (reserved.has(String(e.name)))
      out.push({
        message: `"${String(e.name)}" is a reserved environment variable`,
        path: `${path}.env[${j}].name`,
      });
    // EnvVarSourceMask: fieldRef and resourceFieldRef only with kubernetes.podspec-fieldref.
    const from = isObject(e.valueFrom) ? e.valueFrom : {};
    const masked = ['fieldRef', 'resourceFieldRef'].filter((k) => isSet(from[k]));
    if (masked.length)
      out.push({
        message: 'must not set the field(s)',
        path: masked.map((k) => `${path}.env[${j}].valueFrom.${k}`).join(', '),
      });
  });
  objects(c.envFrom).forEach((e, j) => {
    const cm = isSet(e.configMapRef);
    const sm = isSet(e.secretRef);
    if (cm && sm)
      out.push({
        message: 'expected exactly one, got both',
        path: `${path}.envFrom[${j}].configMapRef, ${path}.envFrom[${j}].secretRef`,
      });
    else if (!cm && !sm)
      out.push({
        message: 'expected exactly one, got neither',
        path: `${path}.envFrom[${j}].configMapRef, ${path}.envFrom[${j}].secretRef`,
      });
  });
  if (typeof c.image !== 'string' || c.image === '')
    out.push({ message: 'missing field(s)', path: `${path}.image` });
  else {
    const problem = imageReferenceProblem(c.image);
    if (problem)
      out.push({
        message: 'Failed to parse image reference',
        path: `${path}.image`,
        details: `image: "${c.image}", error: ${problem}`,
      });
  }
  const ports = objects(c.ports);
  const first = ports[0];
  if (first) {
    const n = first.containerPort;
    if (typeof n === 'number' && reservedPorts.has(n))
      out.push({
        message: `invalid value: ${n} is a reserved port`,
        path: `${path}.ports.containerPort`,
        details: `${n} is a reserved port, please use a different value`,
      });
    if (typeof n === 'number' && (n < 0 || n > 65535))
      out.push({ message: `expected 0 <= ${n} <= 65535`, path: `${path}.ports.containerPort` });
    if (first.protocol !== undefined && first.protocol !== '' && first.protocol !== 'TCP')
      out.push({ message: `invalid value: ${String(first.protocol)}`, path: `${path}.ports.protocol` });
    const name = first.name === undefined ? '' : String(first.name);
    if (!['', 'h2c', 'http1'].includes(name))
      out.push({
        message: `Port name ${name} is not allowed`,
        path: `${path}.ports`,
        details: "Name must be empty, or one of: 'h2c', 'http1'",
      });
  }
  const policy = c.terminationMessagePolicy;
  if (policy !== undefined && policy !== '' && policy !== 'File' && policy !== 'FallbackToLogsOnError')
    out.push({ message: `invalid value: ${String(policy)}`, path: `${path}.terminationMessagePolicy` });
  if (kind === 'user') {
    out.push(...probeProblems(c.livenessProbe, `${path}.livenessProbe`, port, true, false));
    out.push(...probeProblems(c.readinessProbe, `${path}.readinessProbe`, port, true, true));
    out.push(...probeProblems(c.startupProbe, `${path}.startupProbe`, port, true, false));
  } else {
    // multi-container-probing is off: a sidecar's probes may set no handler (ProbeMask of an empty probe).
    for (const key of ['livenessProbe', 'readinessProbe', 'startupProbe'])
      if (isObject(c[key]) && Object.keys(c[key] as Json).length)
        out.push({
          message: 'must not set the field(s)',
          path: Object.keys(c[key] as Json)
            .map((k) => `${path}.${key}.${k}`)
            .join(', '),
        });
  }
  out.push(...mountProblems(objects(c.volumeMounts), volumes, `${path}.volumeMounts`));
  return out;
}

/** ValidatePodSpec of k8s_validation.go (revision template `spec`), with the default feature flags. */
export function podSpecProblems(pod: Json, base: string): FieldProblem[] {
  const out: FieldProblem[] = [];
  const masked = Object.keys(pod).filter((k) => {
    if (podSpecAllowed.has(k)) return k === 'automountServiceAccountToken' && pod[k] === true;
    return (
      isSet(pod[k]) &&
      !(Array.isArray(pod[k]) && (pod[k] as unknown[]).length === 0) &&
      pod[k] !== false &&
      pod[k] !== ''
    );
  });
  if (masked.length) {
    const flags = masked.map((k) => podSpecFlags[k]).filter(Boolean);
    out.push({
      message: 'must not set the field(s)',
      path: masked.map((k) => `${base}.${k}`).join(', '),
      ...(flags.length ? { details: `enable ${flags.join(', ')} in config-features to use them` } : {}),
    });
  }
  const containers = objects(pod.containers);
  const mounted = new Set(
    containers.flatMap((c) => objects(c.volumeMounts).map((m) => String(m.name ?? ''))),
  );
  const volumes = objects(pod.volumes);
  out.push(...volumeProblems(volumes, mounted, `${base}.volumes`));
  const byName = new Map(volumes.map((v) => [String(v.name ?? ''), v]));
  // validateContainersPorts: one port across all containers, which is the user container's.
  const withPorts = containers.filter((c) => objects(c.ports).length > 0);
  const portCount = containers.reduce((n, c) => n + objects(c.ports).length, 0);
  const firstPort = objects(withPorts[0]?.ports)[0];
  const port = { name: firstPort?.name ? String(firstPort.name) : 'http' };
  if (portCount === 0 && containers.length > 1)
    out.push({ message: 'missing field(s)', path: `${base}.containers[*].ports` });
  if (portCount > 1)
    out.push({
      message: 'more than one container port is set',
      path: `${base}.containers[*].ports`,
      details: 'Only a single port is allowed across all containers',
    });
  if (containers.length === 0) out.push({ message: 'missing field(s)', path: `${base}.containers` });
  const names = new Set<string>();
  containers.forEach((c, i) => {
    const path = `${base}.containers[${i}]`;
    if (containers.length > 1) {
      if (names.has(String(c.name)))
        out.push({ message: `duplicate container name "${String(c.name)}"`, path: `${path}.name` });
      names.add(String(c.name));
    }
    const user = containers.length === 1 || objects(c.ports).length > 0;
    out.push(...containerProblems(c, path, byName, port, user ? 'user' : 'sidecar'));
  });
  if (typeof pod.serviceAccountName === 'string' && pod.serviceAccountName !== '') {
    const sa = pod.serviceAccountName;
    if (!dns1123Subdomain.test(sa) || sa.length > 253)
      out.push({
        message: `invalid value: ${sa}`,
        path: `${base}.serviceAccountName`,
        details:
          "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
      });
  }
  return out;
}
