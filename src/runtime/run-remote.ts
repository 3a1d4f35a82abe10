import { builtinKinds } from '../registry/kinds/index.js';
import type { Logger, Reconciler } from './api.js';
import type { LeaderElectionConfig } from './leader.js';
import { kindLookup } from './local.js';
import { Manager, silentLogger } from './manager.js';
import { connectionFromKubeconfig, HttpClient, httpSource, type Connection } from './remote.js';

export interface RemoteRun {
  manager: Manager;
  stop(): Promise<void>;
}

/**
 * Runs reconcilers in this process against a server reached over HTTP — the same reconcilers that
 * run in process, now an out-of-process controller (like a controller-runtime binary).
 */
export async function runRemoteControllers(opts: {
  kubeconfig: string | Connection;
  controllers: readonly Reconciler[];
  leaderElection?: LeaderElectionConfig;
  log?: Logger;
}): Promise<RemoteRun> {
  const conn = typeof opts.kubeconfig === 'string' ? connectionFromKubeconfig(opts.kubeconfig) : opts.kubeconfig;
  const lookup = kindLookup(builtinKinds);
  const manager = new Manager({
    controllers: opts.controllers,
    source: (kind) => httpSource(conn, lookup(kind)),
    client: new HttpClient(conn, lookup),
    leaderElection: opts.leaderElection,
    log: opts.log ?? silentLogger,
  });
  await manager.start();
  return { manager, stop: () => manager.stop() };
}
