import { testAdapter, triggerDeliveries } from '@faasport/core/testing';
import { startLambdaEmulator } from '@faasport/emulators/lambda';
import { createLambdaAdapter, lambdaCapabilities } from '../src';

// The core conformance suite against the Lambda emulator over real HTTP (the AWS SDK, SigV4), running the
// code through the faasport runtime with Lambda's contract. Scheduler schedules fire as its clock moves,
// S3 notifications as objects are written.
testAdapter({
  name: 'lambda (emulator)',
  capabilities: lambdaCapabilities,
  async setup() {
    const emulator = await startLambdaEmulator({
      accessKeyId: 'AKIDCONFORMANCE',
      secretAccessKey: 'conformance-secret',
    });
    // The storage case's bucket exists before the function is deployed, as S3 requires.
    emulator.createBucket('conf-uploads');
    const queueArn = (queue: string) => `arn:aws:sqs:${emulator.region}:${emulator.accountId}:${queue}`;
    // The adapter takes credentials from the SDK's default chain only: the environment here.
    process.env.AWS_ACCESS_KEY_ID = emulator.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = emulator.secretAccessKey;
    const adapter = createLambdaAdapter({
      region: emulator.region,
      endpoint: emulator.url,
      role: `arn:aws:iam::${emulator.accountId}:role/conformance`,
      // The queue case's topic is an SQS queue of the same name.
      queues: { 'conf-orders': { arn: queueArn('conf-orders') } },
    });
    return {
      adapter,
      writes: emulator.writes,
      close: emulator.close,
      triggers: {
        advanceClock: async (ms) => triggerDeliveries(await emulator.advanceClock(ms)),
        sendMessage: async (topic, body) =>
          triggerDeliveries(await emulator.sendSqsMessage(queueArn(topic), body)),
        putObject: async (bucket, key, size) =>
          triggerDeliveries(await emulator.putObject(bucket, key, new Uint8Array(size))),
      },
    };
  },
});
