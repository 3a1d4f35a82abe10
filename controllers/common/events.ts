/**
 * Recording core/v1 Events about objects, the way client-go's EventRecorder does: best effort (a
 * failure is logged, never thrown), and repeats of the same event are aggregated into one object
 * whose `count` and `lastTimestamp` grow (the EventCorrelator), instead of one object per repeat.
 */
import { createHash } from 'node:crypto';
import { StatusError } from '../../src/apimachinery/errors.js';
import { nowTimestamp, type KubeObject } from '../../src/apimachinery/object.js';
import type { Event } from '../../src/registry/kinds/event/schema.js';
import type { ReconcileContext } from '../../src/runtime/api.js';

/** What happened: `type` is `Normal` or `Warning`; `reason` a short CamelCase word. */
export interface EventInfo {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

/** The object an event is about; `kind` and `apiVersion` are needed because cached objects may lack them. */
export interface InvolvedObject {
  kind: string;
  apiVersion: string;
  object: KubeObject;
}

/**
 * Records `info` about `involved` as reported by `component`. Cluster-scoped objects' events go to
 * the `default` namespace, as upstream. Never throws.
 */
export async function recordEvent(
  ctx: Pick<ReconcileContext, 'client' | 'log' | 'now'>,
  component: string,
  involved: InvolvedObject,
  info: EventInfo,
): Promise<void> {
  const meta = involved.object.metadata;
  const namespace = meta.namespace || 'default';
  const name = `${meta.name}.${aggregationKey(component, involved, info)}`;
  const now = nowTimestamp(ctx.now());
  try {
    const existing = await getEvent(ctx, namespace, name);
    if (existing) {
      await ctx.client.update('Event', { ...existing, count: (existing.count ?? 1) + 1, lastTimestamp: now });
      return;
    }
    await ctx.client.create('Event', {
      metadata: { name, namespace },
      involvedObject: {
        kind: involved.kind,
        apiVersion: involved.apiVersion,
        namespace: meta.namespace,
        name: meta.name,
        uid: meta.uid,
      },
      reason: info.reason,
      message: info.message,
      type: info.type,
      source: { component },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
      reportingComponent: component,
      reportingInstance: '',
    });
  } catch (err) {
    ctx.log.error('could not record event', { reason: info.reason, object: meta.name, error: (err as Error).message });
  }
}

async function getEvent(
  ctx: Pick<ReconcileContext, 'client'>,
  namespace: string,
  name: string,
): Promise<Event | undefined> {
  try {
    return await ctx.client.get('Event', { namespace, name });
  } catch (err) {
    if (err instanceof StatusError && err.code === 404) return undefined;
    throw err;
  }
}

/** 16 hex digits identifying "the same event" (upstream names events `<object>.<16 hex digits>`). */
function aggregationKey(component: string, involved: InvolvedObject, info: EventInfo): string {
  const { uid, namespace, name } = involved.object.metadata;
  const identity = [
    component,
    involved.kind,
    namespace ?? '',
    name ?? '',
    uid ?? '',
    info.type,
    info.reason,
    info.message,
  ].join('\u0000');
  return createHash('sha256').update(identity).digest('hex').slice(0, 16);
}
