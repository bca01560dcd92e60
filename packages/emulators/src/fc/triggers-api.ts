import type { FcCall, FcEmu, Json, Reply } from './context';
import { fcErrors } from './errors';
import { checkQualifier, findService, fnAt } from './lookup';
import { checkEtag, ok, withEtag } from './respond';
import { createTriggerSchema, parseBody, triggerConfigSchemas, updateTriggerSchema } from './schemas';
import {
  type FunctionRecord,
  fcTime,
  newId,
  paginate,
  type ServiceRecord,
  type TriggerRecord,
} from './state';

/** The trigger endpoints of a function; undefined when the call is not one of them. */
export function triggersApi(em: FcEmu, call: FcCall): Reply | undefined {
  const { method, route, params: a } = call;
  if (route === '/services/*/functions/*/triggers') {
    const svc = findService(em, a[0]!);
    const fn = fnAt(svc, undefined, a[1]!);
    if (method === 'POST') return createTrigger(svc, fn, call.body());
    if (method === 'GET') {
      const { page, nextToken } = paginate(
        [...(svc.triggers.get(fn.functionName)?.values() ?? [])],
        (t) => t.triggerName,
        call.query,
      );
      return ok({ triggers: page, ...(nextToken ? { nextToken } : {}) });
    }
  }
  if (route === '/services/*/functions/*/triggers/*') {
    const svc = findService(em, a[0]!);
    const fn = fnAt(svc, undefined, a[1]!);
    const triggers = svc.triggers.get(fn.functionName) ?? new Map<string, TriggerRecord>();
    const t = triggers.get(a[2]!);
    if (!t) throw fcErrors.triggerNotFound(svc.serviceName, fn.functionName, a[2]!);
    if (method === 'GET') return withEtag(t);
    if (method === 'PUT') {
      checkEtag(call.ifMatch, t);
      const update = parseBody(updateTriggerSchema, call.body());
      if (update.triggerConfig !== undefined)
        t.triggerConfig = checkTriggerConfig(t.triggerType, update.triggerConfig);
      if (update.description !== undefined) t.description = update.description;
      if (update.qualifier !== undefined) t.qualifier = checkQualifier(svc, update.qualifier);
      if (update.invocationRole !== undefined) t.invocationRole = update.invocationRole;
      t.lastModifiedTime = fcTime();
      return withEtag(t);
    }
    if (method === 'DELETE') {
      checkEtag(call.ifMatch, t);
      triggers.delete(t.triggerName);
      return { status: 204 };
    }
  }
  return undefined;
}

function createTrigger(svc: ServiceRecord, fn: FunctionRecord, input: Json): Reply {
  const parsed = parseBody(createTriggerSchema, input);
  const triggers = svc.triggers.get(fn.functionName) ?? new Map<string, TriggerRecord>();
  svc.triggers.set(fn.functionName, triggers);
  if (triggers.has(parsed.triggerName))
    throw fcErrors.triggerExists(svc.serviceName, fn.functionName, parsed.triggerName);
  if (
    (parsed.triggerType === 'http' || parsed.triggerType === 'timer') &&
    (parsed.sourceArn || parsed.invocationRole)
  ) {
    throw fcErrors.invalidArgument(
      `sourceArn and invocationRole are not used by ${parsed.triggerType} triggers`,
    );
  }
  if (parsed.triggerType === 'oss' && !parsed.sourceArn)
    throw fcErrors.invalidArgument('an oss trigger needs sourceArn (acs:oss:<region>:<account>:<bucket>)');
  // CreateTrigger marks invocationRole required for event sources such as OSS (FC 2.0 API reference,
  // https://help.aliyun.com/zh/fc/developer-reference/api-createtrigger); the wording is not verified.
  if (parsed.triggerType === 'oss' && !parsed.invocationRole)
    throw fcErrors.invalidArgument(
      'an oss trigger needs invocationRole (the RAM role OSS assumes to invoke the function)',
    );
  if (
    parsed.triggerType === 'mns_topic' &&
    !/^acs:mns:[^:]+:[^:]+:\/topics\/[^/]+$/.test(parsed.sourceArn ?? '')
  )
    throw fcErrors.invalidArgument(
      'an mns_topic trigger needs sourceArn acs:mns:<region>:<account>:/topics/<topic>',
    );
  if (parsed.triggerType === 'mns_topic' && !parsed.invocationRole)
    throw fcErrors.invalidArgument(
      'an mns_topic trigger needs invocationRole (the RAM role MNS assumes to invoke the function)',
    );
  if (parsed.triggerType === 'http' && [...triggers.values()].some((t) => t.triggerType === 'http')) {
    throw fcErrors.invalidArgument(`function '${fn.functionName}' already has an http trigger`);
  }
  const now = fcTime();
  const t: TriggerRecord = {
    triggerName: parsed.triggerName,
    triggerId: newId(),
    triggerType: parsed.triggerType,
    description: parsed.description ?? '',
    ...(parsed.qualifier ? { qualifier: checkQualifier(svc, parsed.qualifier) } : {}),
    ...(parsed.sourceArn ? { sourceArn: parsed.sourceArn } : {}),
    ...(parsed.invocationRole ? { invocationRole: parsed.invocationRole } : {}),
    triggerConfig: checkTriggerConfig(parsed.triggerType, parsed.triggerConfig),
    createdTime: now,
    lastModifiedTime: now,
  };
  triggers.set(t.triggerName, t);
  return withEtag(t);
}

/** A trigger's configuration (an object or its JSON text), validated by its type's schema when one exists. */
function checkTriggerConfig(type: string, config: Record<string, unknown> | string): Record<string, unknown> {
  let value: unknown = config;
  if (typeof config === 'string') {
    try {
      value = JSON.parse(config);
    } catch {
      throw fcErrors.invalidArgument('triggerConfig is not valid JSON');
    }
  }
  const schema = triggerConfigSchemas[type];
  return (schema ? parseBody(schema, value) : value) as Record<string, unknown>;
}
