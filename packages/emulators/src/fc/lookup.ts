import type { FcEmu } from './context';
import { fcErrors } from './errors';
import type { FunctionRecord, ServiceRecord } from './state';

/** The service of this name, or ServiceNotFound. */
export function findService(em: FcEmu, name: string): ServiceRecord {
  const svc = em.state.services.get(name);
  if (!svc) throw fcErrors.serviceNotFound(name);
  return svc;
}

/** The functions of a service as seen at a qualifier (LATEST, a version id or an alias's main version). */
export function functionsAt(svc: ServiceRecord, qualifier: string | undefined): Map<string, FunctionRecord> {
  if (!qualifier || qualifier === 'LATEST') return svc.functions;
  const versionId = /^\d+$/.test(qualifier) ? qualifier : svc.aliases.get(qualifier)?.versionId;
  if (!versionId) throw fcErrors.aliasNotFound(svc.serviceName, qualifier);
  const version = svc.versions.get(versionId);
  if (!version) throw fcErrors.versionNotFound(svc.serviceName, versionId);
  return version.functions;
}

/** The function of this name at a qualifier, or FunctionNotFound. */
export function fnAt(svc: ServiceRecord, qualifier: string | undefined, name: string): FunctionRecord {
  const fn = functionsAt(svc, qualifier).get(name);
  if (!fn) throw fcErrors.functionNotFound(svc.serviceName, name);
  return fn;
}

/** The qualifier, once checked to be LATEST, an existing version or an existing alias. */
export function checkQualifier(svc: ServiceRecord, qualifier: string): string {
  if (qualifier === 'LATEST') return qualifier;
  if (/^\d+$/.test(qualifier)) {
    if (!svc.versions.has(qualifier)) throw fcErrors.versionNotFound(svc.serviceName, qualifier);
  } else if (!svc.aliases.has(qualifier)) throw fcErrors.aliasNotFound(svc.serviceName, qualifier);
  return qualifier;
}

/** `name.qualifier` → `[name, qualifier]`. */
export function splitQualifier(segment: string): [string, string | undefined] {
  const i = segment.indexOf('.');
  return i < 0 ? [segment, undefined] : [segment.slice(0, i), segment.slice(i + 1)];
}
