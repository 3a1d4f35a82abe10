/**
 * `POST pods/<name>/binding` (pkg/registry/core/pod/storage BindingREST): a scheduler assigns a
 * pending pod to a node. Only an unassigned, not-deleting pod can be bound; the body is a
 * `Binding` whose `target` names the Node.
 */
import { errors, fieldError, type StatusCause } from '../../../apimachinery/errors.js';
import type { Pod } from './schema.js';
import type { SubresourceAction } from '../../resource.js';
import { validateNodeNameRef } from '../common.js';

const bindings = { group: '', plural: 'pods/binding' };

function targetProblems(target: unknown): StatusCause[] {
  if (typeof target !== 'object' || target === null) return [fieldError.required('target')];
  const { kind, name } = target as { kind?: unknown; name?: unknown };
  const causes: StatusCause[] = [];
  if (kind !== undefined && kind !== '' && kind !== 'Node')
    causes.push(fieldError.unsupported('target.kind', kind, ['Node']));
  if (typeof name !== 'string' || name === '') causes.push(fieldError.required('target.name'));
  else causes.push(...validateNodeNameRef(name, 'target.name'));
  return causes;
}

export const podBinding: SubresourceAction<Pod> = {
  kind: 'Binding',
  method: 'POST',
  answer: 'success',
  apply(pod, body) {
    const name = pod.metadata.name ?? '';
    const bodyName = (body.metadata as { name?: unknown } | undefined)?.name;
    if (bodyName !== undefined && bodyName !== name)
      throw errors.badRequest(
        `the name of the Binding (${String(bodyName)}) does not match the pod's name on the URL (${name})`,
      );
    const causes = targetProblems(body.target);
    if (causes.length) throw errors.invalid('Binding', '', name, causes);
    if (pod.metadata.deletionTimestamp)
      throw errors.conflict(bindings, name, `pod ${name} is being deleted, cannot be assigned to a host`);
    if (pod.spec.nodeName)
      throw errors.conflict(bindings, name, `pod ${name} is already assigned to node "${pod.spec.nodeName}"`);
    pod.spec.nodeName = (body.target as { name: string }).name;
    return pod;
  },
};
