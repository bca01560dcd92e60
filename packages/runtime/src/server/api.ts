import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import {
  type CloudEvent,
  type FunctionConfig,
  registerSecret,
  trafficSchema,
  ValidationError,
  z,
  zipEntries,
} from '@faasport/core';
import { zodIssues } from '@faasport/core/toolkit';
import { toFunctionConfig } from '../config';
import { StartError } from '../executor';
import type { Published } from './broker';
import { CodeDamagedError } from './code-store';
import type { RuntimeContext } from './context';
import { contractOf, localOptions, resolveStored } from './functions';
import { HttpError, readBody, sendJson } from './http';
import { handleTopics } from './topics-api';

const dnsLabel = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
const functionName = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

const revisionBody = z.strictObject({
  label: z.string().max(40).regex(dnsLabel, 'must be a revision label (lowercase letters, digits and "-")'),
  revisionHash: z.string().regex(/^[a-f0-9]{64}$/, 'must be a sha256 hex digest'),
  config: z.record(z.string(), z.unknown()),
  secretValues: z
    .record(
      z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/),
      z.string().refine((value) => !value.includes('\0'), {
        error: 'contains a NUL character, which an environment variable cannot hold',
      }),
    )
    .default({}),
  code: z.string().optional(),
  /** The absolute folder the code was packaged from: log lines and stack traces name files there. */
  sourceRoot: z
    .string()
    .max(4096)
    .refine((value) => path.isAbsolute(value), 'must be an absolute path')
    .optional(),
});

const settingsBody = z.strictObject({
  specHash: z.string().min(1).max(128),
  config: z.record(z.string(), z.unknown()),
});

const trafficBody = z.strictObject({ traffic: trafficSchema });

function parse<T>(schema: z.ZodType<T>, value: unknown, subject: string): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new ValidationError(zodIssues(result.error), { subject });
  }
  return result.data;
}

async function jsonBody(req: IncomingMessage, limit: number): Promise<unknown> {
  const body = await readBody(req, limit);
  if (body.length === 0) return {};
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new HttpError(400, 'InvalidJson', `the request body is not JSON: ${(error as Error).message}`);
  }
}

function checkName(name: string): void {
  if (!functionName.test(name)) {
    throw new ValidationError([
      {
        path: 'name',
        message: `${JSON.stringify(name.slice(0, 80))} is not a function name (a letter, then letters, digits, "-" or "_"; at most 64)`,
        rule: 'name',
      },
    ]);
  }
}

/** The public URL of a function and of its tags. */
export function urlsOf(
  context: RuntimeContext,
  name: string,
  tags: string[],
): { url: string; tagUrls: Record<string, string> } {
  const base = new URL(context.baseUrl());
  const hostForm = dnsLabel.test(name);
  const url = hostForm
    ? `http://${name}.${context.namespace}.localhost:${base.port}/`
    : `${context.baseUrl()}/${encodeURIComponent(name)}/`;
  const tagUrls: Record<string, string> = {};
  for (const tag of tags) tagUrls[tag] = `http://${tag}-${name}.${context.namespace}.localhost:${base.port}/`;
  return { url, tagUrls };
}

function liveOf(context: RuntimeContext, name: string) {
  const fn = context.functions.get(name);
  if (!fn) return undefined;
  const revisions = context.store.listRevisions(name);
  const settings = context.functions.settingsOf(name);
  const { url, tagUrls } = urlsOf(
    context,
    name,
    fn.traffic.flatMap((t) => (t.tag ? [t.tag] : [])),
  );
  return {
    name,
    target: 'local',
    specHash: fn.specHash,
    revisions: revisions.map((r) => {
      // Code changed on disk and not restorable is reported as not deployed, so a deploy uploads it again.
      const intact = codeIntact(context, r.codeHash);
      return {
        label: r.label,
        id: r.label,
        revisionHash: intact ? r.revisionHash : '',
        ready: intact,
        createdAt: r.createdAt,
      };
    }),
    traffic: fn.traffic,
    url,
    tagUrls,
    config: settings
      ? {
          runtime: settings.runtime,
          handler: settings.handler,
          env: settings.env,
          resources: settings.resources,
          contract: settings.contract,
        }
      : undefined,
  };
}

