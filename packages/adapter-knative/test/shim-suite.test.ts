import { assertDeployable, cloudEventToBinary, resolveFunction } from '@faasport/core';
import { type ShimTarget, type ShimTrigger, testShim } from '@faasport/core/testing';
import { expect } from 'vitest';
import { createKnativeAdapter } from '../src';
import { startEntry } from './entry-process';

// Knative's native shape is HTTP: the entry script serves the function on $PORT, and events arrive as
// CloudEvents in binary mode (Brokers, Triggers, PingSources; `faasport invoke --mode event` sends
// `dev.faasport.invoke` with source `faasport/invoke`, see src/deploy/adapter.ts).

/**
 * A PingSource tick: binary mode, type `dev.knative.sources.ping`, source
 * `/apis/v1/namespaces/<ns>/pingsources/<name>`, the tick time in `time`, the configured data as the body
 * (knative/eventing pkg/adapter/mtping/runner.go).
 */
function nativeEvent(trigger: ShimTrigger): { headers: Record<string, string>; body: Uint8Array } {
  switch (trigger.kind) {
    case 'schedule':
      return {
        headers: {
          'ce-specversion': '1.0',
          'ce-id': crypto.randomUUID(),
          'ce-type': 'dev.knative.sources.ping',
          'ce-source': `/apis/v1/namespaces/default/pingsources/${trigger.name}`,
          'ce-time': trigger.time,
          'content-type': 'application/json',
        },
        body: new TextEncoder().encode(trigger.payload),
      };
    case 'invoke':
      return {
        headers: {
          'ce-specversion': '1.0',
          'ce-id': crypto.randomUUID(),
          'ce-type': 'dev.faasport.invoke',
          'ce-source': 'faasport/invoke',
          'content-type': 'application/json',
        },
        body: new TextEncoder().encode(JSON.stringify(trigger.payload)),
      };
    case 'cloudevent':
      return cloudEventToBinary(trigger.event);
    case 'storage':
      throw new Error('Knative has no object-storage event source that faasport maps to');
  }
}

const knative: ShimTarget = {
  name: 'knative',
  attributes: {
    schedule: (name) => ({ source: `/apis/v1/namespaces/default/pingsources/${name}` }),
    storage: () => ({}),
    invoke: () => ({ source: 'faasport/invoke' }),
  },
  async start(fn) {
    const entry = await startEntry(fn.files, {
      FAASPORT_HANDLER: fn.handler,
      FAASPORT_CONTRACT: fn.contract,
      FAASPORT_REVISION: fn.revision,
      K_SERVICE: fn.functionName,
    });
    return {
      async http(request) {
        const query = new URLSearchParams(request.query).toString();
        const response = await fetch(`${entry.url}${request.path}${query ? `?${query}` : ''}`, {
          method: request.method,
          headers: request.headers,
          ...(request.body ? { body: request.body as BodyInit } : {}),
        });
        const headers: Record<string, string> = {};
        response.headers.forEach((value, key) => {
          if (key !== 'set-cookie') headers[key] = value;
        });
        return {
          status: response.status,
          headers,
          cookies: response.headers.getSetCookie(),
          body: new Uint8Array(await response.arrayBuffer()),
        };
      },
      async deliver(trigger) {
        const { headers, body } = nativeEvent(trigger);
        const response = await fetch(entry.url, { method: 'POST', headers, body: body as BodyInit });
        if (!response.ok) throw new Error(`HTTP ${response.status}: ${await response.text()}`);
        return new Uint8Array(await response.arrayBuffer());
      },
      close: () => entry.close(),
    };
  },
};

testShim(knative, {
  instead: {
    'event-storage': {
      reason: 'Knative has no object-storage event source, so a storage trigger is refused before any write',
      check: async () => {
        const adapter = createKnativeAdapter({ namespace: 'default' });
        const fn = resolveFunction(
          {
            name: 'uploads',
            source: { inline: 'export default () => {}' },
            triggers: [{ storage: { bucket: 'b' } }],
          },
          { baseDir: '/' },
        );
        let refused: unknown;
        try {
          assertDeployable(adapter, fn);
        } catch (error) {
          refused = error;
        }
        expect(refused).toMatchObject({ code: 'FP_UNSUPPORTED_FEATURE' });
        expect(String((refused as Error).message)).toContain('trigger.storage');
      },
    },
  },
});
