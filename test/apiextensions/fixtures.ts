/** A CustomResourceDefinition the apiextensions tests share: widgets.example.kplane.io. */
export function widgetCrd(
  overrides: { versionExtras?: Record<string, unknown>; names?: Record<string, unknown> } = {},
) {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.example.kplane.io' },
    spec: {
      group: 'example.kplane.io',
      scope: 'Namespaced',
      names: {
        plural: 'widgets',
        singular: 'widget',
        kind: 'Widget',
        shortNames: ['wd'],
        categories: ['all'],
        ...overrides.names,
      },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: [
            { name: 'Color', type: 'string', jsonPath: '.spec.color' },
            { name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas' },
            { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
          ],
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                spec: {
                  type: 'object',
                  description: 'What the widget should be.',
                  required: ['color'],
                  properties: {
                    color: { type: 'string', enum: ['red', 'blue'], description: 'The colour of the widget.' },
                    replicas: { type: 'integer', minimum: 0, default: 1 },
                    size: { type: 'string', default: 'M' },
                  },
                },
                status: {
                  type: 'object',
                  properties: {
                    conditions: {
                      type: 'array',
                      items: {
                        type: 'object',
                        properties: { type: { type: 'string' }, status: { type: 'string' } },
                      },
                    },
                  },
                },
              },
            },
          },
          ...overrides.versionExtras,
        },
      ],
    },
  };
}

/** The widget CRD with a scale subresource over `.spec.replicas`, `.status.replicas` and `.status.selector`. */
export function scalableWidgetCrd() {
  const crd = widgetCrd({
    versionExtras: {
      subresources: {
        status: {},
        scale: {
          specReplicasPath: '.spec.replicas',
          statusReplicasPath: '.status.replicas',
          labelSelectorPath: '.status.selector',
        },
      },
    },
  });
  const status = crd.spec.versions[0].schema.openAPIV3Schema.properties.status as {
    properties: Record<string, unknown>;
  };
  status.properties.replicas = { type: 'integer' };
  status.properties.selector = { type: 'string' };
  return crd;
}
