/** Rendering the Lambda request bodies of a deploy, offline. */
import type { DesiredState, Manifest } from '@faasport/core';
import { twoVersionSplit } from '@faasport/core/toolkit';
import { providerOptions } from './capabilities';
import { aliasDescription, deployedCode, managedConfig, versionDescription } from './code';
import { type LambdaApi, mainAlias } from './context';
import { desiredReserved, desiredUrl } from './plan';
import { desiredNotifications, permissionSid } from './storage';
import { desiredMappings, desiredSchedules } from './triggers';

/** The request bodies of a deploy as JSON manifests; secret values appear as `${secret:NAME}` references. */
export function render(api: LambdaApi, desired: DesiredState): Manifest[] {
  const fn = desired.fn;
  const name = fn.name;
  const code = deployedCode(desired);
  const architecture = providerOptions(fn).architecture;
  const fnPath = `/2015-03-31/functions/${name}`;
  const codeBody =
    fn.source.kind === 'image'
      ? { ImageUri: fn.source.ref }
      : fn.source.kind === 'bucket'
        ? { S3Bucket: fn.source.name, S3Key: fn.source.key }
        : { ZipFile: Buffer.from(code.zip!).toString('base64') };
  const manifests: Manifest[] = [
    {
      name: `${name}.create-function.json`,
      format: 'json',
      request: { method: 'POST', path: '/2015-03-31/functions' },
      content: {
        ...managedConfig(desired, api.o.role, 'references'),
        Code: codeBody,
        PackageType: fn.source.kind === 'image' ? 'Image' : 'Zip',
        ...(architecture ? { Architectures: [architecture] } : {}),
        Publish: false,
      },
    },
    {
      name: `${name}.publish-version.json`,
      format: 'json',
      request: { method: 'POST', path: `${fnPath}/versions` },
      content: { Description: versionDescription(desired.revisionLabel, desired.revisionHash, code.hash) },
    },
  ];
  const split = twoVersionSplit(desired.traffic, {
    adapter: 'lambda',
    target: api.o.target,
    functionName: name,
    limit:
      'a Lambda alias routes to at most 2 versions (RoutingConfig.AdditionalVersionWeights names one more)',
  });
  manifests.push({
    name: `${name}.alias-${mainAlias}.json`,
    format: 'json',
    request: { method: 'POST', path: `${fnPath}/aliases` },
    content: {
      Name: mainAlias,
      // Lambda numbers versions when it publishes them; the label stands for that number here.
      FunctionVersion: `<version of ${split.main}>`,
      Description: aliasDescription(),
      RoutingConfig: {
        AdditionalVersionWeights: split.additional
          ? { [`<version of ${split.additional.label}>`]: split.additional.weight / 100 }
          : {},
      },
    },
  });
  for (const t of desired.traffic.filter((e) => e.tag))
    manifests.push({
      name: `${name}.alias-${t.tag}.json`,
      format: 'json',
      request: { method: 'POST', path: `${fnPath}/aliases` },
      content: {
        Name: t.tag,
        FunctionVersion: `<version of ${t.revision}>`,
        Description: aliasDescription(t.tag),
      },
    });
  const url = desiredUrl(desired);
  if (url)
    manifests.push({
      name: `${name}.function-url.json`,
      format: 'json',
      request: { method: 'POST', path: `/2021-10-31/functions/${name}/url?Qualifier=${mainAlias}` },
      content: url,
    });
  const reserved = desiredReserved(desired);
  if (reserved !== undefined)
    manifests.push({
      name: `${name}.concurrency.json`,
      format: 'json',
      request: { method: 'PUT', path: `/2017-10-31/functions/${name}/concurrency` },
      content: { ReservedConcurrentExecutions: reserved },
    });
  if (fn.scaling.min > 0)
    manifests.push({
      name: `${name}.provisioned-concurrency.json`,
      format: 'json',
      request: {
        method: 'PUT',
        path: `/2019-09-30/functions/${name}/provisioned-concurrency?Qualifier=${mainAlias}`,
      },
      content: { ProvisionedConcurrentExecutions: fn.scaling.min },
    });
  for (const s of desiredSchedules(fn, api.o))
    manifests.push({
      name: `${name}.schedule-${s.Name}.json`,
      format: 'json',
      request: { method: 'POST', path: `/schedules/${s.Name}` },
      content: {
        ScheduleExpression: s.ScheduleExpression,
        ScheduleExpressionTimezone: s.ScheduleExpressionTimezone,
        State: s.State,
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: {
          Arn: `arn:aws:lambda:${api.o.region}:<account>:function:${name}:${mainAlias}`,
          RoleArn: s.RoleArn,
          Input: s.Input,
        },
      },
    });
  for (const m of desiredMappings(fn, api.o))
    manifests.push({
      name: `${name}.event-source-mapping-${m.topic}.json`,
      format: 'json',
      request: { method: 'POST', path: '/2015-03-31/event-source-mappings' },
      content: {
        FunctionName: `${name}:${mainAlias}`,
        EventSourceArn: m.EventSourceArn,
        BatchSize: m.BatchSize,
        Enabled: true,
      },
    });
  for (const [bucket, entries] of desiredNotifications(fn)) {
    manifests.push({
      name: `${name}.s3-permission-${bucket}.json`,
      format: 'json',
      request: { method: 'POST', path: `/2015-03-31/functions/${name}/policy?Qualifier=${mainAlias}` },
      content: {
        StatementId: permissionSid(bucket),
        Action: 'lambda:InvokeFunction',
        Principal: 's3.amazonaws.com',
        SourceArn: `arn:aws:s3:::${bucket}`,
        SourceAccount: '<account>',
      },
    });
    // Merged into the bucket's existing configuration at deploy time: its other entries stay.
    manifests.push({
      name: `${name}.s3-notification-${bucket}.json`,
      format: 'json',
      request: { method: 'PUT', path: `/${bucket}?notification` },
      content: {
        LambdaFunctionConfigurations: entries.map((e) => ({
          Id: e.Id,
          LambdaFunctionArn: `arn:aws:lambda:${api.o.region}:<account>:function:${name}:${mainAlias}`,
          Events: e.Events,
          ...(Object.keys(e.rules).length
            ? {
                Filter: {
                  Key: { FilterRules: Object.entries(e.rules).map(([Name, Value]) => ({ Name, Value })) },
                },
              }
            : {}),
        })),
      },
    });
  }
  return manifests;
}
