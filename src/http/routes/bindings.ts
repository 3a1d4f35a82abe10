/**
 * `POST /api/v1/namespaces/<ns>/bindings`: binds the pod the Binding names, exactly like
 * `POST pods/<name>/binding` (the Pod's `binding` action in the registry).
 */
import type { FastifyInstance } from 'fastify';
import { errors } from '../../apimachinery/errors.js';
import { pods } from '../../registry/kinds/pod/index.js';
import { bindings } from '../../registry/kinds/binding/index.js';
import { decodeBody, parseFieldValidation } from '../../registry/decode.js';
import type { Registry } from '../../registry/store.js';

export async function bindingRoutes(app: FastifyInstance, opts: { registry: Registry }): Promise<void> {
  app.post('/api/v1/namespaces/:namespace/bindings', async (req, reply) => {
    const { namespace } = req.params as { namespace: string };
    const query = req.query as Record<string, unknown>;
    const binding = decodeBody(bindings, req.body, {
      fieldValidation: parseFieldValidation(query.fieldValidation, 'POST'),
    });
    const name = binding.metadata.name;
    if (!name)
      throw errors.invalid('Binding', '', '', [
        {
          reason: 'FieldValueRequired',
          message: 'Required value: name or generateName is required',
          field: 'metadata.name',
        },
      ]);
    await opts.registry.act(pods, namespace, name, 'binding', binding);
    return reply.code(201).send({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
  });
}
