import type { FunctionConfig, ResolvedFunction, ResolvedTrigger } from '@faasport/core';

type TriggerConfig = NonNullable<FunctionConfig['triggers']>[number];

/** A resolved trigger back in the form a user writes. */
export function triggerToConfig(trigger: ResolvedTrigger): TriggerConfig {
  switch (trigger.kind) {
    case 'http':
      return { http: { name: trigger.name, methods: trigger.methods as never, auth: trigger.auth } };
    case 'schedule':
      return {
        schedule: {
          name: trigger.name,
          cron: trigger.cron,
          timezone: trigger.timezone,
          enabled: trigger.enabled,
          ...(trigger.payload === undefined ? {} : { payload: trigger.payload }),
        },
      };
    case 'storage':
      return {
        storage: {
          name: trigger.name,
          bucket: trigger.bucket,
          events: trigger.events,
          ...(trigger.prefix ? { prefix: trigger.prefix } : {}),
          ...(trigger.suffix ? { suffix: trigger.suffix } : {}),
        },
      };
    case 'queue':
      return { queue: { name: trigger.name, topic: trigger.topic, batchSize: trigger.batchSize } };
    case 'event':
      return { event: { name: trigger.name, filter: trigger.filter, broker: trigger.broker } };
  }
}

/**
 * A resolved function back in the neutral config form (what `export` returns and what the admin API
 * validates with core's schema). `source` replaces the code reference; secrets stay references.
 */
export function toFunctionConfig(fn: ResolvedFunction, source: FunctionConfig['source']): FunctionConfig {
  return {
    name: fn.name,
    ...(fn.description ? { description: fn.description } : {}),
    source,
    runtime: fn.runtime as FunctionConfig['runtime'],
    ...(fn.handler ? { handler: fn.handler } : {}),
    contract: fn.contract,
    ...(fn.initializer ? { initializer: fn.initializer } : {}),
    env: { ...fn.env },
    ...(Object.keys(fn.secrets).length ? { secrets: { ...fn.secrets } as FunctionConfig['secrets'] } : {}),
    resources: { ...fn.resources },
    scaling: {
      min: fn.scaling.min,
      max: fn.scaling.max,
      concurrency: fn.scaling.concurrency,
      idle: fn.scaling.idleSeconds,
    },
    triggers: fn.triggers.map(triggerToConfig),
    ...(fn.revision ? { revision: fn.revision } : {}),
    traffic: fn.traffic.map((t) => ({ ...t })),
    ...(fn.domains.length ? { domains: fn.domains.map((d) => ({ ...d })) } : {}),
    visibility: fn.visibility,
    ...(Object.keys(fn.providers).length ? { providers: JSON.parse(JSON.stringify(fn.providers)) } : {}),
  } as FunctionConfig;
}
