import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StatusError } from '../../src/apimachinery/errors.js';
import type { KubeObject } from '../../src/apimachinery/object.js';
import { EventRecorder, type EventInfo, type InvolvedObject } from '../../src/runtime/events.js';
import { FakeCluster } from '../controllers/fake-context.js';

const pod = (name: string, uid = `uid-${name}`): InvolvedObject => ({
  kind: 'Pod',
  apiVersion: 'v1',
  object: { metadata: { namespace: 'shop', name, uid } } as KubeObject,
});
const node: InvolvedObject = { kind: 'Node', apiVersion: 'v1', object: { metadata: { name: 'vm1', uid: 'uid-vm1' } } };
const warning = (reason: string, message: string): EventInfo => ({ type: 'Warning', reason, message });
const failed = warning('FailedScheduling', '0/3 nodes are available');

/** One call to a recorder, `afterMs` after the previous one. */
interface Step {
  afterMs?: number;
  recorder?: 'scheduler' | 'kubelet';
  about?: InvolvedObject;
  info?: EventInfo;
  /** Repeats the step this many times. */
  times?: number;
}

/** Runs `steps` against a fresh cluster; returns its Events (sorted by name) and the Event writes made. */
async function record(steps: readonly Step[]) {
  const cluster = new FakeCluster();
  const recorders = { scheduler: new EventRecorder('default-scheduler'), kubelet: new EventRecorder('kubelet') };
  for (const step of steps) {
    for (let i = 0; i < (step.times ?? 1); i++) {
      cluster.nowMs += step.afterMs ?? 1000;
      await recorders[step.recorder ?? 'scheduler'].record(
        cluster.ctx(),
        step.about ?? pod('web'),
        step.info ?? failed,
      );
    }
  }
  const events = cluster.all('Event').sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : 1));
  const writes = cluster.calls.filter((c) => c.kind === 'Event').map((c) => c.verb);
  return { cluster, events, writes };
}

const summary = (e: { involvedObject: { name?: string }; reason?: string; message?: string; count?: number }) =>
  `${e.involvedObject.name} ${e.reason} ${e.count}: ${e.message}`;

const cases: Array<{ name: string; steps: Step[]; events: string[]; writes?: string[] }> = [
  {
    name: 'a single event is created with count 1',
    steps: [{}],
    events: ['web FailedScheduling 1: 0/3 nodes are available'],
    writes: ['create'],
  },
  {
    name: 'identical events are aggregated: one create, then patches bumping count',
    steps: [{ times: 4 }],
    events: ['web FailedScheduling 4: 0/3 nodes are available'],
    writes: ['create', 'patch', 'patch', 'patch'],
  },
  {
    name: 'a different message is a different event',
    steps: [{}, { info: warning('FailedScheduling', '0/4 nodes are available') }, {}],
    events: ['web FailedScheduling 2: 0/3 nodes are available', 'web FailedScheduling 1: 0/4 nodes are available'],
  },
  {
    name: 'a different reason or type is a different event',
    steps: [{}, { info: warning('Preempted', '0/3 nodes are available') }, { info: { ...failed, type: 'Normal' } }],
    events: [
      'web FailedScheduling 1: 0/3 nodes are available',
      'web Preempted 1: 0/3 nodes are available',
      'web FailedScheduling 1: 0/3 nodes are available',
    ],
  },
  {
    name: 'another source is a different event',
    steps: [{}, { recorder: 'kubelet' }, {}],
    events: ['web FailedScheduling 2: 0/3 nodes are available', 'web FailedScheduling 1: 0/3 nodes are available'],
  },
  {
    name: 'another object, or the same name with another uid, is a different event',
    steps: [{}, { about: pod('api') }, { about: pod('web', 'recreated') }, {}],
    events: [
      'api FailedScheduling 1: 0/3 nodes are available',
      'web FailedScheduling 2: 0/3 nodes are available',
      'web FailedScheduling 1: 0/3 nodes are available',
    ],
  },
  {
    name: 'a repeat long after is still aggregated while it is in the cache',
    steps: [{}, { afterMs: 24 * 3_600_000 }],
    events: ['web FailedScheduling 2: 0/3 nodes are available'],
  },
  {
    name: 'from the tenth distinct message for one reason within 10 minutes on, they are combined into one event',
    steps: Array.from({ length: 12 }, (_, i) => ({ info: warning('FailedMount', `volume ${i} not found`) })),
    events: [
      ...Array.from({ length: 9 }, (_, i) => `web FailedMount 1: volume ${i} not found`),
      'web FailedMount 3: (combined from similar events): volume 11 not found',
    ],
  },
  {
    name: 'distinct messages more than 10 minutes apart are never combined',
    steps: Array.from({ length: 10 }, (_, i) => ({ afterMs: 600_001, info: warning('FailedMount', `volume ${i}`) })),
    events: Array.from({ length: 10 }, (_, i) => `web FailedMount 1: volume ${i}`),
  },
  {
    name: 'a source gets 25 writes about one object, then one every 5 minutes',
    steps: [{ afterMs: 0, times: 30 }, { afterMs: 300_000 }, { afterMs: 0 }],
    events: ['web FailedScheduling 31: 0/3 nodes are available'],
    writes: ['create', ...Array<string>(24).fill('patch'), 'patch'],
  },
  {
    name: 'the spam budget is per object',
    steps: [
      { afterMs: 0, times: 26 },
      { afterMs: 0, about: pod('api') },
    ],
    events: ['api FailedScheduling 1: 0/3 nodes are available', 'web FailedScheduling 25: 0/3 nodes are available'],
  },
];

