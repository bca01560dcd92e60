/**
 * Storage triggers as S3 bucket notifications: a `LambdaFunctionConfiguration` per trigger in the
 * bucket's notification configuration (PutBucketNotificationConfiguration, aws-sdk-js-v3
 * `clients/client-s3/src/schemas/schemas_0.ts`: `LambdaFunctionConfiguration`, `S3KeyFilter`, `FilterRule`)
 * and a resource-based policy statement that lets `s3.amazonaws.com` invoke the main alias for that bucket
 * (AddPermission with SourceArn and SourceAccount, https://docs.aws.amazon.com/lambda/latest/dg/with-s3.html).
 * The statements faasport adds (`faasport-s3-<bucket>`) record which buckets it configured, so `read`
 * finds them without listing every bucket. A bucket's other notification entries are never touched.
 */
import { createHash } from 'node:crypto';
import {
  AddPermissionCommand,
  GetPolicyCommand,
  type GetPolicyCommandOutput,
  RemovePermissionCommand,
} from '@aws-sdk/client-lambda';
import {
  GetBucketNotificationConfigurationCommand,
  type LambdaFunctionConfiguration,
  type NotificationConfiguration,
  PutBucketNotificationConfigurationCommand,
} from '@aws-sdk/client-s3';
import { canonicalJson, type ResolvedFunction } from '@faasport/core';
import { type BucketNotifications, type LambdaApi, mainAlias, send, sendOrUndefined } from './context';

/** The Id prefix of the notification entries faasport writes. */
const idPrefix = 'faasport-';

/** The statement id of the permission that lets S3 invoke the main alias for one bucket. */
export const permissionSid = (bucket: string) => `faasport-s3-${bucket}`;

/**
 * faasport storage events → S3 event types ("Supported event types",
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-how-to-event-types-and-destinations.html).
 */
export const s3Events = { created: 's3:ObjectCreated:*', deleted: 's3:ObjectRemoved:*' } as const;

/** A notification entry in a form live and desired compare equal when they mean the same. */
export interface NotificationEntry {
  Id: string;
  Events: string[];
  /** Lower-case rule names (S3 answers `Prefix` for `prefix`). */
  rules: Record<string, string>;
}

/** The notification entry Id of a trigger: `faasport-<function>-<trigger>` (hashed past 255 characters). */
export function notificationId(functionName: string, triggerName: string): string {
  const id = `${idPrefix}${functionName}-${triggerName}`;
  return id.length <= 255
    ? id
    : `${id.slice(0, 240)}-${createHash('sha256').update(id).digest('hex').slice(0, 12)}`;
}

/** The notification entries a function wants, by bucket. */
export function desiredNotifications(fn: ResolvedFunction): Map<string, NotificationEntry[]> {
  const out = new Map<string, NotificationEntry[]>();
  for (const t of fn.triggers) {
    if (t.kind !== 'storage') continue;
    const rules: Record<string, string> = {};
    if (t.prefix) rules.prefix = t.prefix;
    if (t.suffix) rules.suffix = t.suffix;
    const entry = {
      Id: notificationId(fn.name, t.name),
      Events: t.events.map((e) => s3Events[e]).sort(),
      rules,
    };
    out.set(t.bucket, [...(out.get(t.bucket) ?? []), entry]);
  }
  return out;
}

/** A live entry in the comparable form. */
export function entryOf(c: LambdaFunctionConfiguration): NotificationEntry {
  const rules: Record<string, string> = {};
  for (const r of c.Filter?.Key?.FilterRules ?? []) if (r.Name) rules[r.Name.toLowerCase()] = r.Value ?? '';
  return { Id: c.Id ?? '', Events: [...(c.Events ?? [])].sort(), rules };
}

/** The entries faasport manages among a bucket's: its Id prefix, aimed at the main alias. */
export const managedEntries = (b: BucketNotifications, aliasArn: string) =>
  b.entries.filter((c) => c.Id?.startsWith(idPrefix) && c.LambdaFunctionArn === aliasArn);

/** Whether a bucket already holds exactly the wanted entries (order aside). */
export function sameEntries(live: LambdaFunctionConfiguration[], want: NotificationEntry[]): boolean {
  const key = (list: NotificationEntry[]) => canonicalJson([...list].sort((a, b) => (a.Id < b.Id ? -1 : 1)));
  return key(live.map(entryOf)) === key(want);
}

/** The statements of a function's resource-based policy (of a qualifier); none when it has none. */
async function statementsOf(api: LambdaApi, name: string, qualifier?: string) {
  const out: GetPolicyCommandOutput | undefined = await sendOrUndefined('GetPolicy', () =>
    api.lambda.send(
      new GetPolicyCommand({ FunctionName: name, ...(qualifier ? { Qualifier: qualifier } : {}) }),
    ),
  );
  try {
    const policy = JSON.parse(out?.Policy ?? '{}') as { Statement?: Array<Record<string, unknown>> };
    return policy.Statement ?? [];
  } catch {
    return [];
  }
}

