/** The protobuf message of a Namespace (k8s.io/api generated.proto), for bodies kubectl sends as `application/vnd.kubernetes.protobuf`. */
import { field, message, ObjectMeta } from '../../../protobuf/messages.js';

const NamespaceCondition = message('NamespaceCondition', [
  field(1, 'type', 'string'),
  field(2, 'status', 'string'),
  field(4, 'lastTransitionTime', 'time', 'omitempty'),
  field(5, 'reason', 'string', 'omitempty'),
  field(6, 'message', 'string', 'omitempty'),
]);

const NamespaceSpec = message('NamespaceSpec', [field(1, 'finalizers', 'string', 'repeated omitempty')]);

export const NamespaceStatus = message('NamespaceStatus', [
  field(1, 'phase', 'string', 'omitempty'),
  field(2, 'conditions', NamespaceCondition, 'repeated omitempty'),
]);

export const Namespace = message('Namespace', [
  field(1, 'metadata', ObjectMeta, 'omitempty'),
  field(2, 'spec', NamespaceSpec, 'omitempty'),
  field(3, 'status', NamespaceStatus, 'omitempty'),
]);
