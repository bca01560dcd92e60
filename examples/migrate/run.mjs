#!/usr/bin/env node
// Moves the coffee function from Alibaba Cloud Function Compute to Knative, both emulated on this
// machine: start the FC and Kubernetes + Knative emulators, deploy coffee to FC, then
// `faasport migrate coffee --from fc --to knative` and call it on both. Needs `npm run build` first.
import { fileURLToPath } from 'node:url';
import { startFcEmulator } from '@faasport/emulators/fc';
import { startKubernetesEmulator } from '@faasport/emulators/kubernetes';
import { copyWithTargets, faasportIn } from '../_shared/walkthrough.mjs';

const [fc, kube] = await Promise.all([startFcEmulator(), startKubernetesEmulator()]);
let failed = false;
try {
  // A copy of this folder whose targets point at the emulators.
  const dir = copyWithTargets(fileURLToPath(new URL('.', import.meta.url)), {
    prefix: 'faasport-migrate-',
    files: { 'kubeconfig.yaml': kube.kubeConfig },
    edits: [
      [
        'fc: { adapter: fc, region: cn-hangzhou }',
        `fc: { adapter: fc, region: ${fc.region}, endpoint: "${fc.url}" }`,
      ],
      [
        'knative: { adapter: knative, namespace: default }',
        `knative: { adapter: knative, namespace: default, kubeconfig: ./kubeconfig.yaml, ingress: "${kube.url}" }`,
      ],
    ],
  });
  const run = faasportIn(dir, {
    ...process.env,
    ALIBABA_CLOUD_ACCESS_KEY_ID: fc.accessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: fc.accessKeySecret,
    ALIBABA_CLOUD_ACCOUNT_ID: fc.accountId,
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
