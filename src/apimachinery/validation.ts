/**
 * Name, metadata and value rules of k8s.io/apimachinery (`util/validation`, `api/validation`,
 * `apis/meta/v1/validation`), with the same messages, so 422 bodies read like kube-apiserver's.
 *
 * The `is*` functions return the problems found as messages (empty = valid), like upstream;
 * the `validate*` functions turn them into `StatusCause`s at a field path.
 */
import { isIPv6 } from 'node:net';
import { isIPv4 } from '../net/ipv4.js';
import { fieldError, type StatusCause } from './errors.js';
import type { ObjectMeta, OwnerReference } from './object.js';

const dns1123LabelFmt = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const dns1123SubdomainFmt = `${dns1123LabelFmt}(\\.${dns1123LabelFmt})*`;
const dns1035LabelFmt = '[a-z]([-a-z0-9]*[a-z0-9])?';
const wildcardSubdomainFmt = `\\*\\.${dns1123SubdomainFmt}`;
const qualifiedNameFmt = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const labelValueFmt = `(${qualifiedNameFmt})?`;

const anchored = (fmt: string) => new RegExp(`^${fmt}$`);
const dns1123LabelRe = anchored(dns1123LabelFmt);
const dns1123SubdomainRe = anchored(dns1123SubdomainFmt);
const dns1035LabelRe = anchored(dns1035LabelFmt);
const wildcardSubdomainRe = anchored(wildcardSubdomainFmt);
const qualifiedNameRe = anchored(qualifiedNameFmt);
const labelValueRe = anchored(labelValueFmt);

const DNS1123_LABEL_MAX_LENGTH = 63;
const DNS1123_SUBDOMAIN_MAX_LENGTH = 253;
/** Upper bound on the summed byte length of all annotation keys and values. */
const TOTAL_ANNOTATION_SIZE_LIMIT_BYTES = 256 * 1024;

/** `must be no more than N characters`. */
function maxLenError(length: number): string {
  return `must be no more than ${length} characters`;
}

/** Upstream `RegexError`: the message, the examples and the regex, in apimachinery's exact layout. */
export function regexError(msg: string, fmt: string, ...examples: string[]): string {
  if (examples.length === 0) return `${msg} (regex used for validation is '${fmt}')`;
  const shown = examples.map((e, i) => `${i > 0 ? ' or ' : ''}'${e}', `).join('');
  return `${msg} (e.g. ${shown}regex used for validation is '${fmt}')`;
}

/** `must be between MIN and MAX, inclusive`. */
export function inclusiveRangeError(lo: number, hi: number): string {
  return `must be between ${lo} and ${hi}, inclusive`;
}

/** RFC 1123 label: lower-case alphanumerics and '-', at most 63 characters (namespace names, port names…). */
export function isDNS1123Label(value: string): string[] {
  const errs: string[] = [];
  if (value.length > DNS1123_LABEL_MAX_LENGTH) errs.push(maxLenError(DNS1123_LABEL_MAX_LENGTH));
  if (!dns1123LabelRe.test(value)) {
    errs.push(
      dns1123SubdomainRe.test(value)
        ? 'must not contain dots'
        : regexError(
            "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
            dns1123LabelFmt,
            'my-name',
            '123-abc',
          ),
    );
  }
  return errs;
}

/** RFC 1123 subdomain: dot-separated labels, at most 253 characters (most object names). */
export function isDNS1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (value.length > DNS1123_SUBDOMAIN_MAX_LENGTH) errs.push(maxLenError(DNS1123_SUBDOMAIN_MAX_LENGTH));
  if (!dns1123SubdomainRe.test(value)) {
    errs.push(
      regexError(
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
        dns1123SubdomainFmt,
        'example.com',
      ),
    );
  }
  return errs;
}

/** RFC 1035 label: like an RFC 1123 label but starting with a letter (Service names). */
export function isDNS1035Label(value: string): string[] {
  const errs: string[] = [];
  if (value.length > DNS1123_LABEL_MAX_LENGTH) errs.push(maxLenError(DNS1123_LABEL_MAX_LENGTH));
  if (!dns1035LabelRe.test(value)) {
    errs.push(
      regexError(
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character",
        dns1035LabelFmt,
        'my-name',
        'abc-123',
      ),
    );
  }
  return errs;
}