/** The bucket an S3 permission statement is for (`AWS:SourceArn` `arn:aws:s3:::<bucket>`), if it is one. */
function bucketOfStatement(s: Record<string, unknown>): string | undefined {
  const principal = s.Principal as { Service?: string } | string | undefined;
  if (typeof principal !== 'object' || principal?.Service !== 's3.amazonaws.com') return undefined;
  const condition = s.Condition as Record<string, Record<string, string>> | undefined;
  const source = condition?.ArnLike?.['AWS:SourceArn'] ?? condition?.ArnEquals?.['AWS:SourceArn'];
  return /^arn:aws[a-z-]*:s3:::([^/]+)$/.exec(source ?? '')?.[1];
}

/**
 * The buckets that may notify a function, from the S3 statements of its policy (the unqualified one
 * and the main alias's), with each bucket's entries that invoke the function.
 */
export async function readNotifications(
  api: LambdaApi,
  name: string,
  functionArn: string,
  hasMain: boolean,
): Promise<BucketNotifications[]> {
  const main = hasMain ? await statementsOf(api, name, mainAlias) : [];
  const unqualified = await statementsOf(api, name);
  const buckets = new Set([...main, ...unqualified].map(bucketOfStatement).filter((b) => b !== undefined));
  const out: BucketNotifications[] = [];
  for (const bucket of [...buckets].sort()) {
    const config = await sendOrUndefined('GetBucketNotificationConfiguration', () =>
      api.s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: bucket })),
    );
    out.push({
      bucket,
      exists: config !== undefined,
      entries: (config?.LambdaFunctionConfigurations ?? []).filter(
        (c) => c.LambdaFunctionArn === functionArn || c.LambdaFunctionArn?.startsWith(`${functionArn}:`),
      ),
      permission: main.some((s) => s.Sid === permissionSid(bucket)),
    });
  }
  return out;
}

/**
 * Makes a bucket's notification configuration hold exactly the wanted entries for the function's main
 * alias: adds the invoke permission first (S3 validates the destination when the configuration is put),
 * reads the bucket's configuration, replaces faasport's entries for this function and keeps every other
 * entry (topics, queues, EventBridge, other functions), and removes the permission once no entry is left.
 */
export async function syncBucket(
  api: LambdaApi,
  input: { name: string; bucket: string; aliasArn: string; account: string; addPermission: boolean },
  want: NotificationEntry[],
): Promise<void> {
  const { name, bucket, aliasArn, account } = input;
  const target = { FunctionName: name, Qualifier: mainAlias, StatementId: permissionSid(bucket) };
  // Read first: a bucket that does not exist fails here (S3's NoSuchBucket), before anything is written.
  const read = () => api.s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: bucket }));
  const current = want.length
    ? await send('GetBucketNotificationConfiguration', read)
    : await sendOrUndefined('GetBucketNotificationConfiguration', read);
  if (want.length && input.addPermission) {
    await sendOrUndefined('RemovePermission', () => api.lambda.send(new RemovePermissionCommand(target)));
    await send('AddPermission', () =>
      api.lambda.send(
        new AddPermissionCommand({
          ...target,
          Action: 'lambda:InvokeFunction',
          Principal: 's3.amazonaws.com',
          SourceArn: `arn:aws:s3:::${bucket}`,
          // S3 bucket ARNs carry no account: SourceAccount keeps a same-named bucket elsewhere out.
          ...(account ? { SourceAccount: account } : {}),
        }),
      ),
    );
  }
  if (current) {
    const lambda = current.LambdaFunctionConfigurations ?? [];
    const ours = lambda.filter((c) => c.Id?.startsWith(idPrefix) && c.LambdaFunctionArn === aliasArn);
    const next: NotificationConfiguration = {
      ...(current.TopicConfigurations?.length ? { TopicConfigurations: current.TopicConfigurations } : {}),
      ...(current.QueueConfigurations?.length ? { QueueConfigurations: current.QueueConfigurations } : {}),
      ...(current.EventBridgeConfiguration
        ? { EventBridgeConfiguration: current.EventBridgeConfiguration }
        : {}),
      LambdaFunctionConfigurations: [
        ...lambda.filter((c) => !ours.includes(c)),
        ...want.map((w) => ({
          Id: w.Id,
          LambdaFunctionArn: aliasArn,
          Events: w.Events as never,
          ...(Object.keys(w.rules).length
            ? {
                Filter: {
                  Key: {
                    FilterRules: Object.entries(w.rules).map(([Name, Value]) => ({
                      Name: Name as never,
                      Value,
                    })),
                  },
                },
              }
            : {}),
        })),
      ],
    };
    if (!sameEntries(ours, want))
      await send('PutBucketNotificationConfiguration', () =>
        api.s3.send(
          new PutBucketNotificationConfigurationCommand({ Bucket: bucket, NotificationConfiguration: next }),
        ),
      );
  }
  if (!want.length)
    await sendOrUndefined('RemovePermission', () => api.lambda.send(new RemovePermissionCommand(target)));
}
