import type { DesiredState, Manifest } from '@faasport/core';
import { twoVersionSplit } from '@faasport/core/toolkit';
import { codeOf, domainBodyOf, functionConfigOf, markers, serviceBodyOf, triggerBodyOf } from './mapping';
import { desiredNames, type PlanContext } from './plan';
import { fcSplitLimit } from './traffic';

/**
 * The FC 2.0 request bodies a first deploy sends, as JSON manifests with their method and path, in
 * the order to send them: each can be sent as it is (e.g. with fc2's `client.request`). The code
 * package is the real base64 zip (with the shim), as CreateFunction takes it. Secret values appear
 * as references, never as values.
 *
 * Version ids: a deploy into a new service of its own publishes version `1` (FC numbers versions per
 * service from 1), so aliases of the deployed revision name `1`. Other revisions, and revisions
 * of a shared service (`providers.fc.service`), have ids known only once published: they appear as
 * `<FC version of revision ...>` and must be filled in before sending.
 */
export function renderManifests(desired: DesiredState, ctx: PlanContext): Manifest[] {
  const fn = desired.fn;
  const names = desiredNames(desired);
  const out: Manifest[] = [];
  const json = (name: string, method: string, path: string, content: unknown): Manifest => ({
    name: `${fn.name}.${name}.json`,
    format: 'json',
    content,
    request: { method, path: `/2016-08-15${path}` },
  });
  out.push(json('create-service', 'POST', '/services', serviceBodyOf(fn, names)));
  const body = functionConfigOf(desired);
  const env = { ...(body.environmentVariables as Record<string, string>) };
  for (const [name, ref] of Object.entries(fn.secrets)) {
    env[name] =
      'fromEnv' in ref ? `<secret: environment variable ${ref.fromEnv}>` : `<secret: file ${ref.fromFile}>`;
  }
  const code = codeOf(desired);
  out.push(
    json('create-function', 'POST', `/services/${names.service}/functions`, {
      ...body,
      environmentVariables: env,
      ...(code ? { code } : {}),
    }),
  );
  out.push(
    json('publish-version', 'POST', `/services/${names.service}/versions`, {
      description: markers.version(fn.name, desired.revisionLabel, desired.revisionHash),
    }),
  );
  const versionOf = (revision: string) =>
    revision === desired.revisionLabel && names.dedicated ? '1' : `<FC version of revision ${revision}>`;
  if (desired.traffic.some((t) => t.percent > 0)) {
    const { main, additional } = twoVersionSplit(desired.traffic, {
      adapter: 'fc',
      target: 'fc',
      functionName: fn.name,
      limit: fcSplitLimit,
    });
    out.push(
      json('create-alias-main', 'POST', `/services/${names.service}/aliases`, {
        aliasName: names.mainAlias,
        versionId: versionOf(main),
        description: markers.mainAlias(fn.name),
        additionalVersionWeight: additional ? { [versionOf(additional.label)]: additional.weight / 100 } : {},
      }),
    );
  }
  for (const t of desired.traffic) {
    if (!t.tag) continue;
    out.push(
      json(`create-alias-${t.tag}`, 'POST', `/services/${names.service}/aliases`, {
        aliasName: names.tagAlias(t.tag),
        versionId: versionOf(t.revision),
        description: markers.tagAlias(fn.name, t.tag, t.percent > 0),
      }),
    );
  }
  for (const t of fn.triggers) {
    if (t.kind === 'event' || (t.kind === 'queue' && !ctx.queues?.[t.topic])) continue;
    out.push(
      json(
        `create-trigger-${t.name}`,
        'POST',
        `/services/${names.service}/functions/${fn.name}/triggers`,
        triggerBodyOf(t, fn, names, ctx),
      ),
    );
  }
  if (fn.scaling.min > 0) {
    out.push(
      json(
        'put-provision-config',
        'PUT',
        `/services/${names.service}.${names.mainAlias}/functions/${fn.name}/provision-config`,
        { target: fn.scaling.min },
      ),
    );
  }
  for (const d of fn.domains)
    out.push(json(`create-custom-domain-${d.host}`, 'POST', '/custom-domains', domainBodyOf(d, names)));
  return out;
}
