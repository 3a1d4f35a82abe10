/** How strategic merge patch merges a Pod's lists (k8s.io/api core/v1 types.go struct tags). */
import { byType, kindPatchMeta, mergeBy, type PatchMeta } from '../../../apimachinery/patch.js';

const container: PatchMeta = {
  ports: mergeBy('containerPort'),
  env: mergeBy('name'),
  volumeMounts: mergeBy('mountPath'),
  volumeDevices: mergeBy('devicePath'),
};

const podSpec: PatchMeta = {
  containers: mergeBy('name', container),
  initContainers: mergeBy('name', container),
  ephemeralContainers: mergeBy('name', container),
  volumes: mergeBy('name'),
  imagePullSecrets: mergeBy('name'),
  hostAliases: mergeBy('ip'),
  topologySpreadConstraints: mergeBy('topologyKey'),
  schedulingGates: mergeBy('name'),
  resourceClaims: mergeBy('name'),
};

const podStatus: PatchMeta = { conditions: byType, podIPs: mergeBy('ip'), hostIPs: mergeBy('ip') };

export const podMergeKeys = kindPatchMeta({ spec: podSpec, status: podStatus });
