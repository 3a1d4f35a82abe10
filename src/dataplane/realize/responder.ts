/**
 * The agent `realize` runs inside a pod, node or internet namespace (`ip netns exec <ns> node
 * responder.js '<AgentConfig JSON>'`). It is both ends of a probe:
 * - responder: on each configured address, TCP and UDP on every configured port plus the catch-all
 *   port, it answers with who it is and the source address it saw (a JSON line), then closes;
 * - client: each stdin line is a ProbeRequest; it sends that probe from its namespace and writes
 *   the ProbeReply as a stdout line.
 * It exits when stdin closes, so agents never outlive the process that started them.
 * Node built-ins only: it must start fast, and many at once.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { createInterface } from 'node:readline';
import type { AgentConfig, AgentReady, Endpoint, ProbeReply, ProbeRequest, ResponderAnswer } from './agent-protocol.js';

const config = JSON.parse(process.argv[2] ?? '{}') as AgentConfig;

function write(message: ProbeReply | AgentReady): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

function answer(ip: string, port: number, peer: Endpoint): string {
  const reported = port === config.catchAllPort ? 0 : port;
  const body: ResponderAnswer = { pod: config.pod, node: config.node, ip, port: reported, peer };
  return `${JSON.stringify(body)}\n`;
}

function listenTcp(ip: string, port: number): Promise<void> {
  const server = net.createServer((socket) => {
    socket.on('error', () => socket.destroy());
    socket.end(answer(ip, port, { ip: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 }));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: ip, port, exclusive: true }, () => resolve());
  });
}

function listenUdp(ip: string, port: number): Promise<void> {
  const socket = dgram.createSocket('udp4');
  socket.on('message', (_msg, rinfo) =>
    socket.send(answer(ip, port, { ip: rinfo.address, port: rinfo.port }), rinfo.port, rinfo.address),
  );
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ address: ip, port, exclusive: true }, () => resolve());
  });
}

const errorCode = (err: unknown): string => (err as NodeJS.ErrnoException).code ?? String(err);

/** Runs `start(finish)` and resolves with the first thing passed to `finish`, or a timeout. */
function settle(
  timeoutMs: number,
  start: (finish: (r: Omit<ProbeReply, 'id'>) => void) => () => void,
): Promise<Omit<ProbeReply, 'id'>> {
  return new Promise((resolve) => {
    let done = false;
    let cleanup = () => {};
    const finish = (r: Omit<ProbeReply, 'id'>) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      cleanup();
      resolve(r);
    };
    const timer = setTimeout(() => finish({ error: 'timeout' }), timeoutMs);
    cleanup = start(finish);
  });
}

function parseAnswer(text: string): ResponderAnswer | undefined {
  try {
    return JSON.parse(text) as ResponderAnswer;
  } catch {
    return undefined;
  }
}

function probeTcp(req: ProbeRequest): Promise<Omit<ProbeReply, 'id'>> {
  return settle(req.timeoutMs, (finish) => {
    const socket = net.connect({
      host: req.to.ip,
      port: req.to.port,
      localPort: req.sourcePort,
      localAddress: req.sourceIP,
    });
    let replySource: Endpoint | undefined;
    let data = '';
    socket.on('connect', () => (replySource = { ip: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 }));
    socket.on('data', (chunk) => (data += chunk.toString()));
    socket.on('end', () => {
      const parsed = parseAnswer(data);
      finish(parsed ? { answer: parsed, replySource } : { error: `unreadable answer ${JSON.stringify(data)}` });
    });
    socket.on('error', (err) => finish({ error: errorCode(err) }));
    return () => socket.destroy();
  });
}

function probeUdp(req: ProbeRequest): Promise<Omit<ProbeReply, 'id'>> {
  return settle(req.timeoutMs, (finish) => {
    // Connected, so an ICMP port-unreachable (kube-proxy's REJECT) surfaces as ECONNREFUSED.
    const socket = dgram.createSocket('udp4');
    socket.on('error', (err) => finish({ error: errorCode(err) }));
    socket.on('message', (msg, rinfo) => {
      const parsed = parseAnswer(msg.toString());
      finish(
        parsed
          ? { answer: parsed, replySource: { ip: rinfo.address, port: rinfo.port } }
          : { error: `unreadable answer ${JSON.stringify(msg.toString())}` },
      );
    });
    socket.bind({ address: req.sourceIP, port: req.sourcePort, exclusive: true }, () => {
      // A failed connect is reported through the 'error' listener above.
      socket.connect(req.to.port, req.to.ip, () => socket.send('probe'));
    });
    return () => {
      try {
        socket.close();
      } catch {
        // Already closed by a failed bind: nothing left to release.
      }
    };
  });
}

async function handle(line: string): Promise<void> {
  if (!line.trim()) return;
  const req = JSON.parse(line) as ProbeRequest;
  const result = req.protocol === 'UDP' ? await probeUdp(req) : await probeTcp(req);
  write({ id: req.id, ...result });
}

async function main(): Promise<void> {
  const ports = [...config.ports, config.catchAllPort];
  try {
    await Promise.all(
      config.addresses.flatMap((ip) => ports.flatMap((port) => [listenTcp(ip, port), listenUdp(ip, port)])),
    );
  } catch (err) {
    write({ ready: false, error: String(err) });
    process.exit(1);
  }
  write({ ready: true });
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => void handle(line));
  lines.on('close', () => process.exit(0));
}

void main();
