import { randomBytes } from 'node:crypto';
import type { FcCall, FcEmu, Json, Reply } from './context';
import { fcErrors } from './errors';
import { findService, fnAt, functionsAt, splitQualifier } from './lookup';
import { checkEtag, ok, withEtag } from './respond';
import { createFunctionSchema, parseBody, provisionSchema, updateFunctionSchema } from './schemas';
import { crc64, type FunctionRecord, fcTime, newId, paginate, type ServiceRecord } from './state';
import { functionView, provisionView } from './views';

/**
 * The function endpoints: functions of a service, a function, its code download and its provision
 * configs; undefined when the call is not one of them.
 */
export function functionsApi(em: FcEmu, call: FcCall): Reply | undefined {
  const { method, route, params: a, query: q } = call;
  if (route === '/services/*/functions') {
    const [name, qualifier] = splitQualifier(a[0]!);
    const svc = findService(em, name);
    if (method === 'POST' && !qualifier) return createFunction(svc, call.body());
    if (method === 'GET') {
      const fns = functionsAt(svc, qualifier);
      const { page, nextToken } = paginate([...fns.values()], (f) => f.functionName, q);
      return ok({ functions: page.map(functionView), ...(nextToken ? { nextToken } : {}) });
    }
  }
  if (route === '/services/*/functions/*') {
    const [name, qualifier] = splitQualifier(a[0]!);
    const svc = findService(em, name);
    const fn = fnAt(svc, qualifier, a[1]!);
    if (method === 'GET') return withEtag(functionView(fn));
    if (qualifier) throw fcErrors.pathNotSupported(method, call.path);
    if (method === 'PUT') return updateFunction(svc, fn, call.body(), call.ifMatch);
    if (method === 'DELETE') {
      checkEtag(call.ifMatch, functionView(fn));
      if (svc.triggers.get(fn.functionName)?.size) throw fcErrors.functionNotEmpty(fn.functionName);
      svc.functions.delete(fn.functionName);
      svc.triggers.delete(fn.functionName);
      for (const key of [...em.state.asyncConfigs.keys()])
        if (key.startsWith(`${svc.serviceName}/`) && key.endsWith(`/${fn.functionName}`))
          em.state.asyncConfigs.delete(key);
      for (const key of [...svc.provision.keys()])
        if (key.endsWith(`/${fn.functionName}`)) svc.provision.delete(key);
      svc.changedSincePublish = true;
      return { status: 204 };
    }
  }
  if (route === '/services/*/functions/*/code' && method === 'GET') {
    const [name, qualifier] = splitQualifier(a[0]!);
    const fn = fnAt(findService(em, name), qualifier, a[1]!);
    if (!fn.zip)
      throw fcErrors.invalidArgument(`function '${fn.functionName}' has no code package to download`);
    const token = randomBytes(16).toString('hex');
    em.codeLinks.set(token, fn.zip);
    // Real FC answers a signed OSS URL; the emulator serves the zip itself.
    return ok({ url: `${em.options.baseUrl()}/_emulator/code/${token}`, checksum: fn.codeChecksum });
  }
  // Provisioned instances
  if (route === '/services/*/functions/*/provision-config') {
    const [name, qualifier] = splitQualifier(a[0]!);
    const svc = findService(em, name);
    const fn = fnAt(svc, undefined, a[1]!);
    if (!qualifier || /^\d+$/.test(qualifier))
      throw fcErrors.invalidArgument('provision config needs an alias or LATEST as qualifier');
    if (qualifier !== 'LATEST' && !svc.aliases.has(qualifier))
      throw fcErrors.aliasNotFound(svc.serviceName, qualifier);
    const key = `${qualifier}/${fn.functionName}`;
    if (method === 'PUT') {
      const { target, ...extra } = parseBody(provisionSchema, call.body());
      if (target === 0) svc.provision.delete(key);
      else svc.provision.set(key, { target, extra });
      return ok(provisionView(em.options.accountId, svc, qualifier, fn.functionName));
    }
    // GET of a function without provisioned instances: answered as target 0 (not verified against FC).
    if (method === 'GET') return ok(provisionView(em.options.accountId, svc, qualifier, fn.functionName));
  }
  if (route === '/provision-configs' && method === 'GET') {
    const out: Json[] = [];
    for (const svc of em.state.services.values()) {
      if (q.get('serviceName') && q.get('serviceName') !== svc.serviceName) continue;
      for (const key of svc.provision.keys()) {
        const [qual, fnName] = key.split('/') as [string, string];
        if (q.get('qualifier') && q.get('qualifier') !== qual) continue;
        out.push(provisionView(em.options.accountId, svc, qual, fnName));
      }
    }
    return ok({ provisionConfigs: out });
  }
  return undefined;
}

function createFunction(svc: ServiceRecord, input: Json): Reply {
  const parsed = parseBody(createFunctionSchema, input);
  if (svc.functions.has(parsed.functionName))
    throw fcErrors.functionExists(svc.serviceName, parsed.functionName);
  const now = fcTime();
  const fn: FunctionRecord = {
    functionId: newId(),
    functionName: parsed.functionName,
    description: '',
    runtime: parsed.runtime,
    handler: parsed.handler,
    initializationTimeout: 3,
    timeout: 60,
    memorySize: 128,
    instanceConcurrency: 1,
    environmentVariables: {},
    caPort: 9000,
    instanceType: 'e1',
    layers: [],
    codeSize: 0,
    codeChecksum: '',
    createdTime: now,
    lastModifiedTime: now,
  };
  applyFunctionFields(fn, parsed);
  svc.functions.set(fn.functionName, fn);
  svc.changedSincePublish = true;
  return withEtag(functionView(fn));
}

function updateFunction(
  svc: ServiceRecord,
  fn: FunctionRecord,
  input: Json,
  ifMatch: string | undefined,
): Reply {
  checkEtag(ifMatch, functionView(fn));
  const parsed = parseBody(updateFunctionSchema, input);
  const next: FunctionRecord = { ...fn };
  applyFunctionFields(next, parsed);
  if (next.runtime === 'custom-container' ? !next.customContainerConfig : !next.zip && !next.oss) {
    throw fcErrors.invalidArgument(
      'a function needs code, or customContainerConfig for runtime custom-container',
    );
  }
  next.lastModifiedTime = fcTime();
  svc.functions.set(fn.functionName, next);
  svc.changedSincePublish = true;
  return withEtag(functionView(next));
}

function applyFunctionFields(fn: FunctionRecord, input: Record<string, unknown>): void {
  const {
    code,
    functionName: _ignored,
    ...fields
  } = input as { code?: { zipFile?: string; ossBucketName?: string; ossObjectName?: string } } & Record<
    string,
    unknown
  >;
  for (const [k, v] of Object.entries(fields))
    if (v !== undefined) (fn as unknown as Record<string, unknown>)[k] = v;
  if (code?.zipFile !== undefined) {
    const zip = new Uint8Array(Buffer.from(code.zipFile, 'base64'));
    if (zip.length < 4 || zip[0] !== 0x50 || zip[1] !== 0x4b)
      throw fcErrors.invalidArgument('code.zipFile is not a base64-encoded zip file');
    fn.zip = zip;
    delete fn.oss;
    fn.codeSize = zip.length;
    fn.codeChecksum = crc64(zip);
  } else if (code?.ossBucketName) {
    fn.oss = { bucket: code.ossBucketName, object: code.ossObjectName! };
    delete fn.zip;
    fn.codeSize = 0;
    fn.codeChecksum = crc64(new TextEncoder().encode(`${code.ossBucketName}/${code.ossObjectName}`));
  }
}
