/**
 * Upstream `initIPFamilyFields` (service/storage/alloc.go) for a single-stack IPv4 cluster: default
 * `ipFamilyPolicy` and `ipFamilies`, and refuse what needs a family this cluster does not serve.
 */
import { errors, fieldError, type StatusCause } from '../../../apimachinery/errors.js';
import { isValidIP, isValidIPv4 } from '../../../apimachinery/validation.js';
import type { Service } from './schema.js';

const CLUSTER_FAMILY = 'IPv4';

/** Go's `%#v` of a `[]string`, the value text upstream puts in clusterIPs errors. */
export function goStringSlice(values: readonly string[]): string {
  return `[]string{${values.map((v) => JSON.stringify(v)).join(', ')}}`;
}

function familyOf(ip: string): string | undefined {
  if (isValidIPv4(ip)) return 'IPv4';
  return isValidIP(ip) ? 'IPv6' : undefined;
}

/** Families of `clusterIPs` not listed yet in `ipFamilies`, or causes for IPs of an unserved family. */
function inferFamilies(svc: Service, families: string[]): StatusCause[] {
  const ips = svc.spec.clusterIPs ?? [];
  const causes: StatusCause[] = [];
  for (const [i, ip] of ips.entries()) {
    if (ip === 'None') break;
    if (i < families.length) continue;
    const family = familyOf(ip);
    // A malformed IP is left to validation.
    if (family === CLUSTER_FAMILY) families.push(family);
    else if (family)
      causes.push({
        reason: 'FieldValueInvalid',
        message: `Invalid value: ${goStringSlice(ips)}: ${family} is not configured on this cluster`,
        field: `spec.clusterIPs[${i}]`,
      });
  }
  return causes;
}

function singleStackCauses(svc: Service): StatusCause[] {
  const { spec } = svc;
  if (spec.ipFamilyPolicy !== 'SingleStack') return [];
  const causes: StatusCause[] = [];
  const detail = (what: string) =>
    `must be 'RequireDualStack' or 'PreferDualStack' when multiple ${what} are specified`;
  if (spec.clusterIPs?.length === 2)
    causes.push(fieldError.invalid('spec.ipFamilyPolicy', spec.ipFamilyPolicy, detail('cluster IPs')));
  if (spec.ipFamilies?.length === 2)
    causes.push(fieldError.invalid('spec.ipFamilyPolicy', spec.ipFamilyPolicy, detail('IP families')));
  return causes;
}

function unservedFamilyCauses(svc: Service, families: readonly string[]): StatusCause[] {
  const causes: StatusCause[] = [];
  if (svc.spec.ipFamilyPolicy === 'RequireDualStack') {
    causes.push(
      fieldError.invalid(
        'spec.ipFamilyPolicy',
        'RequireDualStack',
        'this cluster is not configured for dual-stack services',
      ),
    );
  }
  families.forEach((family, i) => {
    if (family !== CLUSTER_FAMILY)
      causes.push(fieldError.invalid(`spec.ipFamilies[${i}]`, family, 'not configured on this cluster'));
  });
  return causes;
}

/**
 * Fills `ipFamilyPolicy` (the old object's, else `RequireDualStack` for a headless Service without
 * selector, else `SingleStack`) and `ipFamilies` (from clusterIPs, else `[IPv4]`); throws a 422 for
 * dual-stack demands or IPv6. Call after clusterIP normalization; ExternalName Services are left alone.
 */
export function initIPFamilyFields(svc: Service, old?: Service): void {
  const { spec } = svc;
  if (spec.type === 'ExternalName') return;
  const headlessWithoutSelector = spec.clusterIP === 'None' && Object.keys(spec.selector ?? {}).length === 0;
  spec.ipFamilyPolicy ??= old?.spec.ipFamilyPolicy ?? (headlessWithoutSelector ? 'RequireDualStack' : 'SingleStack');
  const families = [...(spec.ipFamilies ?? [])];
  const name = svc.metadata.name ?? '';
  const early = [...singleStackCauses(svc), ...inferFamilies(svc, families)];
  if (early.length) throw errors.invalid('Service', '', name, early);
  if (headlessWithoutSelector) {
    // Such a Service may list both families even on a single-stack cluster (it gets no IP anyway).
    if (families.length === 0) families.push(CLUSTER_FAMILY);
    if (families.length < 2 && spec.ipFamilyPolicy !== 'SingleStack')
      families.push(families[0] === 'IPv4' ? 'IPv6' : 'IPv4');
    spec.ipFamilies = families;
    return;
  }
  const causes = unservedFamilyCauses(svc, families);
  if (causes.length) throw errors.invalid('Service', '', name, causes);
  spec.ipFamilies = families.length ? families : [CLUSTER_FAMILY];
}
