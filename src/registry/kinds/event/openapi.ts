/** What `kubectl explain` shows for Events: upstream's type names and short descriptions. */
import { coreV1, kindDescription, type KindOpenApi } from '../../../openapi/types.js';
import { EventSeriesSchema, EventSourceSchema } from './schema.js';

export const eventOpenApi: KindOpenApi = {
  names: [
    [EventSourceSchema, `${coreV1}.EventSource`],
    [EventSeriesSchema, `${coreV1}.EventSeries`],
  ],
  descriptions: {
    [`${coreV1}.Event`]: kindDescription('A report of an event somewhere in the cluster.', {
      involvedObject: 'The object this event is about.',
      reason: "Short, machine understandable reason for the transition into the object's current status.",
      message: 'A human-readable description of the status of this operation.',
      source: 'The component reporting this event.',
      firstTimestamp: 'The time at which the event was first recorded.',
      lastTimestamp: 'The time at which the most recent occurrence of this event was recorded.',
      count: 'The number of times this event has occurred.',
      type: 'Type of this event (Normal, Warning).',
    }),
  },
};
