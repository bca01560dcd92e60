/**
 * moto_server (an AWS emulator nobody here wrote) on a free port, and the aws CLI pointed at an endpoint,
 * for the Lambda adapter's control-plane tests. Both are on the machine image, with boto3; `hasMoto` /
 * `hasAwsCli` / `hasBoto3` say whether they are, so a test can skip with that reason.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Whether a command answers `--version`. */
const available = (command: string, args: string[]) =>
  run(command, args, { timeout: 30_000 }).then(
    () => true,
    () => false,
  );

export const hasMoto = await available('moto_server', ['--help']);
export const hasAwsCli = await available('aws', ['--version']);
/** boto3 (the AWS SDK for Python), whose presigners some S3 tests use. */
export const hasBoto3 = await available('python3', ['-c', 'import boto3']);

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A running moto_server. */
export interface Moto {
  url: string;
  close(): Promise<void>;
}

/** Starts moto_server on a free port and resolves once it answers HTTP. */
export async function startMoto(): Promise<Moto> {
  const port = await freePort();
  const child: ChildProcess = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`moto_server exited with ${code}: ${stderr.slice(-500)}`))),
  );
  // moto prints nothing reliable when ready: ask it until it answers (each try waits for a connection).
  const ready = (async () => {
    for (let i = 0; i < 300; i++) {
      const ok = await fetch(`${url}/moto-api/`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`moto_server did not answer on ${url}: ${stderr.slice(-500)}`);
  })();
  await Promise.race([ready, exited]);
  exited.catch(() => undefined);
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/**
 * Sends an AWS query-protocol call (IAM, SQS) to moto, which does not check signatures by default; the
 * Authorization header only names the service and region moto routes by. Resolves with the XML answer.
 */
export async function motoQuery(
  url: string,
  service: string,
  params: Record<string, string>,
): Promise<string> {
  const response = await fetch(`${url}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `AWS4-HMAC-SHA256 Credential=${testEnv.AWS_ACCESS_KEY_ID}/20260101/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: new URLSearchParams(params).toString(),
  });
  const text = await response.text();
  if (!response.ok)
    throw new Error(`moto ${service} ${params.Action}: ${response.status} ${text.slice(0, 300)}`);
  return text;
}

/** The credentials and region the tests give the SDK's default chain and the aws CLI. */
export const testEnv = {
  AWS_ACCESS_KEY_ID: 'AKIDTESTFAASPORT',
  AWS_SECRET_ACCESS_KEY: 'faasport-test-secret',
  AWS_REGION: 'us-east-1',
  AWS_DEFAULT_REGION: 'us-east-1',
};

/** Runs the aws CLI against an endpoint and parses its JSON output. */
export async function aws(endpoint: string, env: Record<string, string>, ...args: string[]): Promise<any> {
  const { stdout } = await run('aws', ['--endpoint-url', endpoint, '--output', 'json', ...args], {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ...env,
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    },
    timeout: 60_000,
  });
  return stdout.trim() ? JSON.parse(stdout) : undefined;
}
