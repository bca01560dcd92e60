/**
 * Huawei's own Node.js SDK (`@huaweicloud/huaweicloud-sdk-functiongraph`, signer from
 * `@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner.js`) as a second client of the FunctionGraph emulator:
 * what it sends must be accepted as FunctionGraph accepts it.
 */

import { type FunctionGraphEmulator, startFunctionGraphEmulator } from '@faasport/emulators/functiongraph';
import { BasicCredentials } from '@huaweicloud/huaweicloud-sdk-core';
import {
  ApigTriggerFuncInfo,
  CreateFunctionRequest,
  CreateFunctionRequestBody,
  CreateFunctionTriggerRequest,
  CreateFunctionTriggerRequestBody,
  CreateFunctionVersionRequest,
  CreateFunctionVersionRequestBody,
  CreateVersionAliasRequest,
  CreateVersionAliasRequestBody,
  CustomImage,
  FuncCode,
  FunctionGraphClient,
  InvokeFunctionRequest,
  ShowFunctionConfigRequest,
  TriggerEventDataRequestBody,
  UpdateFunctionCodeRequest,
  UpdateFunctionCodeRequestBody,
  UpdateFunctionConfigRequest,
  UpdateFunctionConfigRequestBody,
} from '@huaweicloud/huaweicloud-sdk-functiongraph';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ak = 'sdk-ak';
const sk = 'sdk-secret-key';
const image = 'swr.cn-north-4.myhuaweicloud.com/team/app:1';
let emu: FunctionGraphEmulator;
let client: FunctionGraphClient;

const zip = (source: string) =>
  Buffer.from(zipSync({ 'index.js': new TextEncoder().encode(source) })).toString('base64');

beforeAll(async () => {
  emu = await startFunctionGraphEmulator({
    accessKeyId: ak,
    secretAccessKey: sk,
    images: {
      [image]: {
        command: [process.execPath, '-e', 'require("http").createServer((q,s)=>s.end("img")).listen(8000)'],
      },
    },
  });
  client = FunctionGraphClient.newBuilder()
    .withCredential(new BasicCredentials().withAk(ak).withSk(sk).withProjectId(emu.projectId))
    .withEndpoint(emu.url)
    .build();
});
afterAll(async () => {
  await emu?.close();
});

/** The SDK hands back the response body as parsed, with FunctionGraph's snake_case names. */
const json = (response: unknown) => response as Record<string, unknown>;

/** The SDK rejects with its own error object; this keeps the emulator's answer readable in a failure. */
async function sdk<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    const e = error as { httpStatusCode?: number; errorCode?: string; errorMsg?: string };
    throw new Error(`SDK call failed: ${e.httpStatusCode} ${e.errorCode} ${e.errorMsg ?? String(error)}`);
  }
}

