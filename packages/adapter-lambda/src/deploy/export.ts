/** Exporting a live Lambda function back to the neutral model. */
import {
  type AdapterContext,
  type ExportResult,
  type FunctionConfig,
  NotFoundError,
  zipEntries,
} from '@faasport/core';
import { unzipSync } from 'fflate';
import { readShimConfig, shimFileName } from '../runtime';
import { parseDescription, parseVersionDescription, secretsTag, tagOfAlias } from './code';
import { type LambdaApi, type LambdaLive, mainAlias } from './context';
import { fromSchedulerExpression } from './cron';
import { readRaw, reverseRuntime, trafficOf } from './live';
import { entryOf, s3Events } from './storage';

/** Exports a live function: config, code from `Code.Location`, aliases as traffic, the URL as http trigger, schedules and mappings. */
export async function exportFunction(
  api: LambdaApi,
  name: string,
  _ctx?: AdapterContext,
): Promise<ExportResult> {
  const raw = await readRaw(api, name);
  if (!raw) throw new NotFoundError({ functionName: name, target: api.o.target, adapter: 'lambda' });
  return exportFrom(api, name, raw);
}

/** The export of what readRaw() gathered. */
export async function exportFrom(_api: LambdaApi, name: string, raw: LambdaLive): Promise<ExportResult> {
  const c = raw.config;
  const notes: string[] = [];
  const config: Record<string, unknown> = { name };
  const { user, marker } = parseDescription(c.Description);
  if (user) config.description = user;
  let code: Uint8Array | undefined;
  let contract = marker?.k as FunctionConfig['contract'] | undefined;
  let handler = marker?.h;
  if (c.PackageType === 'Image') {
    const image = c.ImageConfigResponse?.ImageConfig;
    config.source = {
      image: {
        ref: raw.code.imageUri ?? '',
        ...(image?.EntryPoint?.length ? { command: image.EntryPoint } : {}),
        ...(image?.Command?.length ? { args: image.Command } : {}),
        ...(image?.WorkingDirectory ? { workdir: image.WorkingDirectory } : {}),
      },
    };
    contract = undefined;
    handler = undefined;
  } else {
    const response = raw.code.location ? await fetch(raw.code.location).catch(() => undefined) : undefined;
    const bytes = response?.ok ? new Uint8Array(await response.arrayBuffer()) : undefined;
    let files: Record<string, Uint8Array> | undefined;
    try {
      files = bytes ? unzipSync(bytes) : undefined;
    } catch {
      files = undefined;
    }
    if (files) {
      const shim = files[shimFileName]
        ? readShimConfig(new TextDecoder().decode(files[shimFileName]))
        : undefined;
      if (shim) {
        contract = shim.contract;
        handler = `${shim.module.replace(/\.[^.]+$/, '')}.${shim.export}`;
      } else {
        contract = 'native';
        handler = c.Handler;
      }
      const entries = Object.entries(files)
        .filter(([n]) => n !== shimFileName && !n.endsWith('/'))
        .map(([n, data]) => ({ name: n, data, executable: n === 'bootstrap' }));
      code = zipEntries(entries).zip;
    } else {
      notes.push(
        'the code could not be downloaded from Code.Location; source points at an archive you must provide',
      );
      contract ??= 'native';
      handler ??= c.Handler;
    }
    config.source = { archive: `./${name}.zip` };
    const runtime = marker?.t ?? (c.Runtime ? reverseRuntime[c.Runtime] : undefined);
    if (runtime) config.runtime = runtime;
    if (marker?.t)
      notes.push(
        `runtime ${marker.t} ran on Lambda's ${c.Runtime} (Lambda deprecated ${marker.t}.x); the export keeps ${marker.t}`,
      );
    else notes.push(`runtime ${c.Runtime ?? '(none)'} has no faasport equivalent; set runtime by hand`);
    if (handler) config.handler = handler;
    if (contract) config.contract = contract;
  }
  const secretKeys = new Set((raw.tags[secretsTag] ?? '').split(',').filter(Boolean));
  const variables = c.Environment?.Variables ?? {};
  const env = Object.fromEntries(Object.entries(variables).filter(([k]) => !secretKeys.has(k)));
  if (Object.keys(env).length) config.env = env;
  if (secretKeys.size) {
    config.secrets = Object.fromEntries([...secretKeys].map((k) => [k, { fromEnv: k }]));
    notes.push(
      `secrets ${[...secretKeys].join(', ')} are exported as references to environment variables of the same names; their values are not exported`,
    );
  }
  config.resources = {
    memory: c.MemorySize ?? 128,
    timeout: c.Timeout ?? 3,
    ...(c.EphemeralStorage?.Size && c.EphemeralStorage.Size !== 512 ? { disk: c.EphemeralStorage.Size } : {}),
  };
  config.scaling = {
    ...(raw.provisioned ? { min: raw.provisioned } : {}),
    ...(raw.reserved !== undefined && raw.reserved > 0 ? { max: raw.reserved } : {}),
  };
  const triggers: unknown[] = [];
  if (raw.url) triggers.push({ http: { auth: raw.url.AuthType === 'AWS_IAM' ? 'private' : 'anonymous' } });
  for (const s of raw.schedules) {
    const cron = fromSchedulerExpression(s.ScheduleExpression ?? '');
    if (!cron) {
      notes.push(`schedule ${s.Name} (${s.ScheduleExpression}) has no 5-field cron form; it was left out`);
      continue;
    }
    let payload: unknown;
    try {
      const input = JSON.parse(s.Target?.Input ?? 'null') as { faasport?: string; payload?: unknown } | null;
      payload = input?.faasport === 'schedule' ? input.payload : (input ?? undefined);
    } catch {
      payload = s.Target?.Input;
    }
    const prefix = `${name}-`;
    triggers.push({
      schedule: {
        ...(s.Name?.startsWith(prefix) && !/^schedule(-\d+)?$/.test(s.Name.slice(prefix.length))
          ? { name: s.Name.slice(prefix.length) }
          : {}),
        cron,
        timezone: s.ScheduleExpressionTimezone ?? 'UTC',
        ...(payload === undefined ? {} : { payload }),
        ...(s.State === 'DISABLED' ? { enabled: false } : {}),
      },
    });
  }
  for (const m of raw.mappings) {
    const queue = m.EventSourceArn?.split(':').pop() ?? '';
    if (!m.EventSourceArn?.includes(':sqs:')) {
      notes.push(`the event source mapping of ${m.EventSourceArn} is not an SQS queue; it was left out`);
      continue;
    }
    triggers.push({
      queue: { topic: queue, ...(m.BatchSize && m.BatchSize !== 1 ? { batchSize: m.BatchSize } : {}) },
    });
    notes.push(
      `queue trigger "${queue}" needs its binding on the new target (for Lambda: targets.<t>.queues.${queue}.arn: ${m.EventSourceArn})`,
    );
  }
  triggers.push(...storageTriggers(name, raw, notes));
  config.triggers = triggers;
  const traffic = trafficOf(raw);
  if (traffic.length) config.traffic = traffic;
  const latest = [...raw.versions].pop();
  const latestLabel = latest
    ? (parseVersionDescription(latest.Description)?.label ?? latest.Version)
    : undefined;
  if (latestLabel && !traffic.some((t) => t.revision === latestLabel)) config.revision = latestLabel;
  for (const alias of raw.aliases)
    if (alias.Name !== mainAlias && !tagOfAlias(alias.Description))
      notes.push(
        `alias ${alias.Name} (version ${alias.FunctionVersion}) is not managed by faasport and was left out`,
      );
  if (raw.versions.length > 1)
    notes.push(
      `versions ${raw.versions.map((v) => v.Version).join(', ')} exist on Lambda; only the code of $LATEST is exported`,
    );
  if (c.Layers?.length)
    notes.push(
      `layers ${c.Layers.map((l) => l.Arn).join(', ')} are not exported; bundle their files into the code`,
    );
  if (c.VpcConfig?.SubnetIds?.length) notes.push('the VPC configuration is not exported');
  return { config: config as unknown as FunctionConfig, ...(code ? { code } : {}), notes };
}

