/**
 * Kubernetes `Status` errors. Every failure a request can meet is one of these, so handlers never
 * hand-write status codes and clients (kubectl, client-node) always get a `metav1.Status` body with
 * the reason and message texts kube-apiserver uses (k8s.io/apimachinery/pkg/api/errors).
 */

export type StatusReason =
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Invalid'
  | 'BadRequest'
  | 'Expired'
  | 'Gone'
  | 'MethodNotAllowed'
  | 'UnsupportedMediaType'
  | 'NotAcceptable'
  | 'RequestEntityTooLarge'
  | 'Unauthorized'
  | 'Forbidden'
  | 'Timeout'
  | 'TooManyRequests'
  | 'InternalError'
  | 'ServiceUnavailable';

/** One field problem, as in `Status.details.causes[]`. */
export interface StatusCause {
  reason: string;
  message: string;
  field: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never> | { resourceVersion?: string };
  status: 'Failure' | 'Success';
  message?: string;
  reason?: StatusReason;
  details?: StatusDetails;
  code: number;
}

/** A request failure carrying the Status it should be answered with. */
export class StatusError extends Error {
  constructor(
    readonly code: number,
    readonly reason: StatusReason,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
    this.name = 'StatusError';
  }

  toStatus(): Status {
    const status: Status = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      code: this.code,
    };
    if (this.details) status.details = this.details;
    return status;
  }
}

/** Identifies a resource in error messages: `pods`, or `ingresses.networking.k8s.io`. */
export interface ResourceRef {
  group: string;
  plural: string;
}

function qualified(r: ResourceRef): string {
  return r.group ? `${r.plural}.${r.group}` : r.plural;
}

function refDetails(r: ResourceRef, name: string): StatusDetails {
  return r.group ? { name, group: r.group, kind: r.plural } : { name, kind: r.plural };
}

export const errors = {
  notFound: (r: ResourceRef, name: string) =>
    new StatusError(404, 'NotFound', `${qualified(r)} "${name}" not found`, refDetails(r, name)),
  pathNotFound: () => new StatusError(404, 'NotFound', 'the server could not find the requested resource', {}),
  alreadyExists: (r: ResourceRef, name: string) =>
    new StatusError(409, 'AlreadyExists', `${qualified(r)} "${name}" already exists`, refDetails(r, name)),
  conflict: (
    r: ResourceRef,
    name: string,
    why = 'the object has been modified; please apply your changes to the latest version and try again',
  ) =>
    new StatusError(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${qualified(r)} "${name}": ${why}`,
      refDetails(r, name),
    ),
  invalid: (kind: string, group: string, name: string, causes: StatusCause[]) =>
    new StatusError(422, 'Invalid', `${kind}${group ? `.${group}` : ''} "${name}" is invalid: ${summarize(causes)}`, {
      name,
      ...(group ? { group } : {}),
      kind,
      causes,
    }),
  badRequest: (message: string) => new StatusError(400, 'BadRequest', message),
  /** A body naming another object than its URL (upstream's rest.BeforeUpdate and apply checks); no name shows as empty. */
  nameMismatch: (objectName: string | undefined, urlName: string) =>
    new StatusError(
      400,
      'BadRequest',
      `the name of the object (${objectName ?? ''}) does not match the name on the URL (${urlName})`,
    ),
  expired: (message: string) => new StatusError(410, 'Expired', message),
  methodNotAllowed: (message = 'the server does not allow this method on the requested resource') =>
    new StatusError(405, 'MethodNotAllowed', message),
  unsupportedMediaType: (contentType: string, accepted: readonly string[]) =>
    new StatusError(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
      {
        causes: [
          {
            reason: 'UnsupportedMediaType',
            message: `unsupported media type ${JSON.stringify(contentType)}`,
            field: '',
          },
        ],
      },
    ),
  tooLarge: (limitBytes: number) =>
    new StatusError(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${limitBytes}`),
  forbidden: (message: string) => new StatusError(403, 'Forbidden', message),
  namespaceTerminating: (namespace: string) =>
    new StatusError(
      403,
      'Forbidden',
      `unable to create new content in namespace ${namespace} because it is being terminated`,
      {
        causes: [
          {
            reason: 'NamespaceTerminating',
            message: `namespace ${namespace} is being terminated`,
            field: 'metadata.namespace',
          },
        ],
      },
    ),
  unauthorized: () => new StatusError(401, 'Unauthorized', 'Unauthorized'),
  internal: (message: string) => new StatusError(500, 'InternalError', `Internal error occurred: ${message}`),
  unavailable: (message: string) => new StatusError(503, 'ServiceUnavailable', message),
  timeout: (message: string) => new StatusError(504, 'Timeout', message),
};

/** kube-apiserver's `ErrorList.ToAggregate()` text: one cause alone, or `[a, b]` for several. */
function summarize(causes: StatusCause[]): string {
  const parts = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message));
  return parts.length === 1 ? parts[0] : `[${parts.join(', ')}]`;
}

/** Builders for field errors, mirroring k8s.io/apimachinery/pkg/util/validation/field. */
export const fieldError = {
  required: (field: string, detail = '') => ({
    reason: 'FieldValueRequired',
    message: detail ? `Required value: ${detail}` : 'Required value',
    field,
  }),
  invalid: (field: string, value: unknown, detail: string) => ({
    reason: 'FieldValueInvalid',
    message: `Invalid value: ${JSON.stringify(value)}: ${detail}`,
    field,
  }),
  unsupported: (field: string, value: unknown, allowed: readonly string[]) => ({
    reason: 'FieldValueNotSupported',
    message: `Unsupported value: ${JSON.stringify(value)}: supported values: ${allowed.map((a) => `"${a}"`).join(', ')}`,
    field,
  }),
  duplicate: (field: string, value: unknown) => ({
    reason: 'FieldValueDuplicate',
    message: `Duplicate value: ${JSON.stringify(value)}`,
    field,
  }),
  forbidden: (field: string, detail: string) => ({
    reason: 'FieldValueForbidden',
    message: `Forbidden: ${detail}`,
    field,
  }),
  tooLong: (field: string, max: number) => ({
    reason: 'FieldValueTooLong',
    message: `Too long: may not be more than ${max} bytes`,
    field,
  }),
  immutable: (field: string) => ({ reason: 'FieldValueInvalid', message: 'Invalid value: field is immutable', field }),
} satisfies Record<string, (...args: never[]) => StatusCause>;
