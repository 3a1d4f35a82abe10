/**
 * The parent's side of an agent (responder.ts) running in a namespace: starts it with `ip netns
 * exec`, waits until it listens, sends it probes and matches the answers by id.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { extname } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { AgentReady, ProbeReply, ProbeRequest } from './agent-protocol.js';
import type { AgentSpec } from './topology.js';

/** How long an agent may take to start listening (node start-up, twice under a TypeScript loader). */
const START_TIMEOUT_MS = 30_000;
const LOADER_FLAGS = new Set(['--import', '--require', '-r', '--loader', '--experimental-loader']);

/** The agent program beside this module: `.ts` under a TypeScript loader, `.js` once compiled. */
function agentProgram(): string {
  const self = fileURLToPath(import.meta.url);
  return fileURLToPath(new URL(`./responder${extname(self)}`, import.meta.url));
}

/** The loader flags of this process (e.g. `--import tsx`), which the agent needs to run the same way; nothing else. */
function loaderArgs(execArgv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i];
    if (LOADER_FLAGS.has(arg) && i + 1 < execArgv.length) out.push(arg, execArgv[++i]);
    else if ([...LOADER_FLAGS].some((f) => arg.startsWith(`${f}=`))) out.push(arg);
  }
  return out;
}

/** A running agent. */
export class Agent {
  private nextId = 1;
  private readonly pending = new Map<number, (reply: ProbeReply) => void>();
  private readonly exited: Promise<void>;
  private stderr = '';

  private constructor(
    readonly spec: AgentSpec,
    private readonly child: ChildProcessWithoutNullStreams,
  ) {
    this.exited = new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.once('error', (err) => {
        this.stderr += err.message;
        resolve();
      });
    });
    child.stderr.on('data', (d: Buffer) => (this.stderr = (this.stderr + d.toString()).slice(-4000)));
    child.stdin.on('error', () => undefined);
    void this.exited.then(() => {
      for (const [id, resolve] of this.pending)
        resolve({ id, error: `agent ${spec.key} exited: ${this.stderr.trim()}` });
      this.pending.clear();
    });
  }

  /** The agent's process id (the `ip netns exec` process becomes the agent). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Starts the agent in its namespace; resolves once it listens on every address and port. */
  static async start(spec: AgentSpec): Promise<Agent> {
    const argv = [
      'netns',
      'exec',
      spec.netns,
      process.execPath,
      ...loaderArgs(process.execArgv),
      agentProgram(),
      JSON.stringify(spec.config),
    ];
    const agent = new Agent(spec, spawn('ip', argv, { stdio: ['pipe', 'pipe', 'pipe'] }));
    try {
      await agent.ready();
    } catch (err) {
      await agent.stop();
      throw err;
    }
    return agent;
  }

  private ready(): Promise<void> {
    const lines = createInterface({ input: this.child.stdout });
    return new Promise((resolve, reject) => {
      const fail = (why: string) => {
        clearTimeout(timer);
        reject(new Error(`agent ${this.spec.key} in ${this.spec.netns} did not start: ${why}`));
      };
      const timer = setTimeout(() => fail('timed out'), START_TIMEOUT_MS);
      void this.exited.then(() => fail(this.stderr.trim() || 'exited'));
      lines.once('line', (first) => {
        const ready = JSON.parse(first) as AgentReady;
        if (!ready.ready) return fail(ready.error ?? 'not ready');
        clearTimeout(timer);
        lines.on('line', (line) => this.onReply(JSON.parse(line) as ProbeReply));
        resolve();
      });
    });
  }

  private onReply(reply: ProbeReply): void {
    const resolve = this.pending.get(reply.id);
    this.pending.delete(reply.id);
    resolve?.(reply);
  }

  /** Sends one probe from the agent's namespace. */
  probe(request: Omit<ProbeRequest, 'id'>): Promise<ProbeReply> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.child.stdin.write(`${JSON.stringify({ ...request, id })}\n`);
    });
  }

  /** Stops the agent (closing its stdin ends it; SIGKILL if it lingers) and waits for it to exit. */
  async stop(): Promise<void> {
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 2_000);
    await this.exited;
    clearTimeout(timer);
  }
}
