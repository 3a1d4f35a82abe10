/** The protobuf message of a Service (k8s.io/api generated.proto), for bodies kubectl sends as `application/vnd.kubernetes.protobuf`. */
import { field, message, ObjectMeta, Condition } from '../../../protobuf/messages.js';

export const ServicePort = message('ServicePort', [
  field(1, 'name', 'string', 'omitempty'),
  field(2, 'protocol', 'string', 'omitempty'),
  field(6, 'appProtocol', 'string', 'pointer omitempty'),
  field(3, 'port', 'int32'),
  field(4, 'targetPort', 'intOrString', 'omitempty'),
  field(5, 'nodePort', 'int32', 'omitempty'),
]);

const ClientIPConfig = message('ClientIPConfig', [field(1, 'timeoutSeconds', 'int32', 'pointer omitempty')]);

const SessionAffinityConfig = message('SessionAffinityConfig', [
  field(1, 'clientIP', ClientIPConfig, 'pointer omitempty'),
]);

export const ServiceSpec = message('ServiceSpec', [
  field(1, 'ports', ServicePort, 'repeated omitempty'),
  field(2, 'selector', 'stringMap', 'omitempty'),
  field(3, 'clusterIP', 'string', 'omitempty'),
  field(18, 'clusterIPs', 'string', 'repeated omitempty'),
  field(4, 'type', 'string', 'omitempty'),
  field(5, 'externalIPs', 'string', 'repeated omitempty'),
  field(7, 'sessionAffinity', 'string', 'omitempty'),
  field(8, 'loadBalancerIP', 'string', 'omitempty'),
  field(9, 'loadBalancerSourceRanges', 'string', 'repeated omitempty'),
  field(10, 'externalName', 'string', 'omitempty'),
  field(11, 'externalTrafficPolicy', 'string', 'omitempty'),
  field(12, 'healthCheckNodePort', 'int32', 'omitempty'),
  field(13, 'publishNotReadyAddresses', 'bool', 'omitempty'),
  field(14, 'sessionAffinityConfig', SessionAffinityConfig, 'pointer omitempty'),
  field(19, 'ipFamilies', 'string', 'repeated omitempty'),
  field(17, 'ipFamilyPolicy', 'string', 'pointer omitempty'),
  field(20, 'allocateLoadBalancerNodePorts', 'bool', 'pointer omitempty'),
  field(21, 'loadBalancerClass', 'string', 'pointer omitempty'),
  field(22, 'internalTrafficPolicy', 'string', 'pointer omitempty'),
  field(23, 'trafficDistribution', 'string', 'pointer omitempty'),
]);

const PortStatus = message('PortStatus', [
  field(1, 'port', 'int32'),
  field(2, 'protocol', 'string'),
  field(3, 'error', 'string', 'pointer omitempty'),
]);

const LoadBalancerIngress = message('LoadBalancerIngress', [
  field(1, 'ip', 'string', 'omitempty'),
  field(2, 'hostname', 'string', 'omitempty'),
  field(3, 'ipMode', 'string', 'pointer omitempty'),
  field(4, 'ports', PortStatus, 'repeated omitempty'),
]);

const LoadBalancerStatus = message('LoadBalancerStatus', [
  field(1, 'ingress', LoadBalancerIngress, 'repeated omitempty'),
]);

export const ServiceStatus = message('ServiceStatus', [
  field(1, 'loadBalancer', LoadBalancerStatus, 'omitempty'),
  field(2, 'conditions', Condition, 'repeated omitempty'),
]);

export const Service = message('Service', [
  field(1, 'metadata', ObjectMeta, 'omitempty'),
  field(2, 'spec', ServiceSpec, 'omitempty'),
  field(3, 'status', ServiceStatus, 'omitempty'),
]);
