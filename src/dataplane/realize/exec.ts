/** Running the plan's commands (`ip`, `sysctl`, `iptables-restore`) and reporting failures with their stderr. */
import { spawn } from 'node:child_process';
import type { Command } from './topology.js';

/** A command that exited non-zero (or could not start). */
class CommandError extends Error {
  constructor(
    readonly command: Command,
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(
      `${command.argv.join(' ')} failed${exitCode === null ? '' : ` (exit ${exitCode})`}: ${stderr.trim() || 'no output'}`,
    );
  }
}

/** Runs `command` to completion, feeding it `stdin`; resolves with its stdout, rejects with a CommandError. */
export function run(command: Command): Promise<string> {
  return new Promise((resolve, reject) => {
    const [file, ...args] = command.argv;
    const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (err) => reject(new CommandError(command, null, err.message)));
    child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new CommandError(command, code, stderr))));
    // A command that exits before reading its input must not crash us with EPIPE.
    child.stdin.on('error', () => undefined);
    child.stdin.end(command.stdin ?? '');
  });
}
