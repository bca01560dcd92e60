import FCClientModule from '@alicloud/fc2';
import { defineFunction, deploy, desiredStateOf, planDeploy, ValidationError } from '@faasport/core';
import type { FcEmulator } from '@faasport/emulators/fc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ctx, startTarget } from './helpers';

// FC 2.0 CreateTrigger requires invocationRole for OSS triggers:
// https://help.aliyun.com/zh/fc/developer-reference/api-createtrigger
const onEvent = `export default async (event) => event.type;\n`;
const uploads = (providers: Record<string, Record<string, unknown>> = {}) =>
  defineFunction({
    name: 'thumbs',
    contract: 'event',
    source: { inline: onEvent },
    triggers: [{ storage: { name: 'uploads', bucket: 'photos', events: ['created'] } }],
    providers,
  });

describe('FC OSS triggers carry the invocation role', () => {
  let emulator: FcEmulator;
  beforeAll(async () => {
    ({ emulator } = await startTarget());
  });
  afterAll(async () => {
    await emulator?.close();
  });

  it('refuses a storage trigger without a role at plan time, naming both options, before any write', async () => {
    const { adapter } = await startTarget({ endpoint: emulator.url });
    const before = emulator.writes();
    // The service role is FC's, not OSS's: it is not used for the trigger.
    const error = await planDeploy(adapter, uploads({ fc: { role: 'acs:ram::1234567890:role/fc' } })).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ValidationError);
    const e = error as ValidationError;
    expect(e.message).toContain('providers.fc.invocationRole');
    expect(e.message).toContain('storage trigger "uploads"');
    expect(e.message).toMatch(/invocationRole on the fc target/);
    // render cannot produce a sendable body either
    expect(() => adapter.render(desiredStateOf(uploads()))).toThrow(/providers\.fc\.invocationRole/);
    expect(emulator.writes()).toBe(before);
  });

  it("takes the target's invocationRole, and a function's own role over it", async () => {
    const { adapter } = await startTarget({
      endpoint: emulator.url,
      invocationRole: 'acs:ram::1234567890:role/aliyunosseventnotificationrole',
    });
    await deploy(adapter, uploads());
    const trigger = () => emulator.state.services.get('thumbs')!.triggers.get('thumbs')!.get('uploads')!;
    expect(trigger().invocationRole).toBe('acs:ram::1234567890:role/aliyunosseventnotificationrole');
    const delivered = await emulator.emitOssEvent('photos', 'a.jpg');
    expect(new TextDecoder().decode(delivered[0]!.body)).toBe('dev.faasport.storage.object.created');

    const { plan } = await planDeploy(
      adapter,
      uploads({ fc: { invocationRole: 'acs:ram::1234567890:role/own-oss-role' } }),
    );
    expect(plan.steps.find((s) => s.id === 'trigger:uploads')?.changes).toEqual([
      {
        path: 'triggers.uploads.invocationRole',
        from: 'acs:ram::1234567890:role/aliyunosseventnotificationrole',
        to: 'acs:ram::1234567890:role/own-oss-role',
      },
    ]);
    await deploy(adapter, uploads({ fc: { invocationRole: 'acs:ram::1234567890:role/own-oss-role' } }));
    expect(trigger().invocationRole).toBe('acs:ram::1234567890:role/own-oss-role');
    // Exported with the role, so the exported config deploys again anywhere.
    const exported = await adapter.export('thumbs', ctx);
    expect(exported.config.providers?.fc).toMatchObject({
      invocationRole: 'acs:ram::1234567890:role/own-oss-role',
    });
  });

  it('rejects a malformed target invocationRole when the adapter is created', async () => {
    await expect(startTarget({ endpoint: emulator.url, invocationRole: 'oss-role' })).rejects.toThrow(
      /invocationRole.*"oss-role" is not a RAM role ARN/,
    );
  });

  it('the emulator answers 400 to an OSS trigger without invocationRole, as FC requires it', async () => {
    const fc2 = (FCClientModule as unknown as { default?: unknown }).default ?? FCClientModule;
    const client = new (
      fc2 as new (
        ...args: unknown[]
      ) => Record<string, (...args: unknown[]) => Promise<unknown>>
    )(emulator.accountId, {
      accessKeyID: emulator.accessKeyId,
      accessKeySecret: emulator.accessKeySecret,
      region: emulator.region,
      endpoint: emulator.url,
    });
    const error = (await client.createTrigger!('thumbs', 'thumbs', {
      triggerName: 'raw',
      triggerType: 'oss',
      sourceArn: `acs:oss:${emulator.region}:${emulator.accountId}:photos`,
      triggerConfig: { events: ['oss:ObjectCreated:*'] },
    }).catch((e: unknown) => e)) as { code?: string; message: string };
    expect(error.code).toBe('InvalidArgument');
    expect(error.message).toMatch(/failed with 400.*invocationRole/);
  });
});
