/** A function's triggers as FunctionGraph APIG, TIMER, OBS and Kafka trigger bodies, and matching them to live ones. */
import { canonicalJson, type ResolvedFunction, type ResolvedTrigger } from '@faasport/core';
import { providerOptions } from './capabilities';
import { toFunctionGraphSchedule } from './cron';
import { httpExposure, type TargetHttpDefaults } from './http';

const defaultApigEnvId = 'DEFAULT_ENVIRONMENT_RELEASE_ID';

/** A trigger as faasport wants it on FunctionGraph. */
export interface DesiredTrigger {
  /** `TYPE/name`, the identity used to match live triggers. */
  key: string;
  type: 'APIG' | 'DEDICATEDGATEWAY' | 'TIMER' | 'OBS' | 'KAFKA' | 'OPENSOURCEKAFKA';
  status: 'ACTIVE' | 'DISABLED';
  eventData: Record<string, unknown>;
  /** The trigger it came from. */
  name: string;
}

/** A FunctionGraph-safe trigger name: letters, digits and `_`, starting with a letter, 3-64 characters. */
function triggerName(fn: ResolvedFunction, trigger: ResolvedTrigger): string {
  const base = `${fn.name}_${trigger.name}`.replace(/[^A-Za-z0-9_]/g, '_');
  const named = /^[A-Za-z]/.test(base) ? base : `f_${base}`;
  return named.padEnd(3, '_').slice(0, 64);
}

const storageEvents = { created: 'ObjectCreated', deleted: 'ObjectRemoved' } as const;
const authModes = { anonymous: 'NONE', function: 'APP', private: 'IAM' } as const;

/**
 * The triggers of a function, as FunctionGraph trigger bodies. An http trigger is one only on a gateway
 * (dedicated or shared, see `httpExposure`); by default it is a function URL, which is not a trigger.
 */
export function desiredTriggers(fn: ResolvedFunction, target: TargetHttpDefaults): DesiredTrigger[] {
  const provider = providerOptions(fn);
  const exposure = httpExposure(provider, target);
  const out: DesiredTrigger[] = [];
  for (const t of fn.triggers) {
    const name = triggerName(fn, t);
    if (t.kind === 'http' && exposure.kind !== 'url') {
      const type = exposure.kind === 'dedicated' ? 'DEDICATEDGATEWAY' : 'APIG';
      out.push({
        key: `${type}/${name}`,
        type,
        status: 'ACTIVE',
        name: t.name,
        eventData: {
          name,
          // DEDICATEDGATEWAY event_data: the APIG fields plus the gateway's instance_id (reference B "Triggers").
          ...(exposure.kind === 'dedicated' ? { instance_id: exposure.instanceId } : {}),
          group_id: provider.apigGroupId ?? '',
          env_id: provider.apigEnvId ?? defaultApigEnvId,
          env_name: provider.apigEnvName ?? 'RELEASE',
          protocol: provider.apigProtocol ?? 'HTTPS',
          req_method: t.methods.length === 1 ? t.methods[0] : 'ANY',
          path: provider.apigPath ?? `/${fn.name}`,
          match_mode: 'SWA',
          auth: authModes[t.auth],
          type: 1,
          backend_type: 'FUNCTION',
          func_info: { timeout: Math.min(60_000, fn.resources.timeout * 1000), invocation_type: 'sync' },
        },
      });
    } else if (t.kind === 'schedule') {
      out.push({
        key: `TIMER/${name}`,
        type: 'TIMER',
        status: t.enabled ? 'ACTIVE' : 'DISABLED',
        name: t.name,
        eventData: {
          name,
          schedule_type: 'Cron',
          schedule: toFunctionGraphSchedule(t.cron, t.timezone),
          ...(t.payload === undefined
            ? {}
            : { user_event: typeof t.payload === 'string' ? t.payload : JSON.stringify(t.payload) }),
        },
      });
    } else if (t.kind === 'queue' && target.queues?.[t.topic]) {
      // KAFKA / OPENSOURCEKAFKA event_data: huaweicloud-sdk-go-v3 services/functiongraph/v2/model/
      // model_trigger_event_data_request_body.go (instance_id, topic_ids, batch_size 1-1000,
      // kafka_connect_address, kafka_ssl_enable). Created ACTIVE: the API's default for Kafka is DISABLED.
      const binding = target.queues[t.topic]!;
      const kafka = binding.kafka ?? binding.openSourceKafka!;
      const type = binding.kafka ? 'KAFKA' : 'OPENSOURCEKAFKA';
      const eventData: Record<string, unknown> = {
        ...(binding.kafka ? { instance_id: binding.kafka.instanceId } : {}),
        ...(binding.openSourceKafka ? { kafka_connect_address: binding.openSourceKafka.connectAddress } : {}),
        topic_ids: [kafka.topic ?? t.topic],
        batch_size: Math.min(t.batchSize, 1000),
        ...(kafka.ssl === undefined ? {} : { kafka_ssl_enable: kafka.ssl }),
      };
      out.push({ key: triggerKey(type, eventData), type, status: 'ACTIVE', name: t.name, eventData });
    } else if (t.kind === 'storage') {
      out.push({
        key: `OBS/${name}`,
        type: 'OBS',
        status: 'ACTIVE',
        name: t.name,
        eventData: {
          name,
          bucket: t.bucket,
          events: [...new Set(t.events.map((e) => storageEvents[e]))].sort(),
          ...(t.prefix ? { prefix: t.prefix } : {}),
          ...(t.suffix ? { suffix: t.suffix } : {}),
        },
      });
    }
  }
  return out;
}

/**
 * The identity of a trigger: `TYPE/name`, or for Kafka triggers, whose `event_data` has no name,
 * `TYPE/<topic>@<instance or address>`.
 */
export function triggerKey(type: string, data: Record<string, unknown> | undefined, fallback = ''): string {
  if (type === 'KAFKA' || type === 'OPENSOURCEKAFKA') {
    const topics = Array.isArray(data?.topic_ids) ? (data.topic_ids as string[]) : [];
    return `${type}/${topics.join(',')}@${String(data?.instance_id ?? data?.kafka_connect_address ?? '')}`;
  }
  return `${type}/${String(data?.name ?? fallback)}`;
}

/** True when a live trigger already matches a desired one (only the fields faasport sends are compared). */
export function sameTrigger(
  live: { trigger_status?: string; event_data?: Record<string, unknown> },
  desired: DesiredTrigger,
): boolean {
  if ((live.trigger_status ?? 'ACTIVE') !== desired.status) return false;
  const data = live.event_data ?? {};
  return Object.entries(desired.eventData).every(
    ([k, v]) =>
      canonicalJson(
        k === 'events' && Array.isArray(data[k]) ? [...(data[k] as string[])].sort() : data[k],
      ) === canonicalJson(v),
  );
}
