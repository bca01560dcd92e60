import { resolve as resolvePath } from 'node:path';
import {
  type Adapter,
  type AdapterContext,
  type Capabilities,
  type CheckIssue,
  type DesiredState,
  defineAdapter,
  type ExportResult,
  type FunctionConfig,
  type FunctionSummary,
  type LiveFunction,
  type LogEntry,
  type Manifest,
  type ResolvedFunction,
  type ResolvedTrafficEntry,
  runtimes,
  type Step,
} from '@faasport/core';
import { stepHandlers } from '@faasport/core/toolkit';
import { toFunctionConfig } from '../config';
import { nativeContractsText } from '../executor/contracts';
import { localProviderSchema } from '../server/functions';
import { AdminClient, connectionOf, errorOf, type LocalAdapterOptions } from './client';

export type { LocalAdapterOptions } from './client';

/** What the local runtime can do, declared honestly: emulations and limits say what differs. */
export const localCapabilities: Capabilities = {
  features: {
    'source.inline': 'native',
    'source.dir': 'native',
    'source.archive': 'native',
    'source.bucket': { level: 'native', note: 'the archive is read from a local bucket of the runtime' },
    'source.image': {
      level: 'limited',
      note: 'the image is not pulled: source.image.command runs on this machine',
      instead: 'set source.image.command (e.g. ["node", "server.js"]) and deploy the code with it',
    },
    'contract.web': 'native',
    'contract.event': 'native',
    'contract.native': {
      level: 'emulated',
      note: `set providers.local.contract to ${nativeContractsText}`,
    },
    'trigger.http': 'native',
    'trigger.http.private': {
      level: 'emulated',
      note: 'callers send the runtime admin token as a bearer token',
    },
    'trigger.schedule': 'native',
    'trigger.storage': { level: 'native', note: 'local buckets (PUT /_faasport/v1/buckets/{bucket}/{key})' },
    'trigger.event': 'native',
    'trigger.queue': {
      level: 'native',
      note: "durable topics in the runtime's SQLite, one machine's (faasport publish <topic>)",
    },
    'traffic.split': 'native',
    'traffic.tags': 'native',
    'scaling.min': 'native',
    'scaling.max': 'native',
    'scaling.concurrency': 'native',
    'scaling.toZero': 'native',
    secrets: { level: 'native', note: 'stored in the runtime database (mode 0600)' },
    domains: { level: 'emulated', note: 'matched on the Host header; DNS is yours to point at the runtime' },
    initializer: 'native',
    'visibility.private': {
      level: 'emulated',
      note: 'callers send the runtime admin token as a bearer token',
    },
    logs: { level: 'native', note: 'the log lines and invocations the runtime keeps, with --follow' },
  },
  limits: {
    memoryMb: {
      min: 16,
      max: 32_768,
      description: '16-32768 MB (Node heap limit; Python address-space limit)',
    },
    timeoutSeconds: { min: 1, max: 86_400 },
    concurrency: { min: 1, max: 1000 },
    payloadBytes: 6 * 1024 * 1024,
    codeBytes: 256 * 1024 * 1024,
    runtimes,
  },
};

/** The `source` of the config sent with a revision (the code itself travels as the zip). */
function sourceOf(fn: ResolvedFunction): FunctionConfig['source'] {
  switch (fn.source.kind) {
    case 'bucket':
      return { bucket: { name: fn.source.name, key: fn.source.key } };
    case 'image': {
      const { kind: _kind, ...image } = fn.source;
      return { image } as FunctionConfig['source'];
    }
    default:
      return { archive: './code.zip' };
  }
}

/** The neutral config a revision is stored with (traffic is the runtime's, not the revision's). */
function revisionConfig(fn: ResolvedFunction): FunctionConfig {
  return toFunctionConfig(fn, sourceOf(fn));
}

function bytesToBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/**
 * The `local` adapter: the typed client of a bundled runtime's admin API. Revisions are immutable:
 * a deploy uploads code + config as a revision labelled `revisionLabel` (storing `revisionHash`), a
 * settings step stores triggers, visibility and scaling with the `specHash` before traffic moves, and
 * traffic moves last, so an unchanged re-deploy plans zero steps.
 *
 * @example
 * ```ts
 * const adapter = createLocalAdapter({ dataDir: '.faasport' });
 * await deploy(adapter, defineFunction({ name: 'hello', source: { inline: 'export default () => "hi"' } }));
 * ```
 */
