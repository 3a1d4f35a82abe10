/**
 * `kplane trace --from pod/store/fe-prod --to svc/store/store-be:http` (docs/network-model.md#packettrace): POSTs a
 * PacketTrace to a running server through the kubeconfig and prints the hops as a table (or the
 * whole object with `-o yaml|json`).
 */
import { parseArgs } from 'node:util';
import { dump } from 'js-yaml';
import { StatusError } from '../apimachinery/errors.js';
import { connectionFromKubeconfig, request } from '../runtime/remote.js';
import type { PacketTraceSpec, PacketTraceStatus } from '../registry/kinds/packettrace/schema.js';

const traceUsage = `usage: kplane trace --from <source> --to <destination> [flags]

  --from pod/<ns>/<name> | node/<name> | ip/<address>
  --to   svc/<ns>/<name>:<port> | ip/<address>:<port> | host/<dns name>:<port> | url/<http url>
  -p, --protocol TCP|UDP        default TCP (a Service port's own protocol when --to svc names one)
  --source-port N               the flow's source port (default 40000)
  -o, --output table|yaml|json  default table
  --kubeconfig PATH             default $KUBECONFIG, then .kplane/kubeconfig.yaml`;

/** A usage problem: the message is for the person who typed the command. */
export class TraceUsageError extends Error {}

/** `pod/ns/name` → `{pod: ns/name}`, and so on. */
export function parseFrom(text: string): PacketTraceSpec['from'] {
  const [kind, ...rest] = text.split('/');
  const value = rest.join('/');
  if (!value) throw new TraceUsageError(`--from ${text}: expected pod/<ns>/<name>, node/<name> or ip/<address>`);
  if (kind === 'pod' || kind === 'po') return { pod: value };
  if (kind === 'node' || kind === 'no') return { node: value };
  if (kind === 'ip') return { ip: value };
  throw new TraceUsageError(`--from ${text}: unknown kind "${kind}" (pod, node or ip)`);
}

function splitPort(text: string, flag: string): { target: string; port: string | number | undefined } {
  const colon = text.lastIndexOf(':');
  if (colon < 0) return { target: text, port: undefined };
  const port = text.slice(colon + 1);
  if (!port) throw new TraceUsageError(`${flag}: empty port after ":"`);
  return { target: text.slice(0, colon), port: /^\d+$/.test(port) ? Number(port) : port };
}

/** `svc/ns/name:port` → `{service: ns/name, port}`, and so on. */
export function parseTo(text: string): PacketTraceSpec['to'] {
  const slash = text.indexOf('/');
  const kind = text.slice(0, slash);
  const rest = text.slice(slash + 1);
  if (slash < 0 || !rest)
    throw new TraceUsageError(
      `--to ${text}: expected svc/<ns>/<name>:<port>, ip/<address>:<port>, host/<name>:<port> or url/<url>`,
    );
  if (kind === 'url') return { url: rest };
  const { target, port } = splitPort(rest, `--to ${text}`);
  if (kind === 'svc' || kind === 'service') return { service: target, ...(port !== undefined ? { port } : {}) };
  if (kind === 'ip') return { ip: target, port };
  if (kind === 'host') return { host: target, port };
  throw new TraceUsageError(`--to ${text}: unknown kind "${kind}" (svc, ip, host or url)`);
}

function packetText(p: { protocol: string; src: string; srcPort: number; dst: string; dstPort: number }): string {
  return `${p.src}:${p.srcPort} → ${p.dst}:${p.dstPort}`;
}

function hopRows(hops: NonNullable<PacketTraceStatus['hops']>): string[][] {
  return hops.map((h, i) => [
    String(i + 1),
    h.action,
    h.node ?? '-',
    h.netns ?? '-',
    h.device ?? '-',
    packetText(h.packet),
    h.rule ?? h.description ?? '',
  ]);
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows
    .map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]))).join('  '))
    .join('\n');
}

