/**
 * kplane as a library: the controller SDK (define reconcilers, run them in process or against any
 * server over HTTP) and the in-process test environment.
 */
export * from './runtime/api.js';
export { startTestEnv, type TestEnv, type TestEnvOptions } from './runtime/testenv.js';
export { Manager, type ManagerOptions } from './runtime/manager.js';
export { runRemoteControllers, type RemoteRun } from './runtime/run-remote.js';
export { connectionFromKubeconfig, type Connection } from './runtime/remote.js';
export { realClock, FakeClock } from './runtime/clock.js';
export {
  EventRecorder,
  type EventContext,
  type EventInfo,
  type EventType,
  type InvolvedObject,
} from './runtime/events.js';
export { startServer, type RunningServer } from './server.js';
export type { AdmissionHook, Txn } from './registry/admission.js';
