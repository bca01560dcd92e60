/** Exporting a live FunctionGraph function back to the neutral model. */
import {
  type AdapterContext,
  type ExportResult,
  type FunctionConfig,
  NotFoundError,
  zipEntries,
} from '@faasport/core';
import { unzipSync } from 'fflate';
import { readShimConfig, shimFileName } from '../runtime';
import { type FgContext, type FgLive, parseEnv, parseJson, reverseRuntime } from './context';
import { fromFunctionGraphSchedule, regionTimeZone } from './cron';
import { mainAlias, parseDescription } from './function-body';
import { readRaw, trafficOf } from './live';

const noContext: AdapterContext = {
  emit() {},
  logger: { debug() {}, info() {}, warn() {} },
  signal: new AbortController().signal,
};

/** Exports a live function to the neutral model, with its code and notes on what does not carry over. */
export async function exportFunction(
  fg: FgContext,
  name: string,
  _ctx: AdapterContext = noContext,
): Promise<ExportResult> {
  const raw = await readRaw(fg, name);
  if (!raw) throw new NotFoundError({ functionName: name, target: fg.o.target, adapter: 'functiongraph' });
  return exportFrom(fg, name, raw);
}

/** The export of what readRaw() gathered. */
export async function exportFrom(fg: FgContext, name: string, raw: FgLive): Promise<ExportResult> {
  const c = raw.config;
  const notes: string[] = [];
  const config: Record<string, unknown> = { name };
  const user = parseDescription(c.description).user;
  if (user) config.description = user.slice(0, 256);
  let code: Uint8Array | undefined;
  let contract = raw.marker?.k as FunctionConfig['contract'] | undefined;
  let handler = raw.marker?.h;
  if (c.runtime === 'Custom Image') {
    const image = c.custom_image ?? {};
    const [uid, gid] = [image.uid, image.gid];
    config.source = {
      image: {
        ref: image.image ?? '',
        ...(image.command ? { command: image.command.split(',') } : {}),
        ...(image.args ? { args: image.args.split(',') } : {}),
        ...(image.working_dir?.startsWith('/') ? { workdir: image.working_dir } : {}),
        port: 8000,
        ...(uid ? { user: gid && gid !== uid ? `${uid}:${gid}` : uid } : {}),
      },
    };
    contract = undefined;
    handler = undefined;
  } else if (c.code_type === 'obs' && c.code_url) {
    const m = /^https?:\/\/([^./]+)\.([^/]+)\/(.+)$/.exec(c.code_url);
    if (m)
      config.source = {
        bucket: { name: m[1]!, key: decodeURIComponent(m[3]!), endpoint: `https://${m[2]}` },
      };
    contract = 'native';
    handler = c.handler;
  } else {
    const codeResponse = await fg.client.call<{ func_code?: { file?: string; link?: string } }>(
      'GetFunctionCode',
      'GET',
      `functions/${fg.urn(name, 'latest')}/code`,
    );
    const file = codeResponse.data.func_code?.file;
    let bytes: Uint8Array | undefined = file ? new Uint8Array(Buffer.from(file, 'base64')) : undefined;
    const link = codeResponse.data.func_code?.link;
    if (!bytes && link) {
      const r = await fetch(link);
      if (r.ok) bytes = new Uint8Array(await r.arrayBuffer());
    }
    if (bytes) {
      let files: Record<string, Uint8Array> | undefined;
      try {
        files = unzipSync(bytes);
      } catch {
        files = c.code_type === 'inline' ? { [`${c.handler.replace(/\.[^.]+$/, '')}.js`]: bytes } : undefined;
      }
      if (files) {
        const shim = files[shimFileName]
          ? readShimConfig(new TextDecoder().decode(files[shimFileName]))
          : undefined;
        if (shim) {
          contract = shim.contract;
          handler = `${shim.module.replace(/\.[^.]+$/, '')}.${shim.export}`;
        } else if (c.handler !== 'faasport_shim.handler') {
          contract = 'native';
          handler = c.handler;
        }
        const entries = Object.entries(files)
          .filter(([n]) => n !== shimFileName && !n.endsWith('/'))
          .map(([n, data]) => ({ name: n, data, executable: n === 'bootstrap' }));
        code = zipEntries(entries).zip;
        config.source = { archive: `./${name}.zip` };
      }
    }
    if (!config.source) {
      notes.push('the code could not be downloaded; source points at an archive you must provide');
      config.source = { archive: `./${name}.zip` };
    }
  }
  const runtime = reverseRuntime[c.runtime];
  if (c.runtime !== 'Custom Image') {
    if (runtime) config.runtime = runtime;
    else notes.push(`runtime ${c.runtime} has no faasport equivalent; set runtime by hand`);
    if (handler) config.handler = handler;
    if (contract) config.contract = contract;
  }
  const env = parseEnv(c.user_data);
  if (Object.keys(env).length) config.env = env;
  const secretKeys = Object.keys(parseEnv(c.encrypted_user_data));
  if (secretKeys.length) {
    config.secrets = Object.fromEntries(secretKeys.map((k) => [k, { fromEnv: k }]));
    notes.push(
      `secrets ${secretKeys.join(', ')} are exported as references to environment variables of the same names; their values are not exported`,
    );
  }
  if (c.initializer_handler) config.initializer = c.initializer_handler;
  config.resources = { memory: c.memory_size, timeout: Math.min(c.timeout, 86_400) };
  const max = c.strategy_config?.concurrency;
  const perInstance = c.strategy_config?.concurrent_num;
  config.scaling = {
    ...(raw.reserved ? { min: raw.reserved } : {}),
    ...(max !== undefined && max > 0 ? { max } : {}),
    ...(perInstance !== undefined && perInstance > 1 ? { concurrency: perInstance } : {}),
  };
  const triggers: unknown[] = [];
  const provider: Record<string, unknown> = {};
  if (raw.functionUrl) {
    triggers.push({ http: { auth: raw.functionUrl.auth_type === 'IAM' ? 'private' : 'anonymous' } });
    if (raw.functionUrl.cors?.is_cors) provider.cors = true;
  }
  for (const t of raw.triggers) {
    const d = t.event_data ?? {};
    if (t.trigger_type_code === 'APIG' || t.trigger_type_code === 'DEDICATEDGATEWAY') {
      provider.apigGroupId = String(d.group_id ?? '');
      if (t.trigger_type_code === 'DEDICATEDGATEWAY' && d.instance_id)
        provider.apigInstanceId = String(d.instance_id);
      else if (t.trigger_type_code === 'APIG' && fg.o.apigShared !== true) provider.apigShared = true;
      const auth = d.auth === 'IAM' ? 'private' : d.auth === 'APP' ? 'function' : 'anonymous';
      triggers.push({
        http: { ...(d.req_method && d.req_method !== 'ANY' ? { methods: [d.req_method] } : {}), auth },
      });
    } else if (t.trigger_type_code === 'TIMER') {
      const schedule =
        d.schedule_type === 'Cron' ? fromFunctionGraphSchedule(String(d.schedule ?? '')) : undefined;
      if (!schedule) {
        notes.push(
          `timer ${String(d.name)} (${String(d.schedule_type)} ${String(d.schedule)}) has no 5-field cron form; it was left out`,
        );
        continue;
      }
      // Without CRON_TZ the timer runs in the region's time zone.
      const timezone = schedule.timezone ?? regionTimeZone(fg.o.region);
      if (!timezone) {
        notes.push(
          `timer ${String(d.name)} has no CRON_TZ and the time zone of region ${fg.o.region} is not known; it was exported as UTC, check it`,
        );
      }
      const payload = d.user_event === undefined ? undefined : parseJson(String(d.user_event));
      triggers.push({
        schedule: {
          cron: schedule.cron,
          timezone: timezone ?? 'UTC',
          ...(payload === undefined ? {} : { payload }),
          ...(t.trigger_status === 'DISABLED' ? { enabled: false } : {}),
        },
      });
    } else if (t.trigger_type_code === 'OBS') {
      const events = [
        ...new Set(
          ((d.events as string[] | undefined) ?? []).map((e) =>
            /Removed|Delete/.test(e) ? 'deleted' : 'created',
          ),
        ),
      ];
      triggers.push({
        storage: {
          bucket: String(d.bucket),
          ...(events.length ? { events } : {}),
          ...(d.prefix ? { prefix: d.prefix } : {}),
          ...(d.suffix ? { suffix: d.suffix } : {}),
        },
      });
    } else {
      notes.push(`a ${t.trigger_type_code} trigger has no faasport equivalent; it was left out`);
    }
  }
  config.triggers = triggers;
  if (provider.apigInstanceId === fg.o.apigInstanceId) delete provider.apigInstanceId;
  if (Object.keys(provider).length) config.providers = { functiongraph: provider };
  const traffic = trafficOf(raw.aliases);
  if (traffic.length) config.traffic = traffic;
  const latestVersion = [...raw.versions].pop()?.version;
  if (latestVersion && !traffic.some((t) => t.revision === latestVersion)) config.revision = latestVersion;
  for (const alias of raw.aliases) {
    if (alias.name !== mainAlias && !/^faasport tag /.test(alias.description ?? ''))
      notes.push(
        `alias ${alias.name} (version ${alias.version}) is not managed by faasport and was left out`,
      );
  }
  if (raw.versions.length)
    notes.push(
      `versions ${raw.versions.map((v) => v.version).join(', ')} exist on FunctionGraph; only the deployed code of latest is exported`,
    );
  return { config: config as unknown as FunctionConfig, ...(code ? { code } : {}), notes };
}
