/** Listing and removing Lambda functions. */
import {
  DeleteEventSourceMappingCommand,
  DeleteFunctionCommand,
  ListFunctionsCommand,
} from '@aws-sdk/client-lambda';
import { DeleteScheduleCommand } from '@aws-sdk/client-scheduler';
import type { AdapterContext, FunctionSummary } from '@faasport/core';
import { parseDescription } from './code';
import { accountOf, functionArn, type LambdaApi, mainAlias, send, sendOrUndefined } from './context';
import { listMappings, listSchedules, liveOf, readRaw } from './live';
import { syncBucket } from './storage';

/** The faasport-managed functions of the region (those whose description carries faasport's marker). */
export async function list(api: LambdaApi, _ctx?: AdapterContext): Promise<FunctionSummary[]> {
  const out: FunctionSummary[] = [];
  let marker: string | undefined;
  do {
    const page = await send('ListFunctions', () =>
      api.lambda.send(new ListFunctionsCommand({ ...(marker ? { Marker: marker } : {}) })),
    );
    for (const f of page.Functions ?? []) {
      if (!f.FunctionName || !parseDescription(f.Description).marker) continue;
      const raw = await readRaw(api, f.FunctionName);
      if (!raw) continue;
      const live = liveOf(api, f.FunctionName, raw);
      out.push({
        name: f.FunctionName,
        ...(live.url ? { url: live.url } : {}),
        revisions: live.revisions.length,
        traffic: live.traffic,
      });
    }
    marker = page.NextMarker;
  } while (marker);
  return out.sort((a, b) => (a.name < b.name ? -1 : 1));
}

/**
 * Deletes a function with what faasport made for it: its schedules, event source mappings and bucket
 * notifications first (they
 * outlive the function otherwise), then the function, which takes its versions, aliases, URLs and
 * concurrency settings with it. Quiet when it does not exist.
 */
export async function remove(api: LambdaApi, name: string, _ctx?: AdapterContext): Promise<void> {
  const raw = await readRaw(api, name);
  if (!raw) return;
  for (const schedule of await listSchedules(api, functionArn(api, accountOf(raw.config.FunctionArn), name)))
    await sendOrUndefined('DeleteSchedule', () =>
      api.scheduler.send(new DeleteScheduleCommand({ Name: schedule.Name! })),
    );
  const account = accountOf(raw.config.FunctionArn);
  const aliasArn = functionArn(api, account, name, mainAlias);
  // Bucket notifications outlive the function too; a bucket's other entries stay.
  for (const { bucket } of raw.storage)
    await syncBucket(api, { name, bucket, aliasArn, account, addPermission: false }, []);
  for (const mapping of [
    ...(await listMappings(api, `${name}:${mainAlias}`)),
    ...(await listMappings(api, name)),
  ])
    await sendOrUndefined('DeleteEventSourceMapping', () =>
      api.lambda.send(new DeleteEventSourceMappingCommand({ UUID: mapping.UUID! })),
    );
  await sendOrUndefined('DeleteFunction', () =>
    api.lambda.send(new DeleteFunctionCommand({ FunctionName: name })),
  );
}
