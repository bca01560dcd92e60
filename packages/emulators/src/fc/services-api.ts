import type { FcCall, FcEmu, Json, Reply } from './context';
import { fcErrors } from './errors';
import { findService, splitQualifier } from './lookup';
import { checkEtag, ok, withEtag } from './respond';
import { createServiceSchema, parseBody, updateServiceSchema } from './schemas';
import { fcTime, newId, paginate, type ServiceRecord } from './state';
import { serviceView } from './views';

/** The service endpoints (`/services`, `/services/{name}`); undefined when the call is not one of them. */
export function servicesApi(em: FcEmu, call: FcCall): Reply | undefined {
  const { method, route, params: a } = call;
  if (route === '/services') {
    if (method === 'POST') return createService(em, call.body());
    if (method === 'GET') {
      const { page, nextToken } = paginate([...em.state.services.values()], (s) => s.serviceName, call.query);
      return ok({ services: page.map(serviceView), ...(nextToken ? { nextToken } : {}) });
    }
  }
  if (route === '/services/*') {
    const [name, qualifier] = splitQualifier(a[0]!);
    const svc = findService(em, name);
    if (method === 'GET') return withEtag(serviceView(svc));
    if (qualifier) throw fcErrors.pathNotSupported(method, call.path);
    if (method === 'PUT') {
      checkEtag(call.ifMatch, serviceView(svc));
      Object.assign(svc.fields, parseBody(updateServiceSchema, call.body()));
      svc.lastModifiedTime = fcTime();
      return withEtag(serviceView(svc));
    }
    if (method === 'DELETE') {
      checkEtag(call.ifMatch, serviceView(svc));
      if (svc.functions.size) throw fcErrors.serviceNotEmpty(name);
      em.state.services.delete(name);
      em.state.tags.delete(name);
      return { status: 204 };
    }
  }
  return undefined;
}

function createService(em: FcEmu, input: Json): Reply {
  const { serviceName, ...fields } = parseBody(createServiceSchema, input);
  if (em.state.services.has(serviceName)) throw fcErrors.serviceExists(serviceName);
  const now = fcTime();
  const svc: ServiceRecord = {
    serviceId: newId(),
    serviceName,
    fields: { description: '', internetAccess: true, ...fields },
    createdTime: now,
    lastModifiedTime: now,
    functions: new Map(),
    triggers: new Map(),
    versions: new Map(),
    aliases: new Map(),
    provision: new Map(),
    nextVersion: 1,
    changedSincePublish: true,
  };
  em.state.services.set(serviceName, svc);
  return withEtag(serviceView(svc));
}
