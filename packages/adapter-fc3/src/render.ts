import { markers } from '@faasport/adapter-fc';
import type { DesiredState, Manifest } from '@faasport/core';
import { codeOf, type Fc3Context, functionConfigOf, mainAlias, tagAlias, triggerBodyOf } from './mapping';
import { reservedConcurrencyOf } from './plan';

/**
 * The FC 3.0 request bodies a first deploy sends, with their method and path (API 2023-03-30), in the
 * order to send them; each can be sent as is. A new function's first published version is `1`; other
 * revisions appear as `<FC version of revision ...>`. Secret values appear as references, never values.
 */
export function renderManifests(desired: DesiredState, ctx: Fc3Context): Manifest[] {
  const fn = desired.fn;
  const base = `/2023-03-30/functions`;
  const json = (name: string, method: string, path: string, content: unknown): Manifest => ({
    name: `${fn.name}.${name}.json`,
    format: 'json',
    content,
    request: { method, path },
  });
  const body = functionConfigOf(desired, ctx);
  const env = { ...(body.environmentVariables as Record<string, string>) };
  for (const [name, ref] of Object.entries(fn.secrets))
    env[name] =
      'fromEnv' in ref ? `<secret: environment variable ${ref.fromEnv}>` : `<secret: file ${ref.fromFile}>`;
  const code = codeOf(desired);
  const out: Manifest[] = [
    json('create-function', 'POST', base, {
      functionName: fn.name,
      ...body,
      environmentVariables: env,
      ...(code ? { code } : {}),
    }),
    json('publish-version', 'POST', `${base}/${fn.name}/versions`, {
      description: markers.version(fn.name, desired.revisionLabel, desired.revisionHash),
    }),
  ];
  const versionOf = (revision: string) =>
    revision === desired.revisionLabel ? '1' : `<FC version of revision ${revision}>`;
  const [main, extra] = desired.traffic.filter((t) => t.percent > 0).sort((a, b) => b.percent - a.percent);
  if (main)
    out.push(
      json('create-alias-main', 'POST', `${base}/${fn.name}/aliases`, {
        aliasName: mainAlias,
        versionId: versionOf(main.revision),
        description: markers.mainAlias(fn.name),
        additionalVersionWeight: extra ? { [versionOf(extra.revision)]: extra.percent / 100 } : {},
      }),
    );
  for (const t of desired.traffic)
    if (t.tag)
      out.push(
        json(`create-alias-${t.tag}`, 'POST', `${base}/${fn.name}/aliases`, {
          aliasName: tagAlias(t.tag),
          versionId: versionOf(t.revision),
          description: markers.tagAlias(fn.name, t.tag, t.percent > 0),
        }),
      );
  for (const t of fn.triggers) {
    if (t.kind === 'event' || (t.kind === 'queue' && !ctx.queues?.[t.topic])) continue;
    const trigger = triggerBodyOf(t, fn, ctx);
    // CreateTriggerInput.triggerConfig is a JSON string.
    out.push(
      json(`create-trigger-${t.name}`, 'POST', `${base}/${fn.name}/triggers`, {
        ...trigger,
        triggerConfig: JSON.stringify(trigger.triggerConfig),
      }),
    );
  }
  if (fn.scaling.min > 0)
    out.push(
      json('scaling-config', 'PUT', `${base}/${fn.name}/scaling-config?qualifier=${mainAlias}`, {
        minInstances: fn.scaling.min,
      }),
    );
  const reserved = reservedConcurrencyOf(desired);
  if (reserved !== undefined)
    out.push(json('concurrency', 'PUT', `${base}/${fn.name}/concurrency`, { reservedConcurrency: reserved }));
  return out;
}
