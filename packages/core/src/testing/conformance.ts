import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Adapter,
  type AdapterContext,
  type Capabilities,
  type Feature,
  featuresUsed,
  supportOf,
} from '../adapter';
import { deploy, invoke, planDeploy, remove, setTraffic } from '../deploy';
import { FaasportError } from '../errors';
import { defineFunction, type FunctionConfig, type ResolvedFunction } from '../model';

/** What a conformance run needs from the platform under test. @public */
export interface ConformanceTarget {
  adapter: Adapter;
  /** How many write calls the platform (emulator) has received so far. */
  writes(): number;
  /** Stops the platform. */
  close(): Promise<void>;
  /**
   * How the platform (emulator) fires the triggers it accepts, for the trigger cases. A target that
   * declares a trigger feature without its hook fails that case: give the hook, or skip the case
   * with the reason.
   */
  triggers?: ConformanceTriggers;
}

/** One delivery a trigger made: the function it reached and what the function answered. @public */
export interface TriggerDelivery {
  functionName: string;
  /** The function's answer, as text. */
  body: string;
}

/**
 * An emulator's trigger deliveries (`{function, result, error?}`, as the FunctionGraph and Lambda
 * emulators report them) as the suite reads them: a function's error becomes the body `{"error": ...}`.
 *
 * @public
 */
export function triggerDeliveries(
  out: ReadonlyArray<{ function: string; result: string; error?: string }>,
): TriggerDelivery[] {
  return out.map((d) => ({
    functionName: d.function,
    body: d.error ? JSON.stringify({ error: d.error }) : d.result,
  }));
}

/** The hooks that make a platform fire its triggers. @public */
export interface ConformanceTriggers {
  /** Moves the platform's clock forward by `ms`, firing every schedule trigger due in that time, in order. */
  advanceClock?(ms: number): Promise<TriggerDelivery[]>;
  /** Writes an object into a bucket, as the platform's storage notifications would report it. */
  putObject?(bucket: string, key: string, size: number): Promise<TriggerDelivery[]>;
  /** Publishes an event to the platform's event bus (the default broker). */
  publish?(event: { type: string; source: string; data: unknown }): Promise<TriggerDelivery[]>;
  /**
   * Puts one message on a topic as the platform's queue service would (the local runtime's topic,
   * an emulated Kafka topic, a test message of a FunctionGraph Kafka trigger), returning what each
   * queue trigger's function answered. The target's options bind the topic `conf-orders`.
   */
  sendMessage?(topic: string, body: string): Promise<TriggerDelivery[]>;
}

/** The cases of the conformance suite, each skippable with a stated reason. @public */
export type ConformanceCase =
  | 'deploy-invoke-web'
  | 'redeploy-zero-writes'
  | 'update-code'
  | 'traffic-tags'
  | 'set-traffic'
  | 'invoke-event'
  | 'export'
  | 'unsupported-features'
  | 'limits'
  | 'trigger-schedule'
  | 'trigger-storage'
  | 'trigger-event'
  | 'trigger-queue'
  | 'remove';

/** Options of {@link testAdapter}. @public */
export interface ConformanceOptions {
  /** Shown in test names, e.g. `fc (emulator)`. */
  name: string;
  setup(): Promise<ConformanceTarget>;
  /** Cases to skip, each with the reason (shown in the test name). */
  skip?: Partial<Record<ConformanceCase, string>>;
  /**
   * The capabilities the adapter under test declares (e.g. `fcCapabilities`), known before `setup`
   * runs: a trigger case whose feature they leave unsupported is skipped with that reason in its
   * title. Without them such a case fails, asking for them (or for a `skip` with the reason).
   */
  capabilities?: Capabilities;
  /** Fields merged into every fixture function (e.g. provider options the target requires). */
  baseFunction?: Partial<FunctionConfig>;
  /** Per-test timeout (default 60 s). */
  timeoutMs?: number;
}

/** The web handler every target must run: answers `<GREETING> from <function>` and names its revision. */
export const conformanceWebHandler = `export default async function (request, ctx) {
  const url = new URL(request.url);
  const body = ctx.env.GREETING + ' from ' + ctx.functionName + (url.searchParams.get('echo') ? ' ' + url.searchParams.get('echo') : '');
  return new Response(body, { headers: { 'x-faasport-revision': ctx.revision, 'content-type': 'text/plain' } });
}
`;

