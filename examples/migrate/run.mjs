#!/usr/bin/env node
// Moves the coffee function from Alibaba Cloud Function Compute to Knative, both emulated on this
// machine: start the FC and Kubernetes + Knative emulators, deploy coffee to FC, then
// `faasport migrate coffee --from fc --to knative` and call it on both. Needs `npm run build` first.
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFcEmulator } from '@faasport/emulators/fc';
import { startKubernetesEmulator } from '@faasport/emulators/kubernetes';

const here = fileURLToPath(new URL('.', import.meta.url));
const faasport = fileURLToPath(new URL('../../packages/cli/bin/faasport.mjs', import.meta.url));

const [fc, kube] = await Promise.all([startFcEmulator(), startKubernetesEmulator()]);
let failed = false;
try {
  // A copy of this folder whose targets point at the emulators.
  const dir = mkdtempSync(join(tmpdir(), 'faasport-migrate-'));
  cpSync(here, dir, { recursive: true, filter: (src) => !src.includes('.faasport') });
  writeFileSync(join(dir, 'kubeconfig.yaml'), kube.kubeConfig);
  const yaml = readFileSync(join(dir, 'faasport.yaml'), 'utf8')
    .replace(
      'fc: { adapter: fc, region: cn-hangzhou }',
      `fc: { adapter: fc, region: ${fc.region}, endpoint: "${fc.url}" }`,
    )
    .replace(
      'knative: { adapter: knative, namespace: default }',
      `knative: { adapter: knative, namespace: default, kubeconfig: ./kubeconfig.yaml, ingress: "${kube.url}" }`,
    );
  writeFileSync(join(dir, 'faasport.yaml'), yaml);
  const env = {
    ...process.env,
    ALIBABA_CLOUD_ACCESS_KEY_ID: fc.accessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: fc.accessKeySecret,
    ALIBABA_CLOUD_ACCOUNT_ID: fc.accountId,
  };

  // Asynchronous on purpose: the emulators answer from this same process.
  const run = (title, args) =>
    new Promise((resolve, reject) => {
      process.stdout.write(`\n$ faasport ${args.join(' ')}    # ${title}\n`);
      const child = spawn(process.execPath, [faasport, ...args], {
        cwd: dir,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (chunk) => {
        out += chunk;
        process.stdout.write(chunk);
      });
      // Progress and warnings (the command's stderr) go with its answer, under its "$" line.
      child.stderr.on('data', (chunk) => process.stdout.write(chunk));
      child.on('close', (code) =>
        code === 0 ? resolve(out) : reject(new Error(`faasport ${args[0]} exited with ${code}`)),
      );
    });

  await run('the function as it lives on FC today', ['deploy', '--target', 'fc', '--yes']);
  const onFc = await run('it answers on FC', ['invoke', 'coffee', '--target', 'fc']);
  await run('what would carry over, and the plan for Knative', [
    'migrate',
    'coffee',
    '--from',
    'fc',
    '--to',
    'knative',
    '--dry-run',
  ]);
  await run('move it', ['migrate', 'coffee', '--from', 'fc', '--to', 'knative', '--yes']);
  const onKnative = await run('it answers on Knative', ['invoke', 'coffee', '--target', 'knative']);
  const same = onFc.replace(' from fc', '') === onKnative.replace(' from knative', '');
  process.stdout.write(`\n${same ? 'The same greeting on both targets.' : 'The answers differ.'}\n`);
  failed = !same;
} catch (error) {
  process.stderr.write(`${error.message}\n`);
  failed = true;
} finally {
  await Promise.all([fc.close(), kube.close()]);
}
process.exit(failed ? 1 : 0);
