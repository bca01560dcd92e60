import type { DesiredState, Manifest } from '@faasport/core';
import { crc64 } from './crc64';
import {
  codePackage,
  domainBodyOf,
  functionConfigOf,
  markers,
  serviceBodyOf,
  triggerBodyOf,
} from './mapping';
import { desiredNames, type PlanContext } from './plan';

/**
 * The FC 2.0 request bodies a deploy sends, as JSON manifests with their method and path. Secret
 * values appear as references; the code package appears as its size and checksum. Aliases name
 * revision labels, since FC version ids are only known once published.
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
  const zip = codePackage(desired);
  const code =
    fn.source.kind === 'bucket'
      ? { ossBucketName: fn.source.name, ossObjectName: fn.source.key }
      : zip
        ? { zipFile: `<base64 of the ${zip.length}-byte code package, codeChecksum ${crc64(zip)}>` }
        : undefined;
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
  const weighted = desired.traffic.filter((t) => t.percent > 0).sort((a, b) => b.percent - a.percent);
  const [main, extra] = weighted;
  if (main) {
    out.push(
      json('create-alias-main', 'POST', `/services/${names.service}/aliases`, {
        aliasName: names.mainAlias,
        versionId: `<FC version of revision ${main.revision}>`,
        description: markers.mainAlias(fn.name),
        additionalVersionWeight: extra
          ? { [`<FC version of revision ${extra.revision}>`]: extra.percent / 100 }
          : {},
      }),
    );
  }
  for (const t of desired.traffic) {
    if (!t.tag) continue;
    out.push(
      json(`create-alias-${t.tag}`, 'POST', `/services/${names.service}/aliases`, {
        aliasName: names.tagAlias(t.tag),
        versionId: `<FC version of revision ${t.revision}>`,
        description: markers.tagAlias(fn.name, t.tag, t.percent > 0),
      }),
    );
  }
  for (const t of fn.triggers) {
    if (t.kind === 'queue' || t.kind === 'event') continue;
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
