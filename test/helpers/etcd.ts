import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from './eventually.js';

/** Why etcd tests cannot run here, or undefined when the `etcd` binary is on the PATH. */
export function etcdMissing(): string | undefined {
  const probe = spawnSync('etcd', ['--version'], { stdio: 'ignore' });
  return probe.error
    ? 'the etcd binary is not installed (Debian: apt-get install etcd-server; .ci/run installs it)'
    : undefined;
}

/** A throwaway single-member etcd. */
export interface EtcdProcess {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  /** SIGKILL; the data directory stays, for `restart()`. */
  kill(): Promise<void>;
  /** Starts it again on the same ports and data. */
  restart(): Promise<void>;
  /** Kills it and deletes its data. */
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();

/**
 * Starts etcd on free loopback ports with a fresh data directory (in /dev/shm when there is one:
 * etcd fsyncs every write), tuned to elect itself leader in milliseconds; resolves once healthy.
 */
export async function startEtcd(): Promise<EtcdProcess> {
  const dataDir = await mkdtemp(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'kplane-etcd-'));
  const [clientPort, peerPort] = [await freePort(), await freePort()];
  const endpoint = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const args = [
    '--name',
    'test',
    '--data-dir',
    dataDir,
    '--listen-client-urls',
    endpoint,
    '--advertise-client-urls',
    endpoint,
    '--listen-peer-urls',
    peer,
    '--initial-advertise-peer-urls',
    peer,
    '--initial-cluster',
    `test=${peer}`,
    '--heartbeat-interval',
    '10',
    '--election-timeout',
    '50',
    '--logger',
    'zap',
    '--log-level',
    'error',
  ];
  let child = await launch(args, endpoint);
  const kill = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }
    running.delete(child);
  };
  return {
    endpoint,
    kill,
    restart: async () => {
      await kill();
      child = await launch(args, endpoint);
    },
    stop: async () => {
      await kill();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Kills every etcd still running (for an `after` hook, when a test failed before stopping its own). */
export function killAllEtcd(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

async function launch(args: string[], endpoint: string): Promise<ChildProcess> {
  const child = spawn('etcd', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  running.add(child);
  let output = '';
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const outcome = await eventually(
    async () => {
      if (child.exitCode !== null) return 'exited';
      assert.ok(await healthy(endpoint), 'etcd is healthy');
      return 'healthy';
    },
    15_000,
    10,
  ).catch(() => 'unhealthy');
  if (outcome === 'healthy') return child;
  if (outcome === 'exited') throw new Error(`etcd exited with ${child.exitCode}:\n${output}`);
  child.kill('SIGKILL');
  throw new Error(`etcd did not become healthy:\n${output}`);
}

async function healthy(endpoint: string): Promise<boolean> {
  try {
    const res = await fetch(`${endpoint}/health`);
    return res.ok && ((await res.json()) as { health?: string }).health === 'true';
  } catch {
    return false;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