/**
 * The storage triggers of the bucket notifications that invoke the function: `s3:ObjectCreated:*` and
 * `s3:ObjectRemoved:*` (or any of their sub-events, which widen to the whole family) become `created` /
 * `deleted`; other event types are left out with a note.
 */
function storageTriggers(name: string, raw: LambdaLive, notes: string[]): unknown[] {
  const triggers: unknown[] = [];
  const prefix = `faasport-${name}-`;
  for (const b of raw.storage) {
    for (const c of b.entries) {
      const entry = entryOf(c);
      const events = new Set<'created' | 'deleted'>();
      for (const e of entry.Events) {
        if (e.startsWith('s3:ObjectCreated:')) events.add('created');
        else if (e.startsWith('s3:ObjectRemoved:')) events.add('deleted');
        else
          notes.push(
            `bucket ${b.bucket}'s event ${e} (notification ${entry.Id}) has no faasport storage event; it was left out`,
          );
        if (e !== s3Events.created && e !== s3Events.deleted && /^s3:Object(Created|Removed):/.test(e))
          notes.push(
            `bucket ${b.bucket}'s event ${e} became ${e.includes('Created') ? 'created' : 'deleted'}, every object ${e.includes('Created') ? 'creation' : 'removal'}`,
          );
      }
      if (!events.size) continue;
      const qualifier = c.LambdaFunctionArn?.split(':')[7];
      if (qualifier && qualifier !== mainAlias)
        notes.push(
          `bucket ${b.bucket}'s notification ${entry.Id} invokes qualifier ${qualifier}; the storage trigger invokes the function's traffic`,
        );
      const triggerName = entry.Id.startsWith(prefix) ? entry.Id.slice(prefix.length) : '';
      triggers.push({
        storage: {
          ...(triggerName && !/^storage(-\d+)?$/.test(triggerName) ? { name: triggerName } : {}),
          bucket: b.bucket,
          events: [...events].sort(),
          ...(entry.rules.prefix ? { prefix: entry.rules.prefix } : {}),
          ...(entry.rules.suffix ? { suffix: entry.rules.suffix } : {}),
        },
      });
    }
    if (b.entries.length)
      notes.push(
        `storage triggers watch bucket ${b.bucket} by name: on the new target it is a bucket of that platform (an OSS bucket on FC, an OBS bucket on FunctionGraph, a folder of the local runtime)`,
      );
  }
  return triggers;
}
