/** The protobuf message of an Ingress (k8s.io/api generated.proto), for bodies kubectl sends as `application/vnd.kubernetes.protobuf`. */
import { field, message, ObjectMeta, TypedLocalObjectReference } from '../../../protobuf/messages.js';

const ServiceBackendPort = message('ServiceBackendPort', [
  field(1, 'name', 'string', 'omitempty'),
  field(2, 'number', 'int32', 'omitempty'),
]);

const IngressServiceBackend = message('IngressServiceBackend', [
  field(1, 'name', 'string'),
  field(2, 'port', ServiceBackendPort, 'omitempty'),
]);

const IngressBackend = message('IngressBackend', [
  field(4, 'service', IngressServiceBackend, 'pointer omitempty'),
  field(3, 'resource', TypedLocalObjectReference, 'pointer omitempty'),
]);

export const HTTPIngressPath = message('HTTPIngressPath', [
  field(1, 'path', 'string', 'omitempty'),
  field(3, 'pathType', 'string', 'pointer'),
  field(2, 'backend', IngressBackend),
]);

export const HTTPIngressRuleValue = message('HTTPIngressRuleValue', [field(1, 'paths', HTTPIngressPath, 'repeated')]);

const IngressRuleValue = message('IngressRuleValue', [field(1, 'http', HTTPIngressRuleValue, 'pointer omitempty')]);

export const IngressRule = message('IngressRule', [
  field(1, 'host', 'string', 'omitempty'),
  field(2, 'ingressRuleValue', IngressRuleValue, 'inline'),
]);

const IngressTLS = message('IngressTLS', [
  field(1, 'hosts', 'string', 'repeated omitempty'),
  field(2, 'secretName', 'string', 'omitempty'),
]);

const IngressSpec = message('IngressSpec', [
  field(4, 'ingressClassName', 'string', 'pointer omitempty'),
  field(1, 'defaultBackend', IngressBackend, 'pointer omitempty'),
  field(2, 'tls', IngressTLS, 'repeated omitempty'),
  field(3, 'rules', IngressRule, 'repeated omitempty'),
]);

const IngressPortStatus = message('IngressPortStatus', [
  field(1, 'port', 'int32'),
  field(2, 'protocol', 'string'),
  field(3, 'error', 'string', 'pointer omitempty'),
]);

const IngressLoadBalancerIngress = message('IngressLoadBalancerIngress', [
  field(1, 'ip', 'string', 'omitempty'),
  field(2, 'hostname', 'string', 'omitempty'),
  field(4, 'ports', IngressPortStatus, 'repeated omitempty'),
]);

const IngressLoadBalancerStatus = message('IngressLoadBalancerStatus', [
  field(1, 'ingress', IngressLoadBalancerIngress, 'repeated omitempty'),
]);

const IngressStatus = message('IngressStatus', [field(1, 'loadBalancer', IngressLoadBalancerStatus, 'omitempty')]);

export const Ingress = message('Ingress', [
  field(1, 'metadata', ObjectMeta, 'omitempty'),
  field(2, 'spec', IngressSpec, 'omitempty'),
  field(3, 'status', IngressStatus, 'omitempty'),
]);
