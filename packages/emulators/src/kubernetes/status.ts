/**
 * Kubernetes `Status` error objects, shaped as k8s.io/apimachinery's `errors.go` builds them, so
 * `@kubernetes/client-node` turns them into `ApiException`s exactly as it does against a real server.
 */
import { qualifiedName, type ResourceType } from './resources';

/** A cause inside `details.causes`. */
export interface StatusCause {
  reason?: string;
  type?: string;
  message: string;
  field?: string;
}

/** An API error with its HTTP code and Status body. */
export class KubeApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: { name?: string; group?: string; kind?: string; causes?: StatusCause[] },
  ) {
    super(message);
  }

  /** The `Status` object sent as the response body. */
  toStatus(): Record<string, unknown> {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      ...(this.details ? { details: this.details } : {}),
      code: this.code,
    };
  }
}

const detailsOf = (t: ResourceType, name: string) => ({
  name,
  ...(t.group ? { group: t.group } : {}),
  kind: t.plural,
});

/** 404 for a missing object: `services.serving.knative.dev "hello" not found`. */
export const notFound = (t: ResourceType, name: string) =>
  new KubeApiError(404, 'NotFound', `${qualifiedName(t)} "${name}" not found`, detailsOf(t, name));

/** 404 for a path the server does not serve. */
export const unknownPath = () =>
  new KubeApiError(404, 'NotFound', 'the server could not find the requested resource');

/** 409 when the name is taken. */
export const alreadyExists = (t: ResourceType, name: string) =>
  new KubeApiError(409, 'AlreadyExists', `${qualifiedName(t)} "${name}" already exists`, detailsOf(t, name));

/** 409 for a stale `resourceVersion`. */
export const conflict = (t: ResourceType, name: string) =>
  new KubeApiError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualifiedName(t)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    detailsOf(t, name),
  );

/** 422 with field causes, as the apiserver reports invalid objects. */
export function invalid(
  t: ResourceType,
  name: string,
  causes: StatusCause[],
  kindName = t.plural,
): KubeApiError {
  const group = t.group ? `.${t.group}` : '';
  const text = causes.map((c) => `${c.field}: ${c.message}`).join(', ');
  return new KubeApiError(422, 'Invalid', `${kindName}${group} "${name}" is invalid: ${text}`, {
    name,
    ...(t.group ? { group: t.group } : {}),
    kind: kindName,
    causes: causes.map((c) => ({ reason: c.reason ?? 'FieldValueInvalid', ...c })),
  });
}

/** 400 BadRequest. */
export const badRequest = (message: string) => new KubeApiError(400, 'BadRequest', message);

/** 400 from a Knative validating webhook, worded as the apiserver wraps a webhook denial. */
export const webhookDenied = (webhook: string, message: string) =>
  new KubeApiError(
    400,
    'BadRequest',
    `admission webhook "${webhook}" denied the request: validation failed: ${message}`,
  );

/** 415 for a patch content type the resource does not take. */
export const unsupportedMediaType = (
  contentType: string,
  accepted = ['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml'],
) =>
  new KubeApiError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')} (got ${contentType || 'none'})`,
  );
