import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Spawned {
  child: ChildProcess;
  /** The first capture group of `ready` in the process output. */
  match: string;
  stop(): Promise<void>;
}

/** Spawns a Node script and waits until its output matches `ready`. */
export async function spawnUntil(args: string[], ready: RegExp): Promise<Spawned> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const match = await new Promise<string>((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = ready.exec(out);
      if (m) resolve(m[1]);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}:\n${out}`)));
  });
  return {
    child,
    match,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/**
 * Starts `kplane serve` with a scratch data dir and an insecure loopback port; resolves its http
 * URL. Controllers are off (`--controllers none`) so the API path is measured alone: with them on,
 * every pod create also triggers the scheduler's and the kubelet's writes.
 */
export async function spawnKplane(flags: string[] = []): Promise<Spawned> {
  const dataDir = mkdtempSync(join(tmpdir(), 'kplane-bench-'));
  return spawnUntil(
    [
      'dist/src/main.js',
      'serve',
      '--data-dir',
      dataDir,
      '--port',
      '0',
      '--insecure-port',
      '0',
      '--dns-port',
      '-1',
      '--log-level',
      'warn',
      '--controllers',
      'none',
      ...flags,
    ],
    /insecure \(no auth, loopback\): (\S+)/,
  );
}
