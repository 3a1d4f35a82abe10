/**
 * core/v1 events (pkg/registry/core/event/strategy.go). Through the v1 API kube-apiserver applies
 * only its legacy event rules: no metadata rules beyond the generic path-segment name check.
 */
import { eventOpenApi } from './openapi.js';
import { kindPatchMeta } from '../../../apimachinery/patch.js';
import { fieldError, type StatusCause } from '../../../apimachinery/errors.js';
import { invalidEach, isDNS1123Subdomain, validateQualifiedName } from '../../../apimachinery/validation.js';
import { EventSchema, type Event } from './schema.js';
import type { ResourceType } from '../../resource.js';
import { eventTable } from './table.js';

/** Length limits of the newer event fields. */
const LIMITS = { reportingInstance: 128, action: 128, reason: 128, message: 1024 } as const;

function validateLengths(event: Event, keys: readonly (keyof typeof LIMITS)[]): StatusCause[] {
  return keys.flatMap((key) =>
    (event[key]?.length ?? 0) > LIMITS[key]
      ? [fieldError.invalid(key, '', `can have at most ${LIMITS[key]} characters`)]
      : [],
  );
}

/** Events with `eventTime` are "new" events and must say who reported them and what happened. */
function validateNewEvent(event: Event): StatusCause[] {
  const causes: StatusCause[] = [];
  if (!event.reportingComponent) causes.push(fieldError.required('reportingComponent'));
  causes.push(...validateQualifiedName(event.reportingComponent, 'reportingComponent'));
  for (const key of ['reportingInstance', 'action', 'reason'] as const)
    if (!event[key]) causes.push(fieldError.required(key));
  return [...causes, ...validateLengths(event, ['reportingInstance', 'action', 'reason', 'message'])];
}

/** Upstream `legacyValidateEvent` for the v1 API. */
function validateEvent(event: Event): StatusCause[] {
  const namespace = event.metadata.namespace ?? '';
  const involvedNamespace = event.involvedObject.namespace ?? '';
  const namespaceMismatch = fieldError.invalid(
    'involvedObject.namespace',
    involvedNamespace,
    'does not match event.namespace',
  );
  const causes: StatusCause[] = [];
  if (!event.eventTime) {
    // Old clients write events about cluster-scoped objects into "default".
    const matches = involvedNamespace ? namespace === involvedNamespace : namespace === '' || namespace === 'default';
    if (!matches) causes.push(namespaceMismatch);
  } else {
    if (!involvedNamespace && namespace !== 'default' && namespace !== 'kube-system') causes.push(namespaceMismatch);
    causes.push(...validateNewEvent(event));
  }
  return [...causes, ...invalidEach('namespace', namespace, isDNS1123Subdomain(namespace))];
}

export const events: ResourceType<Event, 'Event'> = {
  group: '',
  version: 'v1',
  kind: 'Event',
  plural: 'events',
  singular: 'event',
  namespaced: true,
  shortNames: ['ev'],
  hasStatus: false,
  nameRule: 'path',
  allowUnconditionalUpdate: true,
  schema: EventSchema,
  openapi: eventOpenApi,
  strategicMerge: kindPatchMeta(),
  table: eventTable,
  fieldSelectors: {
    'involvedObject.kind': (ev) => ev.involvedObject.kind ?? '',
    'involvedObject.namespace': (ev) => ev.involvedObject.namespace ?? '',
    'involvedObject.name': (ev) => ev.involvedObject.name ?? '',
    'involvedObject.uid': (ev) => ev.involvedObject.uid ?? '',
    'involvedObject.apiVersion': (ev) => ev.involvedObject.apiVersion ?? '',
    'involvedObject.resourceVersion': (ev) => ev.involvedObject.resourceVersion ?? '',
    'involvedObject.fieldPath': (ev) => ev.involvedObject.fieldPath ?? '',
    reason: (ev) => ev.reason ?? '',
    reportingComponent: (ev) => ev.reportingComponent,
    source: (ev) => ev.source?.component || ev.reportingComponent,
    type: (ev) => ev.type ?? '',
  },
  strategy: { validate: validateEvent },
};