describe('FunctionGraph emulator with the official Node.js SDK', () => {
  it('creates a function with the SDK fields, updates its code, publishes a version, aliases it and invokes it', async () => {
    const create = new CreateFunctionRequestBody()
      .withFuncName('sdk-fn')
      .withPackage('default')
      .withRuntime('Node.js20.15')
      .withHandler('index.handler')
      .withMemorySize(256)
      .withTimeout(30)
      .withType('v2')
      .withCodeType('zip')
      .withCodeFilename('index.zip')
      .withFuncCode(new FuncCode().withFile(zip('exports.handler = async (e) => ({ v: 1, e });')))
      // The SDK types tags as a string, and has KMS key fields.
      .withTags('[{"key":"team","value":"a"}]')
      .withUserDataEncryptKmsKeyId('kms-key-1')
      .withCodeEncryptKmsKeyId('kms-key-2');
    const created = await sdk(client.createFunction(new CreateFunctionRequest().withBody(create)));
    expect(json(created).func_urn).toMatch(/:function:default:sdk-fn:latest$/);

    const code = new UpdateFunctionCodeRequestBody()
      .withCodeType('zip')
      .withCodeFilename('index.zip')
      .withFuncCode(new FuncCode().withFile(zip('exports.handler = async (e) => ({ v: 2, e });')));
    await sdk(
      client.updateFunctionCode(new UpdateFunctionCodeRequest().withFunctionUrn('sdk-fn').withBody(code)),
    );

    const config = new UpdateFunctionConfigRequestBody()
      .withFuncName('sdk-fn')
      .withRuntime('Node.js20.15')
      .withHandler('index.handler')
      .withMemorySize(512)
      .withTimeout(30)
      .withExtendConfig('{"enable_trace":false}')
      .withUserDataEncryptKmsKeyId('kms-key-1');
    await sdk(
      client.updateFunctionConfig(
        new UpdateFunctionConfigRequest().withFunctionUrn('sdk-fn').withBody(config),
      ),
    );
    const shown = await sdk(
      client.showFunctionConfig(new ShowFunctionConfigRequest().withFunctionUrn('sdk-fn')),
    );
    expect(json(shown).memory_size).toBe(512);

    const version = await sdk(
      client.createFunctionVersion(
        new CreateFunctionVersionRequest()
          .withFunctionUrn('sdk-fn')
          .withBody(new CreateFunctionVersionRequestBody().withVersion('v2').withDescription('two')),
      ),
    );
    expect(json(version).version).toBe('v2');
    const alias = await sdk(
      client.createVersionAlias(
        new CreateVersionAliasRequest()
          .withFunctionUrn('sdk-fn')
          .withBody(new CreateVersionAliasRequestBody().withName('live').withVersion('v2')),
      ),
    );
    expect(json(alias).name).toBe('live');

    // A dedicated-gateway trigger with the fields the SDK's TriggerEventDataRequestBody offers.
    const trigger = await sdk(
      client.createFunctionTrigger(
        new CreateFunctionTriggerRequest().withFunctionUrn(`${emu.projectId}:default:sdk-fn:!live`).withBody(
          new CreateFunctionTriggerRequestBody()
            .withTriggerTypeCode('DEDICATEDGATEWAY')
            .withTriggerStatus('ACTIVE')
            .withEventData(
              new TriggerEventDataRequestBody()
                .withName('sdk_api')
                .withGroupId('grp-1')
                .withGroupName('team-apis')
                .withInstanceId('apig-instance-1')
                .withEnvId('DEFAULT_ENVIRONMENT_RELEASE_ID')
                .withEnvName('RELEASE')
                .withProtocol('HTTPS')
                .withReqMethod('ANY')
                .withPath('/sdk')
                .withMatchMode('SWA')
                .withAuth('NONE')
                .withType(1)
                .withBackendType('FUNCTION')
                .withFuncInfo(
                  new ApigTriggerFuncInfo().withTimeout(5000).withFunctionUrn(String(json(created).func_urn)),
                ),
            ),
        ),
      ),
    );
    expect(json(trigger).trigger_type_code).toBe('DEDICATEDGATEWAY');

    const answer = await sdk(
      client.invokeFunction(
        new InvokeFunctionRequest()
          .withFunctionUrn(`${emu.projectId}:default:sdk-fn:!live`)
          .withXCFFRequestVersion('v1')
          .withBody({ n: 7 } as never),
      ),
    );
    expect(JSON.parse(String(json(answer).result))).toEqual({ v: 2, e: { n: 7 } });
  });

  it('accepts a custom image with only the fields the SDK needs set', async () => {
    const body = new CreateFunctionRequestBody()
      .withFuncName('sdk-img')
      .withPackage('default')
      .withRuntime('Custom Image')
      .withHandler('-')
      .withMemorySize(256)
      .withTimeout(30)
      .withType('v2')
      .withCodeType('Custom-Image-Swr')
      // enabled, command, args, working_dir, uid and gid are optional in the SDK's CustomImage.
      .withCustomImage(new CustomImage().withImage(image));
    const created = await sdk(client.createFunction(new CreateFunctionRequest().withBody(body)));
    expect(json(created).func_name).toBe('sdk-img');
  });
});
