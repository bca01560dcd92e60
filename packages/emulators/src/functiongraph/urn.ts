import { FgApiError, fgErrors } from './errors';

/** A function reference parsed from a `{function_urn}` path parameter. */
export interface FunctionRef {
  package: string;
  name: string;
  /** `latest`, a version, `!alias`, or undefined when the URN names no qualifier. */
  qualifier?: string;
}

/**
 * Normalises every URN form FunctionGraph accepts as `{function_urn}` (reference B2): the full
 * `urn:fss:<region>:<project>:function:<package>:<name>[:<qualifier>]`, and the simplified forms
 * `name`, `package:name`, `project:package:name`, `project:package:name:qualifier`.
 */
export function parseFunctionUrn(raw: string, projectId: string): FunctionRef {
  const text = decodeURIComponent(raw);
  const parts = text.split(':');
  if (text.startsWith('urn:fss:')) {
    if ((parts.length !== 7 && parts.length !== 8) || parts[4] !== 'function') throw invalidUrn(text);
    if (parts[3] !== projectId)
      throw fgErrors.forbidden('FSS.0403', `The URN ${text} belongs to another project.`);
    return { package: parts[5]!, name: parts[6]!, ...(parts[7] ? { qualifier: parts[7] } : {}) };
  }
  switch (parts.length) {
    case 1:
      return { package: 'default', name: parts[0]! };
    case 2:
      return { package: parts[0]!, name: parts[1]! };
    case 3:
      if (parts[0] !== projectId) throw invalidUrn(text);
      return { package: parts[1]!, name: parts[2]! };
    case 4:
      if (parts[0] !== projectId) throw invalidUrn(text);
      return { package: parts[1]!, name: parts[2]!, qualifier: parts[3]! };
    default:
      throw invalidUrn(text);
  }
}

function invalidUrn(text: string) {
  return new FgApiError(400, 'FSS.1309', `Invalid function URN: ${text}`);
}

/** The unqualified URN of a function. */
export function functionUrn(region: string, projectId: string, pkg: string, name: string): string {
  return `urn:fss:${region}:${projectId}:function:${pkg}:${name}`;
}
