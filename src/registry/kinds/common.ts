/** Validation pieces several kinds share (ports, protocols, load-balancer status, references, taints). */
import { fieldError, type StatusCause } from '../../apimachinery/errors.js';
import {
  invalidEach,
  isDNS1123Subdomain,
  isValidIP,
  isValidPathSegmentName,
  isValidPortName,
  validateEnum,
  validatePortNumber,
  validateQualifiedName,
} from '../../apimachinery/validation.js';
import type { IntOrString } from '../../../schemas/meta.js';

/** Port protocols, sorted as upstream lists them in `Unsupported value` messages. */
const PORT_PROTOCOLS = ['SCTP', 'TCP', 'UDP'] as const;

/** `protocol`: required, one of TCP, UDP, SCTP. */
export function validateProtocol(protocol: string | undefined, field: string): StatusCause[] {
  return validateEnum(protocol, field, PORT_PROTOCOLS);
}

/** `appProtocol`, when set, is a qualified name (`http`, `kubernetes.io/h2c`). */
export function validateAppProtocol(appProtocol: string | undefined, field: string): StatusCause[] {
  return appProtocol === undefined ? [] : validateQualifiedName(appProtocol, field);
}

/** A port given by number (1–65535) or by IANA service name (`targetPort`, probe ports). */
export function validatePortNumOrName(port: IntOrString, field: string): StatusCause[] {
  return typeof port === 'number' ? validatePortNumber(port, field) : invalidEach(field, port, isValidPortName(port));
}

/** A node name wherever one is referenced: an RFC 1123 subdomain, like Node object names. */
export function validateNodeNameRef(nodeName: string | undefined, field: string): StatusCause[] {
  return nodeName ? invalidEach(field, nodeName, isDNS1123Subdomain(nodeName)) : [];
}

/** One `status.loadBalancer.ingress[]` entry of a Service or an Ingress. */
export interface LoadBalancerIngressEntry {
  ip?: string;
  hostname?: string;
}

/** Load-balancer status entries: `ip` an IP address, `hostname` a DNS name (and not an IP). */
export function validateLoadBalancerIngress(
  entries: LoadBalancerIngressEntry[] | undefined,
  field: string,
): StatusCause[] {
  return (entries ?? []).flatMap((entry, i) => {
    const path = `${field}[${i}]`;
    const causes: StatusCause[] = [];
    if (entry.ip && !isValidIP(entry.ip))
      causes.push(fieldError.invalid(`${path}.ip`, entry.ip, 'must be a valid IP address'));
    if (entry.hostname) {
      causes.push(...invalidEach(`${path}.hostname`, entry.hostname, isDNS1123Subdomain(entry.hostname)));
      if (isValidIP(entry.hostname))
        causes.push(fieldError.invalid(`${path}.hostname`, entry.hostname, 'must be a DNS name, not an IP address'));
    }
    return causes;
  });
}

/** A reference to an object of any kind in the same namespace (Ingress resource backends, IngressClass parameters). */
export interface TypedReference {
  apiGroup?: string;
  kind: string;
  name: string;
}

/** Upstream `validateIngressTypedLocalObjectReference`: apiGroup a subdomain, kind and name usable in a URL path. */
export function validateTypedReference(ref: TypedReference, field: string): StatusCause[] {
  const causes: StatusCause[] = [];
  if (ref.apiGroup !== undefined)
    causes.push(...invalidEach(`${field}.apiGroup`, ref.apiGroup, isDNS1123Subdomain(ref.apiGroup)));
  for (const key of ['kind', 'name'] as const) {
    if (!ref[key]) causes.push(fieldError.required(`${field}.${key}`, `${key} is required`));
    else causes.push(...invalidEach(`${field}.${key}`, ref[key], isValidPathSegmentName(ref[key])));
  }
  return causes;
}

/** Taint effects, in upstream's order. */
const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] as const;

/** A taint or toleration effect; tolerations may leave it empty (= every effect). */
export function validateTaintEffect(effect: string | undefined, allowEmpty: boolean, field: string): StatusCause[] {
  if (!effect) return allowEmpty ? [] : [fieldError.required(field)];
  return (TAINT_EFFECTS as readonly string[]).includes(effect)
    ? []
    : [fieldError.unsupported(field, effect, TAINT_EFFECTS)];
}

/** Values of boolean field selectors are `"true"`/`"false"`, absent being false (Go's `strconv.FormatBool`). */
export function formatBool(value: boolean | undefined): string {
  return value ? 'true' : 'false';
}
