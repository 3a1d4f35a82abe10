/**
 * Which Ingresses the GCE Ingress controller handles (ingress-gce's `IsGCEIngress`; docs/network-model.md#ingress):
 *
 * 1. The legacy annotation `kubernetes.io/ingress.class`, when set and not empty, decides alone:
 *    `gce` is ours, any other value is another controller's.
 * 2. Else `spec.ingressClassName`: `gce`, or the name of an IngressClass whose controller is
 *    `k8s.io/ingress-gce`, is ours; any other name (including a class that does not exist yet) is not.
 * 3. Else (no class at all) it is ours: bootstrap makes `gce` the default class. kplane has no
 *    admission plugin that writes the default class into new Ingresses, so the controller applies it.
 */
import { GCE_INGRESS_CLASS } from '../bootstrap/bootstrap.js';
import type { Ingress } from '../../src/registry/kinds/ingress/schema.js';
import type { IngressClass } from '../../src/registry/kinds/ingressclass/schema.js';

/** The `spec.controller` of IngressClasses this controller serves. */
const GCE_INGRESS_CONTROLLER = 'k8s.io/ingress-gce';
/** The pre-IngressClass way of choosing a controller, still honoured by ingress-gce. */
const INGRESS_CLASS_ANNOTATION = 'kubernetes.io/ingress.class';

/** Finds an IngressClass by name. */
export type IngressClassLookup = (name: string) => IngressClass | undefined;

/** Whether the GCE controller handles `ing` (rules in the module comment). */
export function isGceIngress(ing: Ingress, classes: IngressClassLookup): boolean {
  const annotated = ing.metadata.annotations?.[INGRESS_CLASS_ANNOTATION];
  if (annotated) return annotated === GCE_INGRESS_CLASS;
  const className = ing.spec.ingressClassName;
  if (!className) return true;
  return className === GCE_INGRESS_CLASS || classes(className)?.spec.controller === GCE_INGRESS_CONTROLLER;
}
