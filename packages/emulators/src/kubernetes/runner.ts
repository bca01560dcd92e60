/**
 * How the emulator runs a revision's container: a Node.js image running a script from a ConfigMap
 * volume (faasport's entry script and code, as the Knative adapter deploys them) with the local Node.js,
 * an image a test mapped to a local command, or inline code of Alibaba's FC workload class. Everything
 * else cannot be pulled and fails as Knative reports it.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isSafeEntryName } from '@faasport/core';
import { pullFaasportEntry } from '@faasport/image';
import { isObject, type Json } from './patch';
import { findResource } from './resources';
import type { KubeObject, ObjectStore } from './store';

/** The executor surface the emulator uses (implemented by `@faasport/runtime`'s `createExecutor`). */
export interface ExecutorLike {
  load(spec: Record<string, unknown>): Promise<ExecutableLike>;
  close(): Promise<void>;
}

/** One loaded revision's code. */
export interface ExecutableLike {
  fetch(request: Request, options?: { requestId?: string }): Promise<Response>;
  close(): Promise<void>;
}

/** Where a revision is: starting, serving, or failed with Knative's reason. */
export type RevisionState =
  | { phase: 'pending' }
  | { phase: 'ready'; executable: ExecutableLike; dir?: string }
  | { phase: 'failed'; reason: string; message: string };

/** What the runner needs to know. */
export interface RunnerOptions {
  /** Test mappings from image references to local commands serving HTTP on `$PORT`. */
  imageCommands: Map<string, string[]>;
}

const CONFIGMAP = findResource('', 'v1', 'configmaps')!;
const SECRET = findResource('', 'v1', 'secrets')!;

/** Starts revisions' code through the executor. */
export class RevisionRunner {
  constructor(
    private readonly store: ObjectStore,
    private readonly options: RunnerOptions,
    private readonly executorOf: () => ExecutorLike,
  ) {}

  private get executor(): ExecutorLike {
    return this.executorOf();
  }

