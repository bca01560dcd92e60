import FCClientModule from '@alicloud/fc2';
import { defineFunction, desiredStateOf } from '@faasport/core';
import type { FcEmulator } from '@faasport/emulators/fc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTarget } from './helpers';

type Fc2 = {
  request(method: string, path: string, query: unknown, body: unknown): Promise<{ data: unknown }>;
};

describe('FC render', () => {
  let emulator: FcEmulator;
  let client: Fc2;
  beforeAll(async () => {
    ({ emulator } = await startTarget());
    const fc2 = (FCClientModule as unknown as { default?: unknown }).default ?? FCClientModule;
    client = new (fc2 as new (...args: unknown[]) => Fc2)(emulator.accountId, {
      accessKeyID: emulator.accessKeyId,
      accessKeySecret: emulator.accessKeySecret,
      region: emulator.region,
      endpoint: emulator.url,
    });
  });
  afterAll(async () => {
    await emulator?.close();
  });

  it('renders bodies that, sent as they are with fc2, create a working function', async () => {
    const { adapter } = await startTarget({ endpoint: emulator.url });
    const fn = defineFunction({
      name: 'rendered',
      source: {
        inline: `export default async (req, ctx) => 'rendered ' + ctx.revision + ' ' + new URL(req.url).pathname;\n`,
      },
      revision: 'v1',
      env: { STAGE: 'prod' },
      scaling: { min: 1 },
    });
    const manifests = adapter.render(desiredStateOf(fn));
    for (const m of manifests) {
      const { method, path } = m.request!;
      // fc2 adds the API version to the path itself.
      await client.request(method, path.replace(/^\/2016-08-15/, ''), null, m.content);
    }
    const svc = emulator.state.services.get('rendered')!;
    expect(svc.aliases.get('main')?.versionId).toBe('1');
    expect(svc.provision.get('main/rendered')?.target).toBe(1);
    const response = await fetch(`${emulator.url}/2016-08-15/proxy/rendered.main/rendered/hello`);
    expect(await response.text()).toBe('rendered v1 /hello');
  });
});
