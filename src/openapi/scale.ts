/**
 * autoscaling/v1 Scale, as the documents of kinds with a `scale` subresource describe it (upstream
 * publishes these components in every document with a `/scale` path, CRDs' included).
 */
import { ref } from './names.js';
import type { Components } from './schema.js';

/** The component name of autoscaling/v1 Scale. */
export const scaleComponentName = 'io.k8s.api.autoscaling.v1.Scale';

/** The group-version-kind of the Scale operations and component. */
export const scaleGvk = { group: 'autoscaling', version: 'v1', kind: 'Scale' };

/** Scale and the types it uses, to add to a document that has a `/scale` path. */
export const scaleComponents: Components = {
  [scaleComponentName]: {
    type: 'object',
    description: 'Scale represents a scaling request for a resource.',
    properties: {
      apiVersion: { type: 'string', description: 'APIVersion defines the versioned schema of this representation.' },
      kind: { type: 'string', description: 'Kind is a string value representing the REST resource.' },
      // Inline: a CRD's document has no ObjectMeta component to refer to.
      metadata: { type: 'object', description: "Standard object's metadata." },
      spec: { allOf: [ref(`${scaleComponentName}Spec`)], default: {} },
      status: { allOf: [ref(`${scaleComponentName}Status`)], default: {} },
    },
    'x-kubernetes-group-version-kind': [scaleGvk],
  },
  [`${scaleComponentName}Spec`]: {
    type: 'object',
    description: 'ScaleSpec describes the attributes of a scale subresource.',
    properties: {
      replicas: { type: 'integer', format: 'int32', description: 'replicas is the desired number of instances.' },
    },
  },
  [`${scaleComponentName}Status`]: {
    type: 'object',
    description: 'ScaleStatus represents the current status of a scale subresource.',
    properties: {
      replicas: {
        type: 'integer',
        format: 'int32',
        default: 0,
        description: 'replicas is the actual number of observed instances.',
      },
      selector: {
        type: 'string',
        description: 'selector is the label query over pods that should match the replicas count, in its string form.',
      },
    },
    required: ['replicas'],
  },
};