for (const tc of cases) {
  test(`EventRecorder: ${tc.name}`, async () => {
    const { events, writes } = await record(tc.steps);
    assert.deepEqual(events.map(summary).sort(), [...tc.events].sort());
    if (tc.writes) assert.deepEqual(writes, tc.writes);
  });
}

test('EventRecorder: an Event is named <object>.<hex timestamp> and a repeat patches only count, lastTimestamp and message', async () => {
  const { cluster, events } = await record([{}, { afterMs: 5000 }]);
  const [event] = events;
  const createdAtMs = Date.UTC(2025, 0, 1, 12, 0, 1);
  assert.match(event.metadata.name!, /^web\.[0-9a-f]+$/);
  assert.ok(BigInt(`0x${event.metadata.name!.slice(4)}`) >= BigInt(createdAtMs) * 1_000_000n);
  assert.deepEqual(
    {
      namespace: event.metadata.namespace,
      involvedObject: event.involvedObject,
      source: event.source,
      firstTimestamp: event.firstTimestamp,
      lastTimestamp: event.lastTimestamp,
      count: event.count,
      reportingComponent: event.reportingComponent,
    },
    {
      namespace: 'shop',
      involvedObject: { kind: 'Pod', apiVersion: 'v1', namespace: 'shop', name: 'web', uid: 'uid-web' },
      source: { component: 'default-scheduler' },
      firstTimestamp: '2025-01-01T12:00:01Z',
      lastTimestamp: '2025-01-01T12:00:06Z',
      count: 2,
      reportingComponent: 'default-scheduler',
    },
  );
  assert.deepEqual(cluster.callsOf('patch', 'Event')[0], {
    verb: 'patch',
    kind: 'Event',
    key: `shop/${event.metadata.name}`,
    body: { count: 2, lastTimestamp: '2025-01-01T12:00:06Z', message: '0/3 nodes are available' },
    subresource: undefined,
  });
});

test('EventRecorder: events at the same instant get distinct names; a cluster-scoped object’s go to default', async () => {
  const { events } = await record([{ about: node }, { afterMs: 0, about: node, info: warning('Other', 'x') }]);
  assert.equal(events.length, 2);
  assert.notEqual(events[0].metadata.name, events[1].metadata.name);
  assert.deepEqual(
    events.map((e) => e.metadata.namespace),
    ['default', 'default'],
  );
});

test('EventRecorder: a repeat whose Event was deleted is created again, keeping its name and count', async () => {
  const cluster = new FakeCluster();
  const recorder = new EventRecorder('default-scheduler');
  await recorder.record(cluster.ctx(), pod('web'), failed);
  const [first] = cluster.all('Event');
  cluster.remove('Event', { namespace: 'shop', name: first.metadata.name! });
  await recorder.record(cluster.ctx(), pod('web'), failed);
  const [again] = cluster.all('Event');
  assert.deepEqual([again.metadata.name, again.count], [first.metadata.name, 2]);
  assert.deepEqual(
    cluster.calls.map((c) => c.verb),
    ['create', 'patch', 'create'],
  );
});

test('EventRecorder: a failed write is logged, never thrown, and later events still go through', async () => {
  const cluster = new FakeCluster();
  cluster.failures.push({ verb: 'create', kind: 'Event', error: new StatusError(500, 'InternalError', 'etcd down') });
  const recorder = new EventRecorder('kubelet');
  await recorder.record(cluster.ctx(), pod('web'), failed);
  assert.deepEqual(
    cluster.logs.map((l) => [l.level, l.msg, l.fields?.error]),
    [['error', 'could not record event', 'etcd down']],
  );
  await recorder.record(cluster.ctx(), pod('web'), failed);
  assert.deepEqual(
    cluster.all('Event').map((e) => e.count),
    [2],
  );
});

test('EventRecorder: concurrent records are written one at a time, in order', async () => {
  const cluster = new FakeCluster();
  const recorder = new EventRecorder('kubelet');
  const ctx = cluster.ctx();
  await Promise.all([1, 2, 3].map(() => recorder.record(ctx, pod('web'), failed)));
  assert.deepEqual(
    cluster.calls.map((c) => c.verb),
    ['create', 'patch', 'patch'],
  );
  assert.equal(cluster.all('Event')[0].count, 3);
});
