#!/usr/bin/env node
// Moves the orders function from AWS Lambda to Knative, both emulated on this machine: start the Lambda and
// the Kubernetes + Knative emulators, deploy orders to Lambda, then `faasport migrate orders --from lambda
// --to knative` and call it on both. Needs `npm run build` first.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startKubernetesEmulator } from '@faasport/emulators/kubernetes';
import { startLambdaEmulator } from '@faasport/emulators/lambda';
import { copyWithTargets, faasportIn } from '../_shared/walkthrough.mjs';

const [lambda, kube] = await Promise.all([startLambdaEmulator(), startKubernetesEmulator()]);
let failed = false;
try {
  // A copy of this folder whose targets point at the emulators.
  const dir = copyWithTargets(fileURLToPath(new URL('.', import.meta.url)), {
    prefix: 'faasport-lambda-migrate-',
    files: { 'kubeconfig.yaml': kube.kubeConfig },
    edits: [
      ['region: us-east-1,', `region: ${lambda.region}, endpoint: "${lambda.url}",`],
      [
        'knative: { adapter: knative, namespace: default }',
        `knative: { adapter: knative, namespace: default, kubeconfig: ./kubeconfig.yaml, ingress: "${kube.url}" }`,
      ],
    ],
  });
  // The AWS SDK's default credential chain reads these; no credentials are written to faasport.yaml.
  const run = faasportIn(dir, {
    ...process.env,
    AWS_ACCESS_KEY_ID: lambda.accessKeyId,
    AWS_SECRET_ACCESS_KEY: lambda.secretAccessKey,
    AWS_CONFIG_FILE: join(dir, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-aws-credentials'),
  });

  await run('the function as it lives on Lambda today', ['deploy', '--target', 'lambda', '--yes']);
  const onLambda = await run('it answers on Lambda', [
    'invoke',
    'orders',
    '--target',
    'lambda',
    '--path',
    '/?name=Ada',
  ]);
  await run('what would carry over, and the plan for Knative', [
    'migrate',
    'orders',
    '--from',
    'lambda',
    '--to',
    'knative',
    '--dry-run',
  ]);
  await run('move it', ['migrate', 'orders', '--from', 'lambda', '--to', 'knative', '--yes']);
  const onKnative = await run('it answers on Knative', [
    'invoke',
    'orders',
    '--target',
    'knative',
    '--path',
    '/?name=Ada',
  ]);
  const same = onLambda.replace(' from lambda', '') === onKnative.replace(' from knative', '');
  process.stdout.write(`\n${same ? 'The same greeting on both targets.' : 'The answers differ.'}\n`);
  failed = !same;
} catch (error) {
  process.stderr.write(`${error.message}\n`);
  failed = true;
} finally {
  await Promise.all([lambda.close(), kube.close()]);
}
process.exit(failed ? 1 : 0);
