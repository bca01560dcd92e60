import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { startFront } from './front';

/** How `faasport emulate` starts an emulator. @public */
export interface EmulateOptions {
  /** The port to listen on; 0 picks a free one. */
  port: number;
  /** The address to bind. */
  host: string;
  /** A delay added to every API call, in milliseconds. */
  latencyMs: number;
  /** Where to write a kubeconfig (absolute path), for emulators of Kubernetes. */
  kubeconfig?: string;
}

/** A running emulator, described for scripts (`faasport emulate --json` prints it). @public */
export interface RunningEmulator {
  /** The API endpoint clients call. */
  endpoint: string;
  /** The cloud region it pretends to be, or null where the platform has none (Kubernetes). */
  region: string | null;
  /** A ready `faasport.yaml` target pointing at it (put it under `targets.<name>`). */
  target: Record<string, unknown>;
  /** The credential variables to export for the target and for the cloud's own tools. */
  env: Record<string, string>;
  /** More lines for people (not part of `--json`). */
  notes: string[];
  /** Stops it and removes what it wrote, except a kubeconfig the user asked for. */
  close(): Promise<void>;
}

/** One entry of the emulator registry. @public */
export interface EmulatorEntry {
  /** What it emulates, for `--help` and errors. */
  description: string;
  /** Whether `--kubeconfig` applies. */
  kubeconfig?: boolean;
  start(options: EmulateOptions): Promise<RunningEmulator>;
}

/** The emulator's own URL, or a forwarding front on the chosen port with the chosen latency. */
async function fronted(
  url: string,
  options: EmulateOptions,
): Promise<{ endpoint: string; close(): Promise<void> }> {
  if (options.port === 0 && options.latencyMs === 0 && options.host === '127.0.0.1')
    return { endpoint: url, close: async () => {} };
  const front = await startFront({
    target: url,
    port: options.port,
    host: options.host,
    latencyMs: options.latencyMs,
  });
  return { endpoint: front.url, close: () => front.close() };
}

/** Writes a file only its owner can read (it holds a token). */
function writePrivate(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text, { mode: 0o600 });
  chmodSync(path, 0o600);
}

/**
 * The emulators `faasport emulate` can start, by name. A new emulator (Lambda, FC 3.0) is one more
 * entry: it starts the emulator and says how a target and the cloud's tools reach it.
 *
 * @public
 */