/** The trace as a person reads it: the outcome, the hops there and back, the backends. */
export function formatTrace(status: PacketTraceStatus): string {
  const head = ['#', 'ACTION', 'NODE', 'NETNS', 'DEVICE', 'PACKET', 'RULE'];
  const lines = [`${status.outcome}${status.dropReason ? ` (${status.dropReason})` : ''}: ${status.message ?? ''}`, ''];
  if (status.dns?.queries?.length) {
    lines.push(
      `DNS via ${status.dns.server ?? 'the cluster DNS'}:`,
      ...status.dns.queries.map(
        (q) => `  ${q.name} ${q.type} → ${q.rcode}${q.answers?.length ? ` ${q.answers.join(', ')}` : ''}`,
      ),
      '',
    );
  }
  if (status.hops?.length) lines.push(table([head, ...hopRows(status.hops)]), '');
  if (status.reply?.hops?.length) lines.push('Reply:', table([head, ...hopRows(status.reply.hops)]), '');
  if (status.observedSource)
    lines.push(`The destination sees the source ${status.observedSource.ip}:${status.observedSource.port}.`);
  if (status.reply?.observedSource)
    lines.push(`The sender sees replies from ${status.reply.observedSource.ip}:${status.reply.observedSource.port}.`);
  if (status.backends?.length) {
    lines.push(
      '',
      'Backends (share of new flows):',
      ...status.backends.map(
        (b) =>
          `  ${(b.probability * 100).toFixed(1).padStart(5)}%  ${b.pod ?? b.node ?? 'internet'}  ${b.ip}:${b.port ?? ''}`,
      ),
    );
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

function defaultKubeconfig(): string {
  return process.env.KUBECONFIG?.split(':')[0] || '.kplane/kubeconfig.yaml';
}

/** Runs `kplane trace`; returns the exit code. */
export async function runTraceCommand(
  args: string[],
  out: (text: string) => void = (t) => process.stdout.write(t),
): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        from: { type: 'string' },
        to: { type: 'string' },
        protocol: { type: 'string', short: 'p' },
        'source-port': { type: 'string' },
        output: { type: 'string', short: 'o', default: 'table' },
        kubeconfig: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
    if (values.help) {
      out(`${traceUsage}\n`);
      return 0;
    }
    if (!values.from || !values.to) throw new TraceUsageError('--from and --to are required');
    if (!['table', 'yaml', 'json'].includes(values.output!))
      throw new TraceUsageError(`-o ${values.output}: expected table, yaml or json`);
  } catch (err) {
    process.stderr.write(`kplane trace: ${(err as Error).message}\n\n${traceUsage}\n`);
    return 2;
  }
  try {
    const spec: PacketTraceSpec = { from: parseFrom(values.from), to: parseTo(values.to) };
    if (values.protocol) spec.protocol = values.protocol.toUpperCase();
    if (values['source-port']) spec.sourcePort = Number(values['source-port']);
    const conn = connectionFromKubeconfig(values.kubeconfig ?? defaultKubeconfig());
    const trace = (await request(conn, 'POST', '/apis/network.kplane.io/v1alpha1/packettraces', {
      apiVersion: 'network.kplane.io/v1alpha1',
      kind: 'PacketTrace',
      spec,
    })) as {
      status: PacketTraceStatus;
    };
    if (values.output === 'json') out(`${JSON.stringify(trace, null, 2)}\n`);
    else if (values.output === 'yaml') out(dump(trace, { lineWidth: -1, noRefs: true }));
    else out(formatTrace(trace.status));
    return trace.status.outcome === 'Delivered' ? 0 : 1;
  } catch (err) {
    const message =
      err instanceof StatusError || err instanceof TraceUsageError
        ? err.message
        : String((err as Error).message ?? err);
    process.stderr.write(`kplane trace: ${message}\n`);
    return err instanceof TraceUsageError ? 2 : 1;
  }
}
