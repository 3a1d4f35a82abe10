/** core/v1 Event: shape only (the v1 Event has no defaults). */
import { type z } from 'zod';
import {
  MicroTime,
  ObjectReferenceSchema,
  Time,
  kindSchema,
  metadata,
  modeled,
  optInt,
  optString,
  reqString,
  typeMeta,
} from '../../../../schemas/meta.js';

export const EventSourceSchema = modeled({ component: optString, host: optString });

export const EventSeriesSchema = modeled({ count: optInt, lastObservedTime: MicroTime.optional() });

export const EventSchema = kindSchema(
  modeled({
    ...typeMeta,
    metadata,
    involvedObject: ObjectReferenceSchema.prefault({}),
    reason: optString,
    message: optString,
    source: EventSourceSchema.optional(),
    firstTimestamp: Time.optional(),
    lastTimestamp: Time.optional(),
    count: optInt,
    type: optString,
    eventTime: MicroTime.optional(),
    series: EventSeriesSchema.optional(),
    action: optString,
    related: ObjectReferenceSchema.optional(),
    reportingComponent: reqString,
    reportingInstance: reqString,
  }),
);
export type Event = z.infer<typeof EventSchema>;
