/**
 * Runs Lambda functions through the faasport runtime with its `lambda` contract: Node.js and Python
 * handlers `(event, context)`, an HTTP request arriving as a function-URL event (payload 2.0). Each (function,
 * version, code, configuration) is unpacked once and kept until it changes.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { isSafeEntryName } from '@faasport/core';
import { pullFaasportEntry } from '@faasport/image';
import type { Executor } from '@faasport/runtime';
import { unzipSync } from 'fflate';
import { type LambdaRunner, RuntimeApiRunner } from './runtime-api';
import type { AwsCredential } from './signature';
import type { CodeState, FunctionConfigState } from './state';

/** Turns Lambda function versions into runtime executables. */
export class LambdaExecution {
  private readonly root = mkdtempSync(join(tmpdir(), 'lambda-emulator-'));
  private readonly loaded = new Map<string, Promise<LambdaRunner>>();
  /** Folders of images pulled from a registry on this machine (ours to remove). */
  private readonly pulledDirs: string[] = [];

  constructor(
    private readonly executor: () => Executor,
    private readonly region: string,
    /** The emulator as the functions' AWS: its endpoint and the keys it accepts. */
    private readonly aws: () => { endpoint: string; credential: AwsCredential },
  ) {}

  /** The executable of one version's configuration and code. */
  executable(config: FunctionConfigState, code: CodeState): Promise<LambdaRunner> {
    const key = `${config.FunctionName}@${config.Version}#${config.CodeSha256}:${configKey(config)}`;
    let found = this.loaded.get(key);
    if (!found) {
      found = this.load(key, config, code);
      found.catch(() => this.loaded.delete(key));
      this.loaded.set(key, found);
    }
    return found;
  }

  /** The variables Lambda sets for every function, with its own environment. */
  private environment(config: FunctionConfigState, taskRoot: string): Record<string, string> {
    // "Defined runtime environment variables",
    // https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime
    const { endpoint, credential } = this.aws();
    return {
      // Not a Lambda variable: the emulator stands in for AWS, so the function's AWS SDK clients call it. The
      // SDKs read AWS_ENDPOINT_URL (https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html;
      // aws-sdk-js-v3 via @smithy/core `getEndpointUrlConfig`), and S3 clients address an IP endpoint
      // path-style. The function's own setting wins.
      AWS_ENDPOINT_URL: endpoint,
      ...(config.Environment?.Variables ?? {}),
      // The execution role's keys, which Lambda sets for the SDKs: here the emulator's own, which it accepts.
      AWS_ACCESS_KEY_ID: credential.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credential.secretAccessKey,
      ...(credential.sessionToken ? { AWS_SESSION_TOKEN: credential.sessionToken } : {}),
      AWS_REGION: this.region,
      AWS_DEFAULT_REGION: this.region,
      AWS_LAMBDA_FUNCTION_NAME: config.FunctionName,
      AWS_LAMBDA_FUNCTION_VERSION: config.Version,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(config.MemorySize),
      LAMBDA_TASK_ROOT: taskRoot,
      _HANDLER: config.Handler ?? '',
    };
  }

  /**
   * A container image function: a faasport-built Node.js image pulled from a registry on this
   * machine, its entry run with the local Node.js against the Runtime API. Other images cannot run.
   */
  private async loadImage(config: FunctionConfigState, code: CodeState): Promise<LambdaRunner> {
    // ImageConfig overrides the image's ENTRYPOINT, CMD and WORKDIR, each on its own
    // (https://docs.aws.amazon.com/lambda/latest/dg/API_ImageConfig.html).
    const overrides = config.ImageConfigResponse?.ImageConfig as
      | { EntryPoint?: string[]; Command?: string[]; WorkingDirectory?: string }
      | undefined;
    if (overrides?.EntryPoint && overrides.EntryPoint[0] !== 'node')
      throw new Error(
        `the emulator runs faasport-built images with this machine's Node.js: ImageConfig.EntryPoint ${JSON.stringify(overrides.EntryPoint)} does not start with node`,
      );
    const image = code.imageUri
      ? await pullFaasportEntry(code.imageUri, {
          ...(overrides?.EntryPoint ? { entrypoint: overrides.EntryPoint } : {}),
          ...(overrides?.Command ? { cmd: overrides.Command } : {}),
          ...(overrides?.WorkingDirectory ? { workdir: overrides.WorkingDirectory } : {}),
        })
      : undefined;
    if (!image)
      throw new Error(
        `the emulator cannot pull image ${code.imageUri} (it runs faasport-built images from a registry on this machine)`,
      );
    this.pulledDirs.push(image.dir);
    const { _HANDLER: _, ...env } = this.environment(config, image.workdir);
    return new RuntimeApiRunner(
      image,
      env,
      config.Timeout * 1000,
      `arn:aws:lambda:${this.region}:000000000000:function:${config.FunctionName}`,
    );
  }

  private async load(key: string, config: FunctionConfigState, code: CodeState): Promise<LambdaRunner> {
    if (config.PackageType === 'Image') return this.loadImage(config, code);
    if (!code.zip)
      throw new Error(`the emulator has no code of ${config.FunctionName}: S3 code is not fetched`);
    // nodejs22.x → the runtime's nodejs22; python3.12 is the same name in both.
    const node = /^nodejs(\d+)\.x$/.exec(config.Runtime ?? '');
    const runtime = node
      ? `nodejs${node[1]}`
      : /^python3\.\d+$/.test(config.Runtime ?? '')
        ? config.Runtime
        : undefined;
    if (!runtime)
      throw new Error(
        `the emulator runs Node.js and Python Lambda runtimes, not ${config.Runtime ?? 'none'}`,
      );
    const dir = join(this.root, createHash('sha256').update(key).digest('hex').slice(0, 16));
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    for (const [name, data] of Object.entries(unzipSync(code.zip))) {
      if (name.endsWith('/') || !isSafeEntryName(name)) continue;
      const target = join(dir, name);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, data);
    }
    const env = this.environment(config, dir);
    return this.executor().load({
      id: `lambda/${key}`,
      codeDir: dir,
      runtime,
      handler: config.Handler ?? 'index.handler',
      contract: 'lambda',
      env,
      timeoutMs: config.Timeout * 1000,
      memoryMb: config.MemorySize,
      // One request per execution environment, as on Lambda.
      concurrency: 1,
      maxInstances: 10,
      functionName: config.FunctionName,
      revision: config.Version,
      target: 'lambda',
    });
  }

  /** Stops every executable and removes the unpacked code. */
  async close(): Promise<void> {
    const all = [...this.loaded.values()];
    this.loaded.clear();
    await Promise.all(
      all.map((p) =>
        p.then(
          (e) => e.close(),
          () => undefined,
        ),
      ),
    );
    rmSync(this.root, { recursive: true, force: true });
    for (const dir of this.pulledDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  }
}

function configKey(config: FunctionConfigState): string {
  return createHash('sha256')
    .update(
      JSON.stringify([config.Runtime, config.Handler, config.MemorySize, config.Timeout, config.Environment]),
    )
    .digest('hex')
    .slice(0, 12);
}
