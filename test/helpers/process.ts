import assert from 'node:assert/strict';
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from './eventually.js';

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  dataDir: string;
  kubeconfigPath: string;
  output(): string;
  /** SIGTERM and wait for exit. */
  stop(): Promise<void>;
  /** SIGKILL and wait for exit (crash simulation). */
  kill(): Promise<void>;
}

export async function scratchDir(prefix = 'kplane-test-'): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/**
 * Starts the real server as a user does, `npm start -- <flags>`, on a free port, and resolves once
 * it prints its URL (the kubeconfig is written by then).
 */
export async function startServerProcess(
  dataDir: string,
  extraFlags: string[] = [],
  viaNpm = true,
): Promise<ServerProcess> {
  const flags = ['--data-dir', dataDir, '--port', '0', '--dns-port', '-1', '--log-level', 'warn', ...extraFlags];
  // Its own process group, so that stopping reaches the server and not only npm (npm does not forward signals to it).
  const options: SpawnOptions = { stdio: ['ignore', 'pipe', 'pipe'], detached: true };
  const child = viaNpm
    ? spawn('npm', ['start', '--silent', '--', ...flags], options)
    : spawn(process.execPath, ['dist/src/main.js', 'serve', ...flags], options);
  let out = '';
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  // Best effort, as before: a member still alive after 5 s is left behind rather than failing the caller's cleanup.
  const groupExited = () =>
    eventually(async () => assert.ok(!groupAlive(child.pid!), 'the process group exited'), 5000, 25).catch(
      () => undefined,
    );
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 60_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /kplane serving on (\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code: number | null) => reject(new Error(`server exited with ${code}:\n${out}`)));
  });
  const waitExit = async (signal: NodeJS.Signals) => {
    if (!groupAlive(child.pid!)) return;
    process.kill(-child.pid!, signal);
    await exited;
    await groupExited();
  };
  return {
    child,
    url,
    dataDir,
    kubeconfigPath: join(dataDir, 'kubeconfig.yaml'),
    output: () => out,
    stop: () => waitExit('SIGTERM'),
    kill: () => waitExit('SIGKILL'),
  };
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}