/** The event handler every target must run: doubles `data.n` and reports the event type. */
export const conformanceEventHandler = `export default async function (event, ctx) {
  return { type: event.type, doubled: event.data.n * 2, functionName: ctx.functionName };
}
`;

/** The handler of the trigger cases: reports the portable event it was given. */
export const conformanceTriggerHandler = `export default async function (event, ctx) {
  return { type: event.type, data: event.data ?? null, functionName: ctx.functionName };
}
`;

/** The handler of the queue case: reports the portable message event it was given. */
export const conformanceQueueHandler = `export default async function (event, ctx) {
  return { type: event.type, data: event.data ?? null, topic: event.faasporttopic, functionName: ctx.functionName };
}
`;

/** A fixture per feature: a change to the base function that makes it use that feature. */
const featureFixtures: Partial<Record<Feature, (base: FunctionConfig) => FunctionConfig>> = {
  'source.image': (b) => ({
    ...b,
    source: { image: { ref: 'registry.example.com/app:1' } },
    handler: undefined,
    runtime: undefined,
  }),
  'source.bucket': (b) => ({ ...b, source: { bucket: { name: 'code', key: 'fn.zip' } } }),
  'trigger.schedule': (b) => ({ ...b, triggers: [{ schedule: { cron: '*/5 * * * *' } }] }),
  'trigger.storage': (b) => ({ ...b, triggers: [{ storage: { bucket: 'uploads', events: ['created'] } }] }),
  'trigger.queue': (b) => ({ ...b, triggers: [{ queue: { topic: 'orders' } }] }),
  'trigger.event': (b) => ({
    ...b,
    contract: 'event',
    triggers: [{ event: { filter: { type: 'com.example.x' } } }],
  }),
  'scaling.min': (b) => ({ ...b, scaling: { ...b.scaling, min: 1 } }),
  'scaling.max': (b) => ({ ...b, scaling: { ...b.scaling, max: 3 } }),
  'scaling.concurrency': (b) => ({ ...b, scaling: { ...b.scaling, concurrency: 10 } }),
  secrets: (b) => ({ ...b, secrets: { TOKEN: { fromEnv: 'FAASPORT_CONFORMANCE_TOKEN' } } }),
  domains: (b) => ({ ...b, domains: [{ host: 'api.example.com' }] }),
  'visibility.private': (b) => ({ ...b, visibility: 'private' }),
  'contract.native': (b) => ({ ...b, contract: 'native', handler: 'index.handler' }),
};

const ctx: AdapterContext = {
  emit() {},
  logger: { debug() {}, info() {}, warn() {} },
  signal: new AbortController().signal,
};

/**
 * Runs the faasport conformance suite against an adapter and its platform (normally an emulator):
 * deploy and invoke, zero-write re-deploy, code update, revisions with traffic split and tags,
 * the event contract, export, every unsupported feature rejected before any write, limits, remove.
 * Call it at the top level of a vitest test file.
 *
 * @example
 * ```ts
 * testAdapter({ name: 'fc', setup: async () => { const emu = await startFcEmulator(); return { adapter: createFcAdapter({...}), writes: emu.writes, close: emu.close }; } });
 * ```
 * @public
 */
