/** How Events print in `kubectl get`: kube-apiserver's columns (pkg/printers/internalversion/printers.go). */
import { column, nameColumn, type TableConvertor, timeSince } from '../../table.js';
import type { Event } from './schema.js';

/** SOURCE: `component, host`, each falling back to the reporting controller and instance. */
function eventSource(event: Event): string {
  const component = event.source?.component || event.reportingComponent;
  const instance = event.source?.host || event.reportingInstance;
  return instance ? `${component}, ${instance}` : component;
}

/** LAST SEEN, FIRST SEEN and COUNT, from the old fields or the series of the events.k8s.io API. */
function eventTimes(event: Event, nowMs: number): { last: string; first: string; count: number } {
  const first = event.firstTimestamp ? timeSince(event.firstTimestamp, nowMs) : timeSince(event.eventTime, nowMs);
  if (event.series)
    return { first, last: timeSince(event.series.lastObservedTime, nowMs), count: event.series.count ?? 0 };
  const last = event.lastTimestamp ? timeSince(event.lastTimestamp, nowMs) : first;
  return { first, last, count: event.count || 1 };
}

export const eventTable: TableConvertor<Event> = {
  columns: [
    column('Last Seen', 'The time at which the most recent occurrence of this event was recorded.'),
    column('Type', 'Type of this event (Normal, Warning).'),
    column(
      'Reason',
      "A short, machine understandable string that gives the reason for the transition into the object's current status.",
    ),
    column('Object', 'The object that this event is about.'),
    column('Subobject', 'The part of the object the event is about, such as a container.', { wide: true }),
    column('Source', 'The component reporting this event.', { wide: true }),
    column('Message', 'A human-readable description of the status of this operation.'),
    column('First Seen', 'The time at which the event was first recorded.', { wide: true }),
    column('Count', 'The number of times this event has occurred.', { wide: true }),
    nameColumn(true),
  ],
  cells(event, nowMs) {
    const { last, first, count } = eventTimes(event, nowMs);
    const kind = (event.involvedObject.kind ?? '').toLowerCase();
    const target = event.involvedObject.name ? `${kind}/${event.involvedObject.name}` : kind;
    return [
      last,
      event.type ?? '',
      event.reason ?? '',
      target,
      event.involvedObject.fieldPath ?? '',
      eventSource(event),
      (event.message ?? '').trim(),
      first,
      count,
      event.metadata.name ?? '',
    ];
  },
};
