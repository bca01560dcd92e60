import type { Json } from './context';
import type { AliasRecord, DomainRecord, FunctionRecord, ServiceRecord, VersionRecord } from './state';

/** A service as the API returns it. */
export function serviceView(svc: ServiceRecord): Json {
  return {
    serviceId: svc.serviceId,
    serviceName: svc.serviceName,
    ...svc.fields,
    createdTime: svc.createdTime,
    lastModifiedTime: svc.lastModifiedTime,
  };
}

/** A function as the API returns it (without its code bytes). */
export function functionView(fn: FunctionRecord): Json {
  const { zip: _zip, oss: _oss, ...rest } = fn;
  return {
    ...rest,
    customContainerConfig: fn.customContainerConfig ?? null,
    initializer: fn.initializer ?? '',
  };
}

/** A version as the API returns it. */
export function versionView(v: VersionRecord): Json {
  return {
    versionId: v.versionId,
    description: v.description,
    createdTime: v.createdTime,
    lastModifiedTime: v.lastModifiedTime,
  };
}

/** An alias as the API returns it (without the routing cursor). */
export function aliasView(a: AliasRecord): Json {
  const { cursor: _cursor, ...rest } = a;
  return rest;
}

/** The provision config of a function at a qualifier (target 0 when none is set). */
export function provisionView(
  accountId: string,
  svc: ServiceRecord,
  qualifier: string,
  fnName: string,
): Json {
  const p = svc.provision.get(`${qualifier}/${fnName}`);
  // The resource string format was not verified against a live response.
  return {
    resource: `${accountId}#${svc.serviceName}#${qualifier}#${fnName}`,
    target: p?.target ?? 0,
    current: p?.target ?? 0,
    ...(p?.extra ?? {}),
  };
}

/** A custom domain as the API returns it. */
export function domainView(accountId: string, d: DomainRecord): Json {
  return {
    domainName: d.domainName,
    accountId,
    apiVersion: '2016-08-15',
    ...d.fields,
    createdTime: d.createdTime,
    lastModifiedTime: d.lastModifiedTime,
  };
}