  /** Resolves how to run a revision's container, then loads it. */
  async load(svc: KubeObject, revision: KubeObject): Promise<RevisionState> {
    const ns = revision.metadata.namespace ?? '';
    const spec = revision.spec as Json;
    const containers = (spec.containers as Json[] | undefined) ?? [];
    const container = containers.find((c) => Array.isArray(c.ports) && c.ports.length) ?? containers[0] ?? {};
    const image = String(container.image ?? '');
    const port = Number(
      ((container.ports as Json[] | undefined)?.[0]?.containerPort as number | undefined) ?? 8080,
    );
    const env = this.containerEnv(ns, container, spec);
    if ('failure' in env) return { phase: 'failed', ...env.failure };
    const vars = env.vars;
    vars.K_SERVICE = svc.metadata.name;
    vars.K_CONFIGURATION = svc.metadata.name;
    vars.K_REVISION = revision.metadata.name;
    const timeoutMs = Number(spec.timeoutSeconds ?? 300) * 1000;
    const annotations = revision.metadata.annotations ?? {};
    const concurrency = Number(spec.containerConcurrency ?? 0) || 100;
    const maxScale = Number(annotations['autoscaling.knative.dev/max-scale'] ?? 0) || 10;
    const minScale = Number(annotations['autoscaling.knative.dev/min-scale'] ?? 0);
    const label = revision.metadata.labels?.['faasport.dev/revision'] ?? revision.metadata.name;
    const base = {
      id: `knative/${ns}/${revision.metadata.name}`,
      timeoutMs,
      memoryMb: memoryMb(container),
      concurrency,
      maxInstances: maxScale,
      minInstances: minScale,
      functionName: svc.metadata.name,
      revision: label,
      target: 'knative',
    };
    const fcClass = svc.metadata.annotations?.['workload.serving.knative.aliyun.com/class'] === 'fc';
    if (fcClass) {
      const space = annotations['fc.revision.serving.knative.aliyun.com/code-space'];
      const command = (container.command as string[] | undefined) ?? [];
      if (space === 'inline' && command[0]) {
        const dir = mkdtempSync(join(tmpdir(), 'faasport-kn-'));
        writeFileSync(join(dir, 'index.js'), command[0]);
        const executable = await this.executor.load({
          ...base,
          codeDir: dir,
          runtime: fcRuntime(image),
          handler: 'index.handler',
          contract: 'fc-http',
          env: vars,
        });
        return { phase: 'ready', executable, dir };
      }
      return {
        phase: 'failed',
        reason: 'ContainerMissing',
        message: `Function Compute code-space "${String(space)}" cannot be fetched in the emulator (only inline FC code runs here)`,
      };
    }
    const imageName = image.replace(/[:@].*$/, '');
    const mapped = this.options.imageCommands.get(image) ?? this.options.imageCommands.get(imageName);
    if (mapped) {
      const dir = mkdtempSync(join(tmpdir(), 'faasport-kn-'));
      const executable = await this.executor.load({
        ...base,
        codeDir: dir,
        runtime: 'custom',
        contract: 'http',
        command: mapped,
        port,
        env: { ...vars, PORT: String(port) },
        ...(typeof container.workingDir === 'string' ? {} : {}),
      });
      return { phase: 'ready', executable, dir };
    }
    const script = nodeScriptOf(image, container);
    if (script) {
      const mounted = this.mountConfigMaps(ns, spec, container);
      if ('failure' in mounted) return { phase: 'failed', ...mounted.failure };
      // The container's own paths point into its ConfigMap volumes: they become the copies' paths.
      const local = (arg: string) => {
        for (const [mountPath, dir] of mounted.mounts)
          if (arg === mountPath || arg.startsWith(`${mountPath}/`)) return dir + arg.slice(mountPath.length);
        return arg;
      };
      const args = [...script.slice(1), ...((container.args as string[] | undefined) ?? [])].map(local);
      const executable = await this.executor.load({
        ...base,
        codeDir: mounted.dir,
        runtime: 'custom',
        contract: 'http',
        // The stock Node.js image's `node`, run as the local Node.js.
        command: [process.execPath, ...args],
        port,
        env: { ...vars, PORT: String(port) },
      });
      return { phase: 'ready', executable, dir: mounted.dir };
    }
    // A faasport-built Node.js image in a registry on this machine: its entry runs with the local Node.js.
    const pulled = await pullFaasportEntry(image);
    if (pulled) {
      const executable = await this.executor.load({
        ...base,
        codeDir: pulled.dir,
        runtime: 'custom',
        contract: 'http',
        command: pulled.command,
        port,
        env: { ...pulled.env, ...vars, PORT: String(port) },
      });
      return { phase: 'ready', executable, dir: pulled.dir };
    }
    return {
      phase: 'failed',
      reason: 'ContainerMissing',
      message: `Unable to fetch image "${image}": failed to resolve image to digest: the emulator cannot pull images (map it to a local command with mapImage())`,
    };
  }

  /** The container's env with `valueFrom` references resolved, or the failure Kubernetes would report. */
  private containerEnv(
    ns: string,
    container: Json,
    _spec: Json,
  ): { vars: Record<string, string> } | { failure: { reason: string; message: string } } {
    const vars: Record<string, string> = {};
    for (const entry of (container.env as Json[] | undefined) ?? []) {
      const name = String(entry.name);
      if (typeof entry.value === 'string') vars[name] = entry.value;
      const from = isObject(entry.valueFrom) ? entry.valueFrom : undefined;
      const ref = (from?.secretKeyRef ?? from?.configMapKeyRef) as Json | undefined;
      if (!ref) continue;
      const isSecret = Boolean(from?.secretKeyRef);
      const obj = this.store.get(isSecret ? SECRET : CONFIGMAP, ns, String(ref.name));
      const raw = (obj?.data as Record<string, string> | undefined)?.[String(ref.key)];
      if (raw === undefined) {
        if (ref.optional === true) continue;
        const what = isSecret ? 'secret' : 'configmap';
        return {
          failure: {
            reason: 'CreateContainerConfigError',
            message: obj
              ? `couldn't find key ${String(ref.key)} in ${what.charAt(0).toUpperCase() + what.slice(1)} ${ns}/${String(ref.name)}`
              : `${what} "${String(ref.name)}" not found`,
          },
        };
      }
      vars[name] = isSecret ? Buffer.from(raw, 'base64').toString('utf8') : raw;
    }
    return { vars };
  }

