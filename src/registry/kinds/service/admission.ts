/**
 * What runs inside every Service create, update and delete, as kube-apiserver's Service REST
 * storage does it (pkg/registry/core/service/storage/alloc.go): ClusterIP and NodePort allocation.
 */
import type { AdmissionHook } from '../../admission.js';
import type { Backend } from '../../../storage/interface.js';
import { clusterIPAdmission } from './cluster-ip-admission.js';
import { nodePortAdmission } from './node-port-admission.js';

/** The ranges the allocators hand out from. */
export interface ServiceRanges {
  /** The ClusterIP range, e.g. `10.0.0.0/16`. */
  serviceCIDR: string;
  /** The NodePort range, e.g. `30000-32767`. */
  nodePortRange: string;
}

/** The allocators that run inside Service writes, their bitmaps kept in `backend`. */
export function serviceAdmission(ranges: ServiceRanges, backend: Backend): AdmissionHook[] {
  return [
    clusterIPAdmission({ backend, serviceCIDR: ranges.serviceCIDR }),
    nodePortAdmission({ backend, nodePortRange: ranges.nodePortRange }),
  ];
}