export const emulatorRegistry: Record<string, EmulatorEntry> = {
  kubernetes: {
    description: 'a Kubernetes API server with Knative Serving and Eventing (the `knative` adapter, kubectl)',
    kubeconfig: true,
    async start(options) {
      const { startKubernetesEmulator } = await import('@faasport/emulators/kubernetes');
      const kube = await startKubernetesEmulator({
        port: options.port,
        host: options.host,
        latencyMs: options.latencyMs,
      });
      const ownDir = options.kubeconfig ? undefined : mkdtempSync(join(tmpdir(), 'faasport-emulate-'));
      const kubeconfig = options.kubeconfig ?? join(ownDir!, 'kubeconfig');
      try {
        writePrivate(kubeconfig, kube.kubeConfig);
      } catch (error) {
        await kube.close();
        throw error;
      }
      return {
        endpoint: kube.apiUrl,
        region: null,
        target: {
          adapter: 'knative',
          kubeconfig,
          context: 'emulator',
          namespace: 'default',
          ingress: kube.url,
        },
        env: { KUBECONFIG: kubeconfig },
        notes: [
          `routes: ${kube.url} with the route's host in the Host header (curl -H 'Host: hello.default.example.com' ${kube.url}/)`,
        ],
        close: async () => {
          await kube.close();
          if (ownDir) rmSync(ownDir, { recursive: true, force: true });
        },
      };
    },
  },
  fc: {
    description: 'Alibaba Cloud Function Compute 2.0 (the `fc` adapter, @alicloud/fc2)',
    async start(options) {
      const { startFcEmulator } = await import('@faasport/emulators/fc');
      const fc = await startFcEmulator();
      const front = await fronted(fc.url, options).catch(async (error) => {
        await fc.close();
        throw error;
      });
      return {
        endpoint: front.endpoint,
        region: fc.region,
        target: { adapter: 'fc', accountId: fc.accountId, region: fc.region, endpoint: front.endpoint },
        env: {
          ALIBABA_CLOUD_ACCESS_KEY_ID: fc.accessKeyId,
          ALIBABA_CLOUD_ACCESS_KEY_SECRET: fc.accessKeySecret,
        },
        notes: [],
        close: async () => {
          await front.close();
          await fc.close();
        },
      };
    },
  },
  fc3: {
    description: 'Alibaba Cloud Function Compute 3.0 (the `fc3` adapter, @alicloud/fc20230330)',
    async start(options) {
      const { startFc3Emulator } = await import('@faasport/emulators/fc3');
      const fc3 = await startFc3Emulator();
      const front = await fronted(fc3.url, options).catch(async (error) => {
        await fc3.close();
        throw error;
      });
      return {
        endpoint: front.endpoint,
        region: fc3.region,
        target: { adapter: 'fc3', accountId: fc3.accountId, region: fc3.region, endpoint: front.endpoint },
        env: {
          ALIBABA_CLOUD_ACCESS_KEY_ID: fc3.accessKeyId,
          ALIBABA_CLOUD_ACCESS_KEY_SECRET: fc3.accessKeySecret,
        },
        notes: [
          `HTTP trigger URLs: ${fc3.url}/fcapp/<function>-<hash>/ (FC: https://<function>-<hash>.<region>.fcapp.run/)`,
        ],
        close: async () => {
          await front.close();
          await fc3.close();
        },
      };
    },
  },
  functiongraph: {
    description: 'Huawei Cloud FunctionGraph v2 (the `functiongraph` adapter, Huawei Cloud SDKs)',
    async start(options) {
      const { startFunctionGraphEmulator } = await import('@faasport/emulators/functiongraph');
      const fg = await startFunctionGraphEmulator();
      const front = await fronted(fg.url, options).catch(async (error) => {
        await fg.close();
        throw error;
      });
      return {
        endpoint: front.endpoint,
        region: fg.region,
        target: {
          adapter: 'functiongraph',
          region: fg.region,
          projectId: fg.projectId,
          endpoint: front.endpoint,
        },
        env: {
          HUAWEICLOUD_SDK_AK: fg.accessKeyId,
          HUAWEICLOUD_SDK_SK: fg.secretAccessKey,
        },
        notes: [],
        close: async () => {
          await front.close();
          await fg.close();
        },
      };
    },
  },
  lambda: {
    description:
      'AWS Lambda with the EventBridge Scheduler calls faasport makes (the `lambda` adapter, the aws CLI, AWS SDKs)',
    async start(options) {
      const { startLambdaEmulator } = await import('@faasport/emulators/lambda');
      const lambda = await startLambdaEmulator();
      const front = await fronted(lambda.url, options).catch(async (error) => {
        await lambda.close();
        throw error;
      });
      return {
        endpoint: front.endpoint,
        region: lambda.region,
        // The emulator checks no IAM: any role ARN of its account does.
        target: {
          adapter: 'lambda',
          region: lambda.region,
          endpoint: front.endpoint,
          role: `arn:aws:iam::${lambda.accountId}:role/faasport-emulator`,
        },
        env: {
          AWS_ACCESS_KEY_ID: lambda.accessKeyId,
          AWS_SECRET_ACCESS_KEY: lambda.secretAccessKey,
          AWS_REGION: lambda.region,
        },
        notes: [
          `the aws CLI: aws --endpoint-url ${front.endpoint} lambda list-functions (with the variables above)`,
        ],
        close: async () => {
          await front.close();
          await lambda.close();
        },
      };
    },
  },
};