/** Whether a revision's stored code is as deployed (restored from its archive when it changed). */
function codeIntact(context: RuntimeContext, codeHash: string): boolean {
  if (codeHash === 'none') return true;
  try {
    context.code.verify(codeHash);
    return true;
  } catch (error) {
    if (error instanceof CodeDamagedError) return false;
    throw error;
  }
}

/** Handles one admin API call (the caller has checked the token). `path` is below `/_faasport/v1`. */
export async function handleAdmin(
  context: RuntimeContext,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  query: URLSearchParams,
): Promise<void> {
  const method = req.method ?? 'GET';
  // The hot route first, before any path parsing.
  if ((path === '/events' || path === '/events/') && method === 'POST')
    return publishEvent(context, req, res);
  const parts = path
    .split('/')
    .filter(Boolean)
    .map((segment) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        throw new HttpError(
          400,
          'InvalidPath',
          `the path segment ${JSON.stringify(segment)} has malformed percent-encoding: "%" must be followed by two hex digits of UTF-8 (write a literal "%" as %25)`,
        );
      }
    });
  const { store, functions } = context;

  if (parts.length === 1 && parts[0] === 'health') return sendJson(res, 200, { ok: true });

  if (parts[0] === 'functions') {
    if (parts.length === 1 && method === 'GET') {
      return sendJson(res, 200, {
        functions: store.listFunctions().map((fn) => ({
          name: fn.name,
          url: urlsOf(context, fn.name, []).url,
          revisions: store.listRevisions(fn.name).length,
          traffic: fn.traffic,
        })),
      });
    }
    const name = parts[1];
    if (!name) throw new HttpError(404, 'NotFound', `no admin route ${method} ${path}`);
    checkName(name);

    if (parts.length === 2 && method === 'GET') {
      const live = liveOf(context, name);
      if (!live) throw new HttpError(404, 'FunctionNotFound', `function "${name}" does not exist`);
      return sendJson(res, 200, live);
    }
    if (parts.length === 2 && method === 'DELETE') {
      context.countWrite();
      req.resume();
      const existed = Boolean(store.getFunction(name));
      store.deleteFunction(name);
      functions.changed(name);
      context.logs.remove(name);
      context.code.collect(store.codeHashes());
      return sendJson(res, 200, { removed: existed });
    }
    if (parts.length === 3 && parts[2] === 'revisions' && method === 'POST') {
      context.countWrite();
      const body = parse(revisionBody, await jsonBody(req, 512 * 1024 * 1024), `revision of "${name}"`);
      return deployRevision(context, res, name, body);
    }
    if (parts.length === 3 && parts[2] === 'settings' && method === 'PUT') {
      context.countWrite();
      const body = parse(settingsBody, await jsonBody(req, 4 * 1024 * 1024), `settings of "${name}"`);
      const resolved = resolveStored(body.config as FunctionConfig);
      if (resolved.name !== name)
        throw new HttpError(400, 'NameMismatch', `the config names "${resolved.name}", the path "${name}"`);
      localOptions(resolved);
      if (!store.getFunction(name))
        throw new HttpError(
          404,
          'FunctionNotFound',
          `function "${name}" does not exist; deploy a revision first`,
        );
      store.setSettings(name, body.specHash, body.config as FunctionConfig);
      functions.changed(name);
      functions.warm(name);
      return sendJson(res, 200, { name, specHash: body.specHash });
    }
    if (parts.length === 3 && parts[2] === 'traffic' && method === 'PUT') {
      context.countWrite();
      const body = parse(trafficBody, await jsonBody(req, 1024 * 1024), `traffic of "${name}"`);
      if (!store.getFunction(name))
        throw new HttpError(404, 'FunctionNotFound', `function "${name}" does not exist`);
      for (const entry of body.traffic) {
        if (entry.revision === 'latest' || !store.getRevision(name, entry.revision)) {
          const known = store.listRevisions(name).map((r) => r.label);
          throw new ValidationError(
            [
              {
                path: 'traffic',
                message: `revision "${entry.revision}" does not exist (revisions: ${known.join(', ') || 'none'})`,
                rule: 'exists',
              },
            ],
            { subject: `traffic of "${name}"` },
          );
        }
      }
      const traffic = body.traffic.map((t) => ({
        revision: t.revision,
        percent: t.percent,
        ...(t.tag ? { tag: t.tag } : {}),
      }));
      store.setTraffic(name, traffic);
      functions.changed(name);
      functions.warm(name);
      return sendJson(res, 200, { name, traffic });
    }
    if (parts.length === 3 && parts[2] === 'export' && method === 'GET') {
      return exportFunction(context, res, name);
    }
    if (parts[2] === 'invoke') {
      const fn = store.getFunction(name);
      if (!fn) {
        req.resume();
        throw new HttpError(404, 'FunctionNotFound', `function "${name}" does not exist`);
      }
      const rest = `/${parts.slice(3).map(encodeURIComponent).join('/')}`;
      const search = query.toString();
      const header = (key: string) =>
        typeof req.headers[key] === 'string' ? (req.headers[key] as string) : undefined;
      return context.serve(
        req,
        res,
        {
          fn,
          tag: header('x-faasport-tag'),
          revision: header('x-faasport-revision'),
          path: rest + (search ? `?${search}` : ''),
        },
        { mode: header('x-faasport-mode') === 'event' ? 'event' : undefined },
      );
    }
  }

  if (parts.length === 1 && parts[0] === 'logs' && method === 'GET')
    return streamLogs(context, req, res, query);

  if (parts.length === 1 && parts[0] === 'deadletters' && method === 'GET') {
    const fnName = query.get('function') ?? undefined;
    return sendJson(res, 200, {
      deadLetters: context.store.deadLetters(fnName).map((e) => ({
        seq: e.seq,
        eventId: e.eventId,
        function: e.functionName,
        trigger: e.trigger,
        attempts: e.attempts,
        lastError: e.lastError,
        createdAt: e.createdAt,
        event: JSON.parse(e.eventJson) as unknown,
      })),
    });
  }

  if (await handleTopics(context, req, res, parts, query)) return;

  if (parts[0] === 'buckets' && parts[1]) {
    const bucket = parts[1];
    const key = parts.slice(2).join('/');
    if (!key && method === 'GET')
      return sendJson(res, 200, { bucket, objects: context.buckets.list(bucket, query.get('prefix') ?? '') });
    if (method === 'PUT') {
      const data = await readBody(req, 256 * 1024 * 1024);
      const contentType =
        typeof req.headers['content-type'] === 'string' ? req.headers['content-type'] : undefined;
      return sendJson(res, 200, context.buckets.put(bucket, key, data, contentType));
    }
    if (method === 'GET') {
      const object = context.buckets.get(bucket, key);
      if (!object)
        throw new HttpError(404, 'NoSuchKey', `bucket "${bucket}" has no object ${JSON.stringify(key)}`);
      res.writeHead(200, {
        'content-type': object.contentType ?? 'application/octet-stream',
        etag: `"${object.etag}"`,
        'content-length': object.data.length,
      });
      res.end(object.data);
      return;
    }
    if (method === 'DELETE') {
      req.resume();
      return sendJson(res, 200, { deleted: context.buckets.delete(bucket, key) });
    }
  }

  req.resume();
  throw new HttpError(404, 'NotFound', `no admin route ${method} ${path}`);
}