/** `*.` followed by an RFC 1123 subdomain (Ingress hosts). */
export function isWildcardDNS1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (value.length > DNS1123_SUBDOMAIN_MAX_LENGTH) errs.push(maxLenError(DNS1123_SUBDOMAIN_MAX_LENGTH));
  if (!wildcardSubdomainRe.test(value)) {
    errs.push(
      regexError(
        "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character",
        wildcardSubdomainFmt,
        '*.example.com',
      ),
    );
  }
  return errs;
}

const qualifiedNameErrMsg =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

/** `[prefix/]name` with a DNS-subdomain prefix: label and annotation keys, finalizers. */
export function isQualifiedName(value: string): string[] {
  const parts = value.split('/');
  if (parts.length > 2) {
    return [
      `a qualified name ${regexError(qualifiedNameErrMsg, qualifiedNameFmt, 'MyName', 'my.name', '123-abc')} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ];
  }
  const errs: string[] = [];
  const name = parts.length === 2 ? parts[1] : parts[0];
  if (parts.length === 2) {
    const prefix = parts[0];
    if (prefix.length === 0) errs.push('prefix part must be non-empty');
    else errs.push(...isDNS1123Subdomain(prefix).map((m) => `prefix part ${m}`));
  }
  if (name.length === 0) errs.push('name part must be non-empty');
  else if (name.length > 63) errs.push(`name part ${maxLenError(63)}`);
  if (!qualifiedNameRe.test(name))
    errs.push(`name part ${regexError(qualifiedNameErrMsg, qualifiedNameFmt, 'MyName', 'my.name', '123-abc')}`);
  return errs;
}

/** Label values: empty, or a qualified name part of at most 63 characters. */
export function isValidLabelValue(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) errs.push(maxLenError(63));
  if (!labelValueRe.test(value)) {
    errs.push(
      regexError(
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
        labelValueFmt,
        'MyValue',
        'my_value',
        '12345',
      ),
    );
  }
  return errs;
}

/** A name usable as one URL path segment: not `.`/`..`, no `/` or `%` (Events). */
export function isValidPathSegmentName(value: string): string[] {
  if (value === '.' || value === '..') return [`may not be '${value}'`];
  return isValidPathSegmentPrefix(value);
}

/** The `generateName` variant of `isValidPathSegmentName`. */
function isValidPathSegmentPrefix(value: string): string[] {
  return ['/', '%'].filter((c) => value.includes(c)).map((c) => `may not contain '${c}'`);
}

/** Port numbers 1–65535 (upstream `IsValidPortNum`). */
export function isValidPortNumber(port: number): string[] {
  return Number.isInteger(port) && port >= 1 && port <= 65535 ? [] : [inclusiveRangeError(1, 65535)];
}

/** IANA_SVC_NAME: at most 15 of [-a-z0-9], at least one letter, no `--`, no leading/trailing `-`. */
export function isValidPortName(port: string): string[] {
  const errs: string[] = [];
  if (port.length > 15) errs.push(maxLenError(15));
  if (!/^[-a-z0-9]+$/.test(port)) errs.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  else if (!/[a-z]/.test(port)) errs.push('must contain at least one letter (a-z)');
  if (port.includes('--')) errs.push('must not contain consecutive hyphens');
  if (port.startsWith('-') || port.endsWith('-')) errs.push('must not begin or end with a hyphen');
  return errs;
}

/** Dotted-quad IPv4 without leading zeros, as Go's `net.ParseIP` accepts it. */
export function isValidIPv4(s: string): boolean {
  return isIPv4(s);
}

/** An IPv4 or IPv6 address. */
export function isValidIP(s: string): boolean {
  return isValidIPv4(s) || isIPv6(s);
}

/** `address/prefix` with a valid IP and a prefix length that fits its family (host bits may be set, like Go). */
export function isValidCIDR(s: string): boolean {
  const [ip, prefix, ...rest] = s.split('/');
  if (rest.length > 0 || prefix === undefined || !/^\d{1,3}$/.test(prefix)) return false;
  const bits = Number(prefix);
  return (isValidIPv4(ip) && bits <= 32) || (isIPv6(ip) && bits <= 128);
}

/** Upstream message for a value that is not an IP address. */
const INVALID_IP_MESSAGE = 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)';
/** Upstream message for a value that is not a CIDR. */
export const INVALID_CIDR_MESSAGE = 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)';

/** The 16 bytes of an IPv6 address (or IPv4-mapped form of an IPv4 one); undefined if invalid. */
function ipBytes(s: string): number[] | undefined {
  if (isValidIPv4(s)) return [...Array(10).fill(0), 0xff, 0xff, ...s.split('.').map(Number)];
  if (!isIPv6(s)) return undefined;
  const [head, tail = ''] = s.split('::');
  const groups = (part: string) => (part ? part.split(':').flatMap(groupBytes) : []);
  const front = groups(head);
  const back = s.includes('::') ? groups(tail) : [];
  return [...front, ...Array(16 - front.length - back.length).fill(0), ...back];
}

function groupBytes(group: string): number[] {
  if (group.includes('.')) return group.split('.').map(Number);
  const n = parseInt(group, 16);
  return [n >> 8, n & 0xff];
}

/**
 * Addresses that make no sense as Endpoints or external IPs (upstream `ValidateEndpointIP`):
 * unspecified, loopback, link-local unicast and link-local multicast.
 */
export function validateEndpointIP(ip: string, path: string): StatusCause[] {
  const b = ipBytes(ip);
  if (!b) return [fieldError.invalid(path, ip, 'must be a valid IP address')];
  const v4 = b.slice(0, 12).every((x, i) => x === (i < 10 ? 0 : 0xff));
  const causes: StatusCause[] = [];
  const unspecified = v4 ? b.slice(12).every((x) => x === 0) : b.every((x) => x === 0);
  const loopback = v4 ? b[12] === 127 : b.slice(0, 15).every((x) => x === 0) && b[15] === 1;
  const linkLocal = v4 ? b[12] === 169 && b[13] === 254 : b[0] === 0xfe && (b[1] & 0xc0) === 0x80;
  const linkLocalMulticast = v4 ? b[12] === 224 && b[13] === 0 && b[14] === 0 : b[0] === 0xff && (b[1] & 0x0f) === 0x02;
  if (unspecified) causes.push(fieldError.invalid(path, ip, `may not be unspecified (${ip})`));
  if (loopback) causes.push(fieldError.invalid(path, ip, 'may not be in the loopback range (127.0.0.0/8, ::1/128)'));
  if (linkLocal)
    causes.push(fieldError.invalid(path, ip, 'may not be in the link-local range (169.254.0.0/16, fe80::/10)'));
  if (linkLocalMulticast)
    causes.push(fieldError.invalid(path, ip, 'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)'));
  return causes;
}

/** `Not found: "x"` (field.NotFound; not among the shared builders). */
export function notFound(field: string, value: unknown): StatusCause {
  return { reason: 'FieldValueNotFound', message: `Not found: ${JSON.stringify(value)}`, field };
}

/** `Too many: N: must have at most M items` (field.TooMany). */
export function tooMany(field: string, actual: number, max: number): StatusCause {
  return { reason: 'FieldValueTooMany', message: `Too many: ${actual}: must have at most ${max} items`, field };
}

/** One `Invalid value` cause per message, all at `field` (the upstream `for _, msg := range` idiom). */
export function invalidEach(field: string, value: unknown, messages: string[]): StatusCause[] {
  return messages.map((m) => fieldError.invalid(field, value, m));
}

/** An RFC 1123 label field (container names, port names, hostnames). */
export function validateDNS1123Label(value: string, field: string): StatusCause[] {
  return invalidEach(field, value, isDNS1123Label(value));
}

/** A qualified-name field (appProtocol, finalizers, label keys). */
export function validateQualifiedName(value: string, field: string): StatusCause[] {
  return invalidEach(field, value, isQualifiedName(value));
}

/** An IP address field: the upstream invalid-IP message when it is not one. */
export function validateIP(value: string, field: string): StatusCause[] {
  return isValidIP(value) ? [] : [fieldError.invalid(field, value, INVALID_IP_MESSAGE)];
}

/** A port-number field: 1–65535. */
export function validatePortNumber(value: number, field: string): StatusCause[] {
  return invalidEach(field, value, isValidPortNumber(value));
}

/**
 * An enumerated string field: `Required value` when empty, `Unsupported value` listing
 * `allowed` in the given order when not one of them.
 */
export function validateEnum(value: string | undefined, field: string, allowed: readonly string[]): StatusCause[] {
  if (!value) return [fieldError.required(field)];
  return allowed.includes(value) ? [] : [fieldError.unsupported(field, value, allowed)];
}

/** `must be greater than or equal to 0` for a negative number. */
export function validateNonnegative(value: number | undefined, field: string): StatusCause[] {
  return value !== undefined && value < 0
    ? [fieldError.invalid(field, value, 'must be greater than or equal to 0')]
    : [];
}

/** Label maps (labels, selectors): keys are qualified names, values label values; causes are at `field` itself. */
export function validateLabels(labels: Record<string, string> | undefined, field: string): StatusCause[] {
  return Object.entries(labels ?? {}).flatMap(([k, v]) => [
    ...invalidEach(field, k, isQualifiedName(k)),
    ...invalidEach(field, v, isValidLabelValue(v)),
  ]);
}

/** Annotation keys are qualified names (case-insensitive); all keys and values together fit in 256 KiB. */
function validateAnnotations(annotations: Record<string, string> | undefined, field: string): StatusCause[] {
  const entries = Object.entries(annotations ?? {});
  const causes = entries.flatMap(([k]) => invalidEach(field, k, isQualifiedName(k.toLowerCase())));
  const size = entries.reduce((sum, [k, v]) => sum + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
  if (size > TOTAL_ANNOTATION_SIZE_LIMIT_BYTES)
    causes.push(fieldError.tooLong(field, TOTAL_ANNOTATION_SIZE_LIMIT_BYTES));
  return causes;
}

function validateOwnerReference(ref: OwnerReference, field: string): StatusCause[] {
  const causes: StatusCause[] = [];
  const version = ref.apiVersion?.split('/').pop() ?? '';
  if (!version)
    causes.push(fieldError.invalid(`${field}.apiVersion`, ref.apiVersion ?? '', 'version must not be empty'));
  if (!ref.kind) causes.push(fieldError.invalid(`${field}.kind`, ref.kind ?? '', 'kind must not be empty'));
  if (!ref.name) causes.push(fieldError.invalid(`${field}.name`, ref.name ?? '', 'name must not be empty'));
  if (!ref.uid) causes.push(fieldError.invalid(`${field}.uid`, ref.uid ?? '', 'uid must not be empty'));
  if (ref.apiVersion === 'v1' && ref.kind === 'Event')
    causes.push(fieldError.invalid(field, ref, '/v1, Kind=Event is disallowed from being an owner'));
  return causes;
}

/** Owner references: each complete, at most one with `controller: true`; causes at the list's path, as upstream. */
function validateOwnerReferences(refs: OwnerReference[] | undefined, field: string): StatusCause[] {
  const causes: StatusCause[] = [];
  let firstController = '';
  for (const ref of refs ?? []) {
    causes.push(...validateOwnerReference(ref, field));
    if (!ref.controller) continue;
    const current = `${ref.kind}/${ref.name}`;
    if (firstController) {
      causes.push(
        fieldError.invalid(
          field,
          refs,
          `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${current}`,
        ),
      );
    } else {
      firstController = current;
    }
  }
  return causes;
}

/** Finalizer names are qualified names; `orphan` and `foregroundDeletion` exclude each other. */
function validateFinalizers(finalizers: string[] | undefined, field: string): StatusCause[] {
  const list = finalizers ?? [];
  const causes = list.flatMap((f) => invalidEach(field, f, isQualifiedName(f)));
  if (list.includes('orphan') && list.includes('foregroundDeletion')) {
    causes.push(fieldError.invalid(field, list, 'finalizer orphan and foregroundDeletion cannot be both set'));
  }
  return causes;
}

function validateManagedFields(entries: unknown[] | undefined, field: string): StatusCause[] {
  return (entries ?? []).flatMap((entry, i) => {
    const e = (entry ?? {}) as { operation?: unknown; fieldsType?: unknown };
    const causes: StatusCause[] = [];
    if (e.operation !== 'Apply' && e.operation !== 'Update')
      causes.push(fieldError.unsupported(`${field}[${i}].operation`, e.operation ?? '', ['Apply', 'Update']));
    if (e.fieldsType && e.fieldsType !== 'FieldsV1')
      causes.push(fieldError.unsupported(`${field}[${i}].fieldsType`, e.fieldsType, ['FieldsV1']));
    return causes;
  });
}

/** Which rule object names follow (`ResourceType.nameRule`). */
type NameRule = 'subdomain' | 'label' | 'path';

/**
 * Checks a name (or, with `prefix`, a `generateName`) against a rule. A prefix may end in `-`,
 * which upstream masks before checking.
 */
function validateName(name: string, rule: NameRule, prefix = false): string[] {
  if (rule === 'path') return prefix ? isValidPathSegmentPrefix(name) : isValidPathSegmentName(name);
  const masked = prefix && name.endsWith('-') ? `${name.slice(0, -1)}a` : name;
  return rule === 'label' ? isDNS1123Label(masked) : isDNS1123Subdomain(masked);
}

/** Options of `validateObjectMeta`: the kind's scope and name rule. */
export interface ObjectMetaRules {
  namespaced: boolean;
  nameRule: NameRule;
}

/**
 * Upstream `ValidateObjectMetaAccessor`, paths under `metadata.`: name (required here: the
 * registry has already filled it from generateName), generateName, namespace (required when
 * namespaced, forbidden otherwise), generation, labels, annotations, ownerReferences,
 * finalizers and managedFields.
 */
export function validateObjectMeta(meta: ObjectMeta, rules: ObjectMetaRules): StatusCause[] {
  const causes: StatusCause[] = [];
  if (meta.generateName)
    causes.push(
      ...invalidEach('metadata.generateName', meta.generateName, validateName(meta.generateName, rules.nameRule, true)),
    );
  if (!meta.name) causes.push(fieldError.required('metadata.name', 'name or generateName is required'));
  else causes.push(...invalidEach('metadata.name', meta.name, validateName(meta.name, rules.nameRule)));
  if (rules.namespaced) {
    if (!meta.namespace) causes.push(fieldError.required('metadata.namespace'));
    else causes.push(...invalidEach('metadata.namespace', meta.namespace, isDNS1123Label(meta.namespace)));
  } else if (meta.namespace) {
    causes.push(fieldError.forbidden('metadata.namespace', 'not allowed on this type'));
  }
  causes.push(
    ...validateNonnegative(meta.generation, 'metadata.generation'),
    ...validateLabels(meta.labels, 'metadata.labels'),
    ...validateAnnotations(meta.annotations, 'metadata.annotations'),
    ...validateOwnerReferences(meta.ownerReferences, 'metadata.ownerReferences'),
    ...validateFinalizers(meta.finalizers, 'metadata.finalizers'),
    ...validateManagedFields(meta.managedFields, 'metadata.managedFields'),
  );
  return causes;
}

/** A Go zero value: what an absent field decodes to, so absent and zero compare equal. */
function isZero(v: unknown): boolean {
  if (v === undefined || v === null || v === '' || v === false || v === 0) return true;
  if (Array.isArray(v)) return v.length === 0;
  return typeof v === 'object' && Object.keys(v).length === 0;
}

/**
 * apimachinery's `Semantic.DeepEqual` as seen through JSON: absent, null and zero values
 * (`""`, `0`, `false`, `[]`, `{}`) are equal, everything else compares deeply.
 */
export function semanticEqual(a: unknown, b: unknown): boolean {
  if (isZero(a) && isZero(b)) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => semanticEqual(x, b[i]));
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const ra = a as Record<string, unknown>;
    const rb = b as Record<string, unknown>;
    return [...new Set([...Object.keys(ra), ...Object.keys(rb)])].every((k) => semanticEqual(ra[k], rb[k]));
  }
  return a === b;
}

/** `Invalid value: <new>: field is immutable` when the value changed (upstream `ValidateImmutableField`). */
export function validateImmutable(newValue: unknown, oldValue: unknown, field: string): StatusCause[] {
  return semanticEqual(newValue, oldValue) ? [] : [fieldError.invalid(field, newValue ?? '', 'field is immutable')];
}