export function testAdapter(options: ConformanceOptions): void {
  const timeout = options.timeoutMs ?? 60_000;
  let target: ConformanceTarget;
  const base = (name: string, extra: Partial<FunctionConfig> = {}): FunctionConfig =>
    ({
      name,
      source: { inline: conformanceWebHandler },
      env: { GREETING: 'hello' },
      resources: { memory: 256, timeout: 30 },
      ...options.baseFunction,
      ...extra,
    }) as FunctionConfig;
  const fn = (config: FunctionConfig): ResolvedFunction => defineFunction(config);
  const text = async (response: Response) => {
    const body = await response.text();
    if (response.status >= 400) throw new Error(`HTTP ${response.status}: ${body}`);
    return body;
  };
  // A case the caller cannot run is skipped with its stated reason in the title, never silently.
  const maybe = (name: ConformanceCase, title: string, body: () => Promise<void>, implied?: string) => {
    const reason = options.skip?.[name] ?? implied;
    it.skipIf(reason !== undefined)(reason ? `${title} (skipped: ${reason})` : title, body, timeout);
  };

  // The cases build on each other (deploy, re-deploy, split, export, remove): they run in order even when
  // the caller's runner shuffles tests.
  describe(`adapter conformance: ${options.name}`, { shuffle: false }, () => {
    beforeAll(async () => {
      target = await options.setup();
    }, timeout);
    afterAll(async () => {
      await target?.close();
    }, timeout);

    maybe('deploy-invoke-web', 'deploys a web function and invokes it', async () => {
      const result = await deploy(target.adapter, fn(base('conf-web')));
      expect(result.changed).toBe(true);
      expect(result.functionName).toBe('conf-web');
      const response = await invoke(target.adapter, 'conf-web', { path: '/?echo=yes' });
      expect(await text(response)).toBe('hello from conf-web yes');
      const live = await target.adapter.read('conf-web', ctx);
      expect(live?.revisions.map((r) => r.label)).toContain(result.revision);
      expect(live?.traffic).toEqual([{ revision: result.revision, percent: 100 }]);
    });

    maybe('redeploy-zero-writes', 're-deploys an unchanged function with zero writes', async () => {
      const config = fn(base('conf-web'));
      const { plan } = await planDeploy(target.adapter, config);
      expect(plan.steps.map((s) => s.summary)).toEqual([]);
      expect(plan.kind).toBe('none');
      const before = target.writes();
      const result = await deploy(target.adapter, config);
      expect(result.changed).toBe(false);
      expect(target.writes()).toBe(before);
    });

    maybe('update-code', 'updates code and config as a new revision', async () => {
      const first = await target.adapter.read('conf-web', ctx);
      const result = await deploy(target.adapter, fn(base('conf-web', { env: { GREETING: 'bonjour' } })));
      expect(result.changed).toBe(true);
      expect(await text(await invoke(target.adapter, 'conf-web'))).toBe('bonjour from conf-web');
      const live = await target.adapter.read('conf-web', ctx);
      expect(live!.revisions.length).toBeGreaterThan(first!.revisions.length);
      expect(live!.traffic).toEqual([{ revision: result.revision, percent: 100 }]);
    });

    maybe('traffic-tags', 'splits traffic between labelled revisions and routes tags', async () => {
      await deploy(target.adapter, fn(base('conf-split', { revision: 'v1', env: { GREETING: 'one' } })));
      const v2 = await deploy(
        target.adapter,
        fn(
          base('conf-split', {
            revision: 'v2',
            env: { GREETING: 'two' },
            traffic: [
              { revision: 'v1', percent: 50, tag: 'stable' },
              { revision: 'latest', percent: 50, tag: 'canary' },
            ],
          }),
        ),
      );
      expect(v2.revision).toBe('v2');
      expect(await text(await invoke(target.adapter, 'conf-split', {}, { tag: 'canary' }))).toBe(
        'two from conf-split',
      );
      expect(await text(await invoke(target.adapter, 'conf-split', {}, { tag: 'stable' }))).toBe(
        'one from conf-split',
      );
      expect(await text(await invoke(target.adapter, 'conf-split', {}, { revision: 'v1' }))).toBe(
        'one from conf-split',
      );
      const seen = new Set<string>();
      for (let i = 0; i < 40 && seen.size < 2; i++)
        seen.add(await text(await invoke(target.adapter, 'conf-split')));
      expect([...seen].sort()).toEqual(['one from conf-split', 'two from conf-split']);
    });

    maybe('set-traffic', 'moves all traffic back to a revision (rollback)', async () => {
      const traffic = await setTraffic(target.adapter, 'conf-split', [{ revision: 'v1', percent: 100 }]);
      expect(traffic).toEqual([{ revision: 'v1', percent: 100 }]);
      for (let i = 0; i < 10; i++)
        expect(await text(await invoke(target.adapter, 'conf-split'))).toBe('one from conf-split');
      const live = await target.adapter.read('conf-split', ctx);
      expect(live!.traffic.filter((t) => t.percent > 0)).toEqual([{ revision: 'v1', percent: 100 }]);
      await expect(
        setTraffic(target.adapter, 'conf-split', [{ revision: 'nope', percent: 100 }]),
      ).rejects.toThrow(/does not exist/);
    });

    maybe('invoke-event', 'runs the event contract with a CloudEvent', async () => {
      await deploy(
        target.adapter,
        fn(
          base('conf-event', {
            source: { inline: conformanceEventHandler },
            contract: 'event',
            triggers: [],
          }),
        ),
      );
      const response = await invoke(target.adapter, 'conf-event', { body: { n: 21 } }, { mode: 'event' });
      const result = JSON.parse(await text(response));
      expect(result.doubled).toBe(42);
      expect(result.functionName).toBe('conf-event');
      expect(typeof result.type).toBe('string');
    });

    maybe('export', 'exports a deployed function back to the neutral model', async () => {
      const exported = await target.adapter.export('conf-web', ctx);
      expect(exported.config.name).toBe('conf-web');
      expect(exported.config.env).toMatchObject({ GREETING: 'bonjour' });
      expect(exported.config.resources?.memory).toBe(256);
      expect(exported.config.resources?.timeout).toBe(30);
      // The exported config is valid neutral input.
      expect(defineFunction(exported.config).name).toBe('conf-web');
    });

    maybe('unsupported-features', 'rejects every unsupported feature before any write', async () => {
      let checked = 0;
      for (const [feature, make] of Object.entries(featureFixtures) as Array<
        [Feature, (b: FunctionConfig) => FunctionConfig]
      >) {
        if (supportOf(target.adapter.capabilities, feature).level !== 'unsupported') continue;
        const config = fn(make(base(`conf-unsupported-${checked}`)));
        if (!featuresUsed(config).has(feature)) continue;
        const before = target.writes();
        const error = await deploy(target.adapter, config, {
          env: { FAASPORT_CONFORMANCE_TOKEN: 'conformance-secret' },
        }).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(FaasportError.isInstance(error), `${feature} should be rejected`).toBe(true);
        expect((error as FaasportError).code, `${feature}: ${(error as Error).message}`).toMatch(
          /FP_UNSUPPORTED_FEATURE|FP_VALIDATION|FP_LIMIT_EXCEEDED/,
        );
        expect((error as Error).message).not.toContain('conformance-secret');
        expect(target.writes(), `${feature} must not write`).toBe(before);
        checked++;
      }
      const split = target.adapter.capabilities.limits.trafficTargets;
      if (split !== undefined && split < 3) {
        const before = target.writes();
        const three = fn(
          base('conf-three', {
            revision: 'v3',
            traffic: [
              { revision: 'latest', percent: 34 },
              { revision: 'v1', percent: 33 },
              { revision: 'v2', percent: 33 },
            ],
          }),
        );
        await expect(deploy(target.adapter, three)).rejects.toThrow(new RegExp(`at most ${split}`));
        expect(target.writes()).toBe(before);
      }
    });

    maybe(
      'limits',
      'rejects a value outside the limits before any write, naming what is allowed',
      async () => {
        const before = target.writes();
        const tooBig = fn(base('conf-limits', { resources: { memory: 1_000_000, timeout: 30 } }));
        const error = await deploy(target.adapter, tooBig).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(FaasportError.isInstance(error)).toBe(true);
        expect((error as FaasportError).code).toBe('FP_LIMIT_EXCEEDED');
        expect((error as Error).message).toContain('1000000');
        expect(target.writes()).toBe(before);
      },
    );

    // Each trigger case runs on every target that declares the feature, through the target's hook. The
    // test title says why a case does not run; a case that cannot run for a reason nobody stated fails.
    const triggerCase = (
      name: ConformanceCase,
      feature: Feature,
      hook: keyof ConformanceTriggers,
      title: string,
      body: (hooks: ConformanceTriggers) => Promise<void>,
    ) => {
      const declared = options.capabilities && supportOf(options.capabilities, feature);
      const undeclared =
        declared?.level === 'unsupported'
          ? `${options.name} does not declare ${feature}${declared.note ? ` (${declared.note})` : ''}`
          : undefined;
      maybe(
        name,
        title,
        async () => {
          const skipIt = `skip: { '${name}': '<why>' }`;
          if (supportOf(target.adapter.capabilities, feature).level === 'unsupported')
            throw new Error(
              `${options.name} does not declare ${feature}, so "${name}" cannot run: pass the adapter's declared capabilities as \`capabilities\` (the case is then skipped, saying so), or ${skipIt}.`,
            );
          if (!target.triggers?.[hook])
            throw new Error(
              `${options.name} declares ${feature} but its target gives no triggers.${hook} hook to fire it: return the hook from setup(), or ${skipIt}.`,
            );
          await body(target.triggers);
        },
        undeclared,
      );
    };
    const deliveredTo = (deliveries: TriggerDelivery[], name: string) =>
      deliveries.filter((d) => d.functionName === name).map((d) => JSON.parse(d.body));
    const triggerFunction = (name: string, triggers: FunctionConfig['triggers']) =>
      fn(base(name, { source: { inline: conformanceTriggerHandler }, contract: 'event', triggers }));

    triggerCase(
      'trigger-schedule',
      'trigger.schedule',
      'advanceClock',
      'fires a schedule trigger when the clock passes its times',
      async (hooks) => {
        await deploy(
          target.adapter,
          triggerFunction('conf-tick', [{ schedule: { cron: '*/5 * * * *', payload: { n: 1 } } }]),
        );
        // Ten minutes hold exactly two five-minute marks.
        const fired = deliveredTo(await hooks.advanceClock!(10 * 60_000), 'conf-tick');
        expect(fired).toEqual([
          { type: 'dev.faasport.schedule', data: { n: 1 }, functionName: 'conf-tick' },
          { type: 'dev.faasport.schedule', data: { n: 1 }, functionName: 'conf-tick' },
        ]);
        await remove(target.adapter, 'conf-tick');
      },
    );

    triggerCase(
      'trigger-storage',
      'trigger.storage',
      'putObject',
      'delivers a storage event for a matching object, and none for others',
      async (hooks) => {
        const put = (key: string, size: number) => hooks.putObject!('conf-uploads', key, size);
        await deploy(
          target.adapter,
          triggerFunction('conf-store', [
            { storage: { bucket: 'conf-uploads', events: ['created'], prefix: 'in/' } },
          ]),
        );
        const [event, ...more] = deliveredTo(await put('in/a.txt', 3), 'conf-store');
        expect(more).toEqual([]);
        expect(event).toMatchObject({
          type: 'dev.faasport.storage.object.created',
          data: { bucket: 'conf-uploads', key: 'in/a.txt', size: 3 },
          functionName: 'conf-store',
        });
        expect(deliveredTo(await put('out/b.txt', 1), 'conf-store')).toEqual([]);
        await remove(target.adapter, 'conf-store');
      },
    );

    triggerCase(
      'trigger-event',
      'trigger.event',
      'publish',
      'delivers a published event that matches the trigger filter, and none that does not',
      async (hooks) => {
        const publish = (type: string, data: unknown) =>
          hooks.publish!({ type, source: '/conformance', data });
        await deploy(
          target.adapter,
          triggerFunction('conf-bus', [{ event: { filter: { type: 'com.example.conformance' } } }]),
        );
        const matched = await publish('com.example.conformance', { n: 4 });
        expect(deliveredTo(matched, 'conf-bus')).toEqual([
          { type: 'com.example.conformance', data: { n: 4 }, functionName: 'conf-bus' },
        ]);
        const other = await publish('com.example.other', { n: 5 });
        expect(deliveredTo(other, 'conf-bus')).toEqual([]);
        await remove(target.adapter, 'conf-bus');
      },
    );

    triggerCase(
      'trigger-queue',
      'trigger.queue',
      'sendMessage',
      'delivers a queue message to the function once, as the portable dev.faasport.queue.message event',
      async (hooks) => {
        await deploy(
          target.adapter,
          fn(
            base('conf-queue', {
              source: { inline: conformanceQueueHandler },
              contract: 'event',
              triggers: [{ queue: { topic: 'conf-orders' } }],
            }),
          ),
        );
        const delivered = deliveredTo(await hooks.sendMessage!('conf-orders', '{"n":6}'), 'conf-queue');
        expect(delivered).toEqual([
          {
            type: 'dev.faasport.queue.message',
            data: { n: 6 },
            topic: 'conf-orders',
            functionName: 'conf-queue',
          },
        ]);
        expect(deliveredTo(await hooks.sendMessage!('conf-other', '{"n":7}'), 'conf-queue')).toEqual([]);
        await remove(target.adapter, 'conf-queue');
      },
    );

    maybe('remove', 'removes functions and is quiet when they are gone', async () => {
      for (const name of ['conf-web', 'conf-split', 'conf-event']) await remove(target.adapter, name);
      expect(await target.adapter.read('conf-web', ctx)).toBeUndefined();
      const names = (await target.adapter.list(ctx)).map((f) => f.name);
      expect(names).not.toContain('conf-web');
      await remove(target.adapter, 'conf-web');
    });
  });
}