/** `POST /events`: reads a CloudEvent and answers 202 once its deliveries are committed. */
async function publishEvent(
  context: RuntimeContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const body = await readBody(req, context.bodyLimit);
  sendJson(res, 202, await publishEventFrom(context, req.headers, body));
}

/**
 * Publishes the CloudEvent a request carries (binary or structured mode), or the events of a batch
 * (`application/cloudevents-batch+json`, one commit for all of them), and resolves once their deliveries
 * are committed; throws an {@link HttpError} (400) for anything that is not a CloudEvent 1.0, and then
 * queues nothing. The admin API and the gateway's front share it.
 */
export async function publishEventFrom(
  context: RuntimeContext,
  headers: IncomingMessage['headers'],
  body: Buffer,
): Promise<Published | { events: Published[] }> {
  const contentType = typeof headers['content-type'] === 'string' ? headers['content-type'] : '';
  if (contentType.startsWith(batchContentType))
    return { events: await context.broker.publishBatch(cloudEventBatch(body)) };
  let event: CloudEvent | undefined;
  try {
    event = cloudEventFromParts(headers, body);
  } catch (error) {
    throw new HttpError(400, 'InvalidEvent', `the body is not a CloudEvent: ${(error as Error).message}`);
  }
  if (!event) {
    throw new HttpError(
      400,
      'InvalidEvent',
      'not a CloudEvent: send ce-id, ce-source, ce-type and ce-specversion headers (binary mode), an application/cloudevents+json body (structured mode) or an application/cloudevents-batch+json array (batched mode)',
    );
  }
  checkSpecVersion(event.specversion, '');
  return context.broker.publish(event);
}