  /**
   * Copies the ConfigMap volumes the container mounts into a folder of their own (each key a file, as
   * the kubelet projects them), or the failure Kubernetes reports for a missing ConfigMap.
   */
  private mountConfigMaps(
    ns: string,
    spec: Json,
    container: Json,
  ): { dir: string; mounts: Array<[string, string]> } | { failure: { reason: string; message: string } } {
    const volumes = (spec.volumes as Json[] | undefined) ?? [];
    const dir = mkdtempSync(join(tmpdir(), 'faasport-kn-'));
    const mounts: Array<[string, string]> = [];
    for (const mount of (container.volumeMounts as Json[] | undefined) ?? []) {
      const volume = volumes.find((v) => v.name === mount.name && isObject(v.configMap));
      if (!volume) continue;
      const cmName = String((volume.configMap as Json).name);
      const cm = this.store.get(CONFIGMAP, ns, cmName);
      if (!cm) {
        rmSync(dir, { recursive: true, force: true });
        return {
          failure: { reason: 'CreateContainerConfigError', message: `configmap "${cmName}" not found` },
        };
      }
      const target = join(dir, String(mount.name));
      mkdirSync(target, { recursive: true });
      for (const [key, value] of Object.entries((cm.data as Record<string, string> | undefined) ?? {}))
        if (isSafeEntryName(key)) writeFileSync(join(target, key), value);
      for (const [key, value] of Object.entries((cm.binaryData as Record<string, string> | undefined) ?? {}))
        if (isSafeEntryName(key)) writeFileSync(join(target, key), Buffer.from(value, 'base64'));
      mounts.push([String(mount.mountPath).replace(/\/+$/, ''), target]);
    }
    return { dir, mounts };
  }
}

/**
 * The script a Node.js image's container runs (`command: [node, <file>, ...]`), or undefined for other
 * containers. An image counts as Node.js when its repository's last part is `node`, as the official
 * image (`docker.io/library/node:22-slim`, `node:22`) and its mirrors are named.
 */
function nodeScriptOf(image: string, container: Json): string[] | undefined {
  const repository = image.replace(/@.*$/, '').replace(/:[^/]*$/, '');
  if (repository.split('/').pop() !== 'node') return undefined;
  const command = (container.command as string[] | undefined) ?? [];
  return command[0] === 'node' && command[1] ? command : undefined;
}

/** Memory limit of a container in MB (Kubernetes quantities: Mi, Gi, M, G). */
function memoryMb(container: Json): number {
  const resources = isObject(container.resources) ? container.resources : {};
  const value = String(
    ((resources.limits as Json | undefined)?.memory ??
      (resources.requests as Json | undefined)?.memory ??
      '256Mi') as string,
  );
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|K|M|G)?$/.exec(value);
  if (!m) return 256;
  const n = Number(m[1]);
  const factor: Record<string, number> = { Ki: 1 / 1024, Mi: 1, Gi: 1024, K: 1 / 1000, M: 1, G: 1000 };
  return Math.max(1, Math.round(n * (m[2] ? factor[m[2]]! : 1 / (1024 * 1024))));
}

/** FC runtime names as the workload class writes them (`nodejs8`) mapped to one the executor runs. */
function fcRuntime(image: string): string {
  if (image.startsWith('python')) return image.startsWith('python3') ? image : 'python3.10';
  return 'nodejs20';
}
