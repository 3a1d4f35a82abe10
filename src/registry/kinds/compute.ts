/** Validation rules the compute.kplane.io kinds (Route, Firewall, ForwardingRule) share, with GCP's limits. */
import { fieldError, type StatusCause } from '../../apimachinery/errors.js';
import { inclusiveRangeError } from '../../apimachinery/validation.js';
import { isIPv4 } from '../../net/ipv4.js';
import { validateNodeNameRef } from './common.js';
import { column } from '../table.js';

/** The compute API group, served like a CRD group. */
export const COMPUTE_GROUP = 'compute.kplane.io';
export const COMPUTE_VERSION = 'v1alpha1';

const MAX_PRIORITY = 65535;
/** GCP's limit on a resource's `description`. */
const MAX_DESCRIPTION_LENGTH = 2048;
const MAX_PORT = 65535;

/** An inclusive range of ports. */
export interface PortRange {
  first: number;
  last: number;
}

/**
 * Parses one port spec as GCP writes them: `"80"` or `"30000-32767"` (1 ≤ first ≤ last ≤ 65535,
 * decimal without sign). Undefined when it is not one.
 */
export function parsePortSpec(text: string): PortRange | undefined {
  const match = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(text);
  if (!match) return undefined;
  const first = Number(match[1]);
  const last = match[2] === undefined ? first : Number(match[2]);
  return first >= 1 && first <= last && last <= MAX_PORT ? { first, last } : undefined;
}

/** Each entry of `ports` is a port spec (see {@link parsePortSpec}). */
export function validatePortSpecs(ports: readonly string[] | undefined, field: string): StatusCause[] {
  return (ports ?? []).flatMap((p, i) =>
    parsePortSpec(p)
      ? []
      : [
          fieldError.invalid(
            `${field}[${i}]`,
            p,
            'must be a port ("80") or an inclusive range ("30000-32767") within 1-65535',
          ),
        ],
  );
}

/** Whether `text` is an IPv4 CIDR, `a.b.c.d/n` (host bits may be set, as Go's `net.ParseCIDR` allows; they are ignored). */
function isIPv4CIDR(text: string): boolean {
  const [ip, prefix, ...rest] = text.split('/');
  return rest.length === 0 && prefix !== undefined && /^\d{1,2}$/.test(prefix) && Number(prefix) <= 32 && isIPv4(ip);
}

/** A required IPv4 CIDR field. */
export function validateIPv4CIDR(value: string | undefined, field: string): StatusCause[] {
  if (!value) return [fieldError.required(field)];
  return isIPv4CIDR(value) ? [] : [fieldError.invalid(field, value, 'must be an IPv4 CIDR, such as 10.4.0.0/14')];
}

/** `priority`: 0 (first) to 65535 (last). */
export function validatePriority(priority: number, field: string): StatusCause[] {
  return priority >= 0 && priority <= MAX_PRIORITY
    ? []
    : [fieldError.invalid(field, priority, inclusiveRangeError(0, MAX_PRIORITY))];
}

/** `description`: free text, at most 2048 characters. */
export function validateDescription(description: string | undefined, field: string): StatusCause[] {
  return (description?.length ?? 0) > MAX_DESCRIPTION_LENGTH ? [fieldError.tooLong(field, MAX_DESCRIPTION_LENGTH)] : [];
}

/** Node names (targets, backends): each set, an RFC 1123 subdomain, and listed once; `pathOf(i)` is entry i's field path. */
export function validateNodeNames(nodes: readonly string[], pathOf: (i: number) => string): StatusCause[] {
  const seen = new Set<string>();
  return nodes.flatMap((node, i) => {
    if (!node) return [fieldError.required(pathOf(i))];
    if (seen.has(node)) return [fieldError.duplicate(pathOf(i), node)];
    seen.add(node);
    return validateNodeNameRef(node, pathOf(i));
  });
}

/** The PRIORITY column the compute kinds share, as gcloud lists routes and firewall rules. */
export const priorityColumn = column('Priority', 'Lower values take precedence.', { type: 'integer' });