/**
 * Batched content mode of the CloudEvents HTTP binding: the body is a JSON array of structured events.
 * https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/bindings/http-protocol-binding.md#33-batched-content-mode
 */
const batchContentType = 'application/cloudevents-batch+json';

/** The events of a batch body, each checked as structured mode checks one; the first problem throws (400). */
function cloudEventBatch(body: Buffer): CloudEvent[] {
  let events: unknown;
  try {
    events = JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new HttpError(400, 'InvalidEvent', `the batch is not JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(events))
    throw new HttpError(400, 'InvalidEvent', `a ${batchContentType} body is a JSON array of CloudEvents`);
  events.forEach((event, index) => {
    if (!event || typeof event !== 'object' || Array.isArray(event))
      throw new HttpError(400, 'InvalidEvent', `event [${index}] of the batch is not a JSON object`);
    for (const attribute of requiredAttributes) {
      if (typeof event[attribute] !== 'string' || event[attribute] === '')
        throw new HttpError(
          400,
          'InvalidEvent',
          `event [${index}] of the batch has no "${attribute}": every CloudEvent needs id, source, type and specversion`,
        );
    }
    checkSpecVersion(event.specversion, `event [${index}] of the batch: `);
  });
  return events as CloudEvent[];
}

function checkSpecVersion(specversion: unknown, where: string): void {
  if (specversion !== '1.0')
    throw new HttpError(
      400,
      'InvalidEvent',
      `${where}specversion ${JSON.stringify(specversion)} is not supported (1.0)`,
    );
}

async function deployRevision(
  context: RuntimeContext,
  res: ServerResponse,
  name: string,
  body: z.infer<typeof revisionBody>,
): Promise<void> {
  const { store, functions, code } = context;
  const resolved = resolveStored(body.config as FunctionConfig);
  if (resolved.name !== name)
    throw new HttpError(400, 'NameMismatch', `the config names "${resolved.name}", the path "${name}"`);
  localOptions(resolved);
  contractOf(resolved);
  if (
    resolved.source.kind === 'image' &&
    !localOptions(resolved).command &&
    !resolved.source.command?.length
  ) {
    throw new ValidationError(
      [
        {
          path: 'source.image.command',
          message: 'is required on the local runtime, which runs the command instead of pulling the image',
          rule: 'required',
        },
      ],
      { subject: `function "${name}"` },
    );
  }
  const existing = store.getRevision(name, body.label);
  if (existing) {
    if (existing.revisionHash === body.revisionHash) {
      // The same revision again: its code is stored again when the folder on disk was damaged.
      if (body.code !== undefined && !codeIntact(context, existing.codeHash))
        code.put(new Uint8Array(Buffer.from(body.code, 'base64')));
      sendJson(res, 200, {
        label: existing.label,
        revisionHash: existing.revisionHash,
        created: false,
      });
      return;
    }
    throw new HttpError(
      409,
      'RevisionExists',
      `revision "${body.label}" of "${name}" already exists with other code or config; revisions are immutable, so give the new one another label`,
    );
  }
  let codeHash = 'none';
  if (body.code !== undefined) {
    codeHash = code.put(new Uint8Array(Buffer.from(body.code, 'base64')));
  } else if (resolved.source.kind === 'bucket') {
    const object = context.buckets.get(resolved.source.name, resolved.source.key);
    if (!object) {
      throw new ValidationError(
        [
          {
            path: 'source.bucket',
            message: `local bucket "${resolved.source.name}" has no object ${JSON.stringify(resolved.source.key)}; upload it with PUT /_faasport/v1/buckets/${resolved.source.name}/${resolved.source.key}`,
            rule: 'exists',
          },
        ],
        { subject: `function "${name}"` },
      );
    }
    codeHash = code.put(new Uint8Array(object.data), 'source.bucket');
  } else if (resolved.source.kind !== 'image') {
    throw new ValidationError(
      [{ path: 'code', message: 'is required: the zip of the code, base64', rule: 'required' }],
      { subject: `function "${name}"` },
    );
  }
  for (const value of Object.values(body.secretValues)) registerSecret(value);
  const revision = {
    functionName: name,
    label: body.label,
    revisionHash: body.revisionHash,
    codeHash,
    config: body.config as FunctionConfig,
    secretValues: body.secretValues,
    ...(body.sourceRoot ? { sourceRoot: body.sourceRoot } : {}),
    createdAt: new Date().toISOString(),
  };
  // The code loads, and its handler resolves, before the revision is stored: a deploy that fails here
  // stores nothing and moves no traffic. Commands (the http contract) prove themselves on first call.
  if (contractOf(resolved) !== 'http') {
    const unpin = codeHash === 'none' ? () => undefined : code.pin(codeHash);
    try {
      await functions.verify(name, revision);
    } catch (error) {
      unpin();
      if (!store.codeHashes().has(codeHash)) code.collect(store.codeHashes());
      if (error instanceof StartError) throw loadFailure(name, error);
      throw error;
    } finally {
      unpin();
    }
    // A concurrent request may have stored the label meanwhile.
    const raced = store.getRevision(name, body.label);
    if (raced) {
      functions.changed(name);
      if (raced.revisionHash === body.revisionHash)
        return sendJson(res, 200, { label: raced.label, revisionHash: raced.revisionHash, created: false });
      throw new HttpError(
        409,
        'RevisionExists',
        `revision "${body.label}" of "${name}" was just created by another deploy`,
      );
    }
  }
  store.transaction(() => {
    // A new function is created whole in one transaction: its settings (triggers, visibility) from the
    // revision's config, the revision, and all traffic to it, so a crash never leaves it without
    // settings or with a revision and no route. The deploy's settings and traffic steps then confirm them.
    const created = !store.getFunction(name);
    if (created) {
      store.ensureFunction(name);
      store.setSettings(name, null, body.config as FunctionConfig);
    }
    store.insertRevision(revision);
    if (created) store.setTraffic(name, [{ revision: body.label, percent: 100 }]);
  });
  functions.changed(name);
  if (contractOf(resolved) !== 'http') context.executor.prewarm(resolved.runtime, resolved.resources.memory);
  sendJson(res, 201, { label: body.label, revisionHash: body.revisionHash, codeHash, created: true });
}

/** A revision whose code did not load, as the validation error a deploy reports (nothing was stored). */
function loadFailure(name: string, error: StartError): ValidationError {
  const field = error.message.startsWith('initializer') ? 'initializer' : 'handler';
  if (error.handlerNotFound)
    return new ValidationError([{ path: field, message: error.message, rule: 'export-exists' }], {
      subject: `function "${name}"`,
      hint: `Point ${field} at an export the module has ("file.export"). Nothing was stored and traffic did not move.`,
    });
  // Where in the user's code the load failed: the innermost frame outside the runtime (Python lists
  // frames outermost first, Node.js innermost first).
  const frames = (error.detail.stack ?? '').split('\n').map((line) => line.trim());
  const python = frames.filter(
    (line) => line.startsWith('File "') && !line.includes('python_worker.py') && !line.includes('<frozen'),
  );
  const at = python.length
    ? python[python.length - 1]
    : (frames.find((line) => line.startsWith('at ') && !line.includes('node:')) ??
      // A syntax error's stack starts with the file and line, then the offending code.
      frames.find((line) => /^(?:file:\/\/)?\/.*:\d+$/.test(line)));
  return new ValidationError(
    [
      {
        path: 'source',
        message: `the code failed to load: ${error.message}${at ? ` (${at})` : ''}`,
        rule: 'loads',
      },
    ],
    {
      subject: `function "${name}"`,
      hint: 'Fix the error the module throws while it loads (run it with node or python to see it). Nothing was stored and traffic did not move.',
    },
  );
}

function exportFunction(context: RuntimeContext, res: ServerResponse, name: string): void {
  const fn = context.store.getFunction(name);
  if (!fn) throw new HttpError(404, 'FunctionNotFound', `function "${name}" does not exist`);
  const revisions = context.store.listRevisions(name);
  const serving = [...fn.traffic].sort((a, b) => b.percent - a.percent)[0]?.revision;
  const revision = revisions.find((r) => r.label === serving) ?? revisions[revisions.length - 1];
  if (!revision) throw new HttpError(404, 'FunctionNotFound', `function "${name}" has no revisions`);
  const resolved = resolveStored((fn.config ?? revision.config) as FunctionConfig);
  const revisionConfig = resolveStored(revision.config);
  const notes: string[] = [];
  let zip: Uint8Array | undefined;
  if (revision.codeHash !== 'none') {
    zip = zipEntries(
      context.code.files(revision.codeHash).map((f) => ({ name: f.name, data: f.data, executable: false })),
    ).zip;
  }
  const source: FunctionConfig['source'] =
    revisionConfig.source.kind === 'image'
      ? ({ image: { ...revisionConfig.source } } as FunctionConfig['source'])
      : { archive: `./${name}.zip` };
  const config = toFunctionConfig(
    {
      ...resolved,
      runtime: revisionConfig.runtime,
      handler: revisionConfig.handler,
      contract: revisionConfig.contract,
      env: revisionConfig.env,
      resources: revisionConfig.resources,
      secrets: revisionConfig.secrets,
      revision: undefined,
      traffic: [{ revision: 'latest', percent: 100 }],
    },
    source,
  );
  if (revisions.length > 1)
    notes.push(
      `${revisions.length} revisions exist; the export holds "${revision.label}" (the one with the most traffic) and sends all traffic to it`,
    );
  if (Object.keys(revisionConfig.secrets).length)
    notes.push('secret values are not exported; the config keeps the references');
  sendJson(res, 200, { config, code: zip ? Buffer.from(zip).toString('base64') : undefined, notes });
}

function streamLogs(
  context: RuntimeContext,
  req: IncomingMessage,
  res: ServerResponse,
  query: URLSearchParams,
): void {
  const fnName = query.get('function') ?? undefined;
  const since = query.get('since') ? new Date(query.get('since')!) : undefined;
  if (since && Number.isNaN(since.getTime()))
    throw new HttpError(400, 'InvalidQuery', `since=${JSON.stringify(query.get('since'))} is not a date`);
  const requestId = query.get('requestId') ?? undefined;
  const limit = query.get('limit') ? Number(query.get('limit')) : undefined;
  const follow = query.get('follow') === '1' || query.get('follow') === 'true';
  res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' });
  for (const entry of context.logs.read({ function: fnName, since, requestId, limit }))
    res.write(`${JSON.stringify(entry)}\n`);
  if (!follow) {
    res.end();
    return;
  }
  const stop = context.logs.follow((entry) => {
    if (fnName && entry.function !== fnName) return;
    if (requestId && entry.requestId !== requestId) return;
    res.write(`${JSON.stringify(entry)}\n`);
  });
  const heartbeat = setInterval(() => res.write('\n'), 15_000);
  const end = () => {
    stop();
    clearInterval(heartbeat);
  };
  req.on('close', end);
  res.on('close', end);
}

const requiredAttributes = ['id', 'source', 'type'] as const;

/**
 * Reads a CloudEvent from an HTTP request's headers and body: structured mode
 * (`application/cloudevents+json`) or binary mode (`ce-*` headers, the body is the data). The same
 * rules as core's `cloudEventFromRequest`, without building a Web Request for every publish.
 */
export function cloudEventFromParts(
  headers: IncomingMessage['headers'],
  body: Buffer,
): CloudEvent | undefined {
  const contentType = typeof headers['content-type'] === 'string' ? headers['content-type'] : '';
  if (contentType.startsWith('application/cloudevents+json')) {
    const event = JSON.parse(body.toString('utf8')) as CloudEvent;
    return event && typeof event === 'object' && requiredAttributes.every((k) => typeof event[k] === 'string')
      ? event
      : undefined;
  }
  if (typeof headers['ce-id'] !== 'string') return undefined;
  const event: Record<string, unknown> = { specversion: '1.0' };
  for (const key in headers) {
    if (!key.startsWith('ce-')) continue;
    const value = headers[key];
    if (typeof value === 'string') event[key.slice(3)] = value;
  }
  if (contentType) event.datacontenttype = contentType;
  if (body.length) {
    const text = body.toString('utf8');
    if (contentType.includes('json')) {
      try {
        event.data = JSON.parse(text);
      } catch {
        event.data = text;
      }
    } else if (contentType === '' || contentType.startsWith('text/')) event.data = text;
    else event.data_base64 = body.toString('base64');
  }
  return requiredAttributes.every((k) => typeof event[k] === 'string') ? (event as CloudEvent) : undefined;
}