export function createLocalAdapter(options: LocalAdapterOptions) {
  const client = new AdminClient(connectionOf(options));
  const path = (name: string) => `/functions/${encodeURIComponent(name)}`;

  /** One handler per step id of the local plan. */
  const applyOne = stepHandlers<[desired: DesiredState]>('local', {
    async revision(_step, desired) {
      const fn = desired.fn;
      await client.json(
        'POST',
        `${path(fn.name)}/revisions`,
        {
          label: desired.revisionLabel,
          revisionHash: desired.revisionHash,
          config: revisionConfig(fn),
          secretValues: desired.secretValues,
          ...(desired.artifact.zip ? { code: bytesToBase64(desired.artifact.zip) } : {}),
          // Stack traces and log lines then name the user's files, not the runtime's copy.
          ...(fn.source.kind === 'dir' ? { sourceRoot: resolvePath(fn.source.path) } : {}),
        },
        { functionName: fn.name },
      );
    },
    async settings(_step, desired) {
      await client.json(
        'PUT',
        `${path(desired.fn.name)}/settings`,
        { specHash: desired.specHash, config: revisionConfig(desired.fn) },
        { functionName: desired.fn.name },
      );
    },
  });
  const adapter = defineAdapter({
    specificationVersion: 'v1' as const,
    name: 'local',
    capabilities: localCapabilities,
    providerOptionsSchema: localProviderSchema,

    check(fn: ResolvedFunction): CheckIssue[] {
      const issues: CheckIssue[] = [];
      const parsed = localProviderSchema.safeParse(fn.providers.local ?? {});
      // Core reports problems in providers.local (providerOptionsSchema); the rules below read valid ones.
      if (!parsed.success) return [];
      if (
        fn.contract === 'native' &&
        fn.runtime !== 'custom' &&
        fn.source.kind !== 'image' &&
        !parsed.data.contract
      ) {
        issues.push({
          severity: 'error',
          feature: 'contract.native',
          path: 'providers.local.contract',
          message: 'a native function needs providers.local.contract on the local runtime',
          hint: `set it to ${nativeContractsText}`,
        });
      }
      if (fn.source.kind === 'image' && !fn.source.command?.length && !parsed.data.command) {
        issues.push({
          severity: 'error',
          feature: 'source.image',
          path: 'source.image.command',
          message: 'the local runtime does not pull images; it runs source.image.command',
          hint: 'set source.image.command to the command the image runs',
        });
      }
      return issues;
    },

    async read(name: string, _ctx?: AdapterContext): Promise<LiveFunction | undefined> {
      const { status, text } = await client.text('GET', path(name));
      if (status === 404) return undefined;
      if (status < 200 || status >= 300)
        throw errorOf(status, JSON.parse(text || '{}'), `GET ${path(name)}`, name);
      return JSON.parse(text) as LiveFunction;
    },

    plan(desired: DesiredState, live: LiveFunction | undefined): Step[] {
      const steps: Step[] = [];
      const fn = desired.fn;
      const existing = live?.revisions.find((r) => r.label === desired.revisionLabel);
      if (!existing || existing.revisionHash !== desired.revisionHash) {
        steps.push({
          id: 'revision',
          action: 'create',
          resource: `revision ${desired.revisionLabel}`,
          summary: `create revision ${desired.revisionLabel} of ${fn.name} (${fn.runtime}, ${fn.resources.memory} MB${existing ? '; the label exists with other content' : ''})`,
          changes: [
            { path: 'revision', to: desired.revisionLabel },
            { path: 'revisionHash', from: existing?.revisionHash, to: desired.revisionHash },
          ],
          phase: 'revision',
          data: { label: desired.revisionLabel, revisionHash: desired.revisionHash },
        });
      }
      if (live?.specHash !== desired.specHash) {
        steps.push({
          id: 'settings',
          action: live ? 'update' : 'create',
          resource: `function ${fn.name}`,
          summary: `store triggers, scaling and settings of ${fn.name} (${fn.triggers.map((t) => t.kind).join(', ') || 'no triggers'})`,
          changes: [{ path: 'specHash', from: live?.specHash, to: desired.specHash }],
          // Before traffic moves: a crash between the two never serves a revision under older, looser
          // settings (a function turned private stays private).
          phase: 'revision',
          data: { specHash: desired.specHash },
        });
      }
      return steps;
    },

    async applyStep(step: Step, desired: DesiredState, _ctx?: AdapterContext): Promise<void> {
      await applyOne(step, desired);
    },

    async setTraffic(name: string, traffic: ResolvedTrafficEntry[], _ctx?: AdapterContext): Promise<void> {
      await client.json('PUT', `${path(name)}/traffic`, { traffic }, { functionName: name });
    },

    async invoke(name, request, invokeOptions = {}): Promise<Response> {
      const url = new URL(request.url);
      const headers: Record<string, string> = {};
      request.headers.forEach((value, key) => {
        headers[key] = value;
      });
      if (invokeOptions.tag) headers['x-faasport-tag'] = invokeOptions.tag;
      if (invokeOptions.revision) headers['x-faasport-revision'] = invokeOptions.revision;
      if (invokeOptions.mode === 'event') headers['x-faasport-mode'] = 'event';
      const method = request.method.toUpperCase();
      const body =
        method === 'GET' || method === 'HEAD' ? undefined : new Uint8Array(await request.arrayBuffer());
      return client.raw(
        method,
        `${path(name)}/invoke${url.pathname === '/' ? '' : url.pathname}${url.search}`,
        {
          body: body?.length ? (body as BodyInit) : undefined,
          headers,
          signal: invokeOptions.signal,
        },
      );
    },

    async *logs(
      name: string,
      logOptions: { follow?: boolean; since?: Date; tail?: number; signal?: AbortSignal },
    ): AsyncIterable<LogEntry> {
      const query = new URLSearchParams({ function: name });
      if (logOptions.tail !== undefined) query.set('limit', String(logOptions.tail));
      if (logOptions.follow) query.set('follow', '1');
      if (logOptions.since) query.set('since', logOptions.since.toISOString());
      const response = await client.raw('GET', `/logs?${query}`, { signal: logOptions.signal });
      if (!response.ok || !response.body)
        throw errorOf(response.status, await response.json().catch(() => ({})), 'GET /logs', name);
      const decoder = new TextDecoder();
      let rest = '';
      try {
        for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
          rest += decoder.decode(chunk, { stream: true });
          let index = rest.indexOf('\n');
          while (index >= 0) {
            const line = rest.slice(0, index).trim();
            rest = rest.slice(index + 1);
            index = rest.indexOf('\n');
            if (!line) continue;
            const entry = JSON.parse(line) as {
              time: string;
              level: LogEntry['level'];
              message: string;
              requestId?: string;
              revision?: string;
              kind?: string;
              status?: number;
              durationMs?: number;
              fields?: Record<string, unknown>;
            };
            yield {
              time: entry.time,
              level: entry.level,
              message: entry.message,
              ...(entry.requestId ? { requestId: entry.requestId } : {}),
              ...(entry.revision ? { revision: entry.revision } : {}),
              fields: {
                ...entry.fields,
                kind: entry.kind,
                ...(entry.status !== undefined ? { status: entry.status, durationMs: entry.durationMs } : {}),
              },
            };
          }
        }
      } catch (error) {
        if ((error as Error).name !== 'AbortError' && !logOptions.signal?.aborted) throw error;
      }
    },

    async list(_ctx?: AdapterContext): Promise<FunctionSummary[]> {
      const data = await client.json<{ functions: FunctionSummary[] }>('GET', '/functions');
      return data.functions;
    },

    async remove(name: string, _ctx?: AdapterContext): Promise<void> {
      await client.json('DELETE', path(name), undefined, { functionName: name });
    },

    async export(name: string, _ctx?: AdapterContext): Promise<ExportResult> {
      const data = await client.json<{ config: FunctionConfig; code?: string; notes: string[] }>(
        'GET',
        `${path(name)}/export`,
        undefined,
        { functionName: name },
      );
      return {
        config: data.config,
        ...(data.code ? { code: new Uint8Array(Buffer.from(data.code, 'base64')) } : {}),
        notes: data.notes,
      };
    },

    render(desired: DesiredState): Manifest[] {
      const fn = desired.fn;
      const secretRefs = Object.fromEntries(
        Object.keys(desired.secretValues).map((key) => [key, `<secret ${key}>`]),
      );
      return [
        {
          name: `${fn.name}.revision.json`,
          format: 'json',
          content: {
            label: desired.revisionLabel,
            revisionHash: desired.revisionHash,
            config: revisionConfig(fn),
            secretValues: secretRefs,
            code: desired.artifact.zip ? `<zip, ${desired.artifact.zip.length} bytes, base64>` : undefined,
          },
          request: { method: 'POST', path: `/_faasport/v1${path(fn.name)}/revisions` },
        },
        {
          name: `${fn.name}.settings.json`,
          format: 'json',
          content: { specHash: desired.specHash, config: revisionConfig(fn) },
          request: { method: 'PUT', path: `/_faasport/v1${path(fn.name)}/settings` },
        },
        {
          name: `${fn.name}.traffic.json`,
          format: 'json',
          content: { traffic: desired.traffic },
          request: { method: 'PUT', path: `/_faasport/v1${path(fn.name)}/traffic` },
        },
      ];
    },
  } satisfies Adapter);
  return Object.assign(adapter, { client });
}
