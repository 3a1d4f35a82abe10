import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadAll } from 'js-yaml';
import { z } from 'zod';
import { formatCIDR, parseCIDR, parseIPv4, type Cidr } from '../net/ipv4.js';

/** A configuration problem with a message meant for the person who typed the flag or wrote the file. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Thrown by {@link parseServeArgs} for `--help`/`-h`; its message is {@link usage}, so print it and exit 0. */
export class HelpRequested extends ConfigError {
  override name = 'HelpRequested';
}

/** An inclusive port range, e.g. the NodePort range 30000-32767. */
export interface PortRange {
  first: number;
  last: number;
}

/** Parses `first-last` (1 <= first <= last <= 65535); throws {@link ConfigError} otherwise. */
export function parsePortRange(range: string): PortRange {
  const match = /^(\d{1,5})-(\d{1,5})$/.exec(range);
  const first = Number(match?.[1]);
  const last = Number(match?.[2]);
  if (!match || first < 1 || last > 65535 || first > last) {
    throw new ConfigError(`invalid port range "${range}": expected first-last with 1 <= first <= last <= 65535`);
  }
  return { first, last };
}

/**
 * Whether controller `name` runs under a kube-controller-manager style `--controllers` list (`*`, `name`, `-name`,
 * comma-separated): the first entry naming it wins, otherwise `*` enables it unless it is off by default.
 */
export function isControllerEnabled(controllers: string, name: string, disabledByDefault = false): boolean {
  let star = false;
  for (const entry of splitList(controllers)) {
    if (entry === name) return true;
    if (entry === `-${name}`) return false;
    if (entry === '*') star = true;
  }
  return star && !disabledByDefault;
}

function splitList(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** Why `value` is not a canonical IPv4 CIDR (leading zeros refused: some parsers read them as octal), or undefined when it is one. */
function cidrProblem(value: string): string | undefined {
  let parsed: Cidr;
  try {
    parsed = parseCIDR(value);
  } catch {
    return `"${value}" is not an IPv4 CIDR like 10.0.0.0/16`;
  }
  if (parseIPv4(value.split('/')[0]) !== parsed.network)
    return `"${value}" has host bits set (did you mean ${formatCIDR(parsed)}?)`;
  return undefined;
}

/** An IPv4 CIDR string; `maxPrefix` bounds how small the range may be, `why` explains the bound. */
function cidr(maxPrefix = 32, why = '') {
  return z.string().superRefine((value, ctx) => {
    const problem = cidrProblem(value);
    if (problem) {
      ctx.addIssue({ code: 'custom', message: problem });
    } else if (Number(value.split('/')[1]) > maxPrefix) {
      ctx.addIssue({ code: 'custom', message: `"${value}" is too small: need /${maxPrefix} or larger (${why})` });
    }
  });
}

const portRange = z.string().superRefine((value, ctx) => {
  try {
    parsePortRange(value);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
  }
});

const port = z.number().int().min(0).max(65535);
const dnsName = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const controllerEntry = /^(\*|-?[a-z0-9]([-a-z0-9]*[a-z0-9])?)$/;

const httpUrl = z.string().refine((value) => /^https?:$/.test(URL.canParse(value) ? new URL(value).protocol : ''), {
  message: 'must be an http:// or https:// URL',
});

/**
 * Every server setting, with its default: process flags and network ranges
 * (docs/network-model.md#addresses-and-configuration).
 */
const ServerConfigSchema = z
  .strictObject({
    host: z.string().min(1).default('127.0.0.1'),
    port: port.default(6443),
    insecurePort: port.optional(),
    dataDir: z.string().min(1).default('.kplane'),
    storage: z.enum(['level', 'memory', 'etcd']).default('level'),
    // The etcd backend speaks plain HTTP/2 only; a TLS endpoint is a configuration error, not a failed start.
    etcdEndpoints: z
      .array(
        httpUrl.refine((value) => value.startsWith('http://'), {
          message: 'TLS to etcd is not supported yet: use an http:// endpoint',
        }),
      )
      .default(() => []),
    dnsPort: z.number().int().min(-1).max(65535).default(10053),
    nodes: z.number().int().min(0).default(3),
    controllers: z
      .string()
      .refine((value) => splitList(value).every((entry) => controllerEntry.test(entry)), {
        message: 'must be a comma-separated list of "*", "name" or "-name"',
      })
      .default('*'),
    syncWrites: z.boolean().default(false),
    tokenAuthFile: z.string().min(1).optional(),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    vpcCIDR: cidr().default('10.240.0.0/16'),
    clusterCIDR: cidr(24, 'each node gets a /24 of it').default('10.4.0.0/14'),
    serviceCIDR: cidr(28, 'kube-dns takes the tenth address').default('10.0.0.0/16'),
    nodePortRange: portRange.default('30000-32767'),
    nonMasqueradeCIDRs: z.array(cidr()).default(() => ['10.0.0.0/8']),
    externalIPPool: cidr().default('198.51.100.0/24'),
    loadBalancerIPPool: cidr().default('203.0.113.0/24'),
    /** A load balancer whose backends all fail their health checks sends to all of them (GCP's backend-service NetLBs do). */
    loadBalancerFailOpen: z.boolean().default(true),
    clusterDomain: z
      .string()
      .regex(dnsName, 'must be a lowercase DNS name like cluster.local')
      .default('cluster.local'),
    clusterName: z
      .string()
      .regex(/^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/, 'must be a lowercase name usable in cloud resource names')
      .default('kplane'),
    dnsTTL: z.number().int().min(0).max(3600).default(5),
  })
  .superRefine((config, ctx) => {
    if (config.storage === 'etcd' && config.etcdEndpoints.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['etcdEndpoints'], message: 'required with storage "etcd"' });
    }
    if (config.insecurePort !== undefined && config.insecurePort !== 0 && config.insecurePort === config.port) {
      ctx.addIssue({ code: 'custom', path: ['insecurePort'], message: 'must differ from port' });
    }
    const podRanges = 2 ** (24 - Number(config.clusterCIDR.split('/')[1]));
    if (config.nodes > podRanges) {
      ctx.addIssue({
        code: 'custom',
        path: ['nodes'],
        message: `${config.nodes} nodes do not fit in clusterCIDR ${config.clusterCIDR} (${podRanges} /24 ranges)`,
      });
    }
  });

/** The validated server configuration, every default applied. */
export type ServerConfig = z.infer<typeof ServerConfigSchema>;

/** What a caller may pass to {@link resolveConfig}: any subset of the keys. */
export type ServerConfigInput = z.input<typeof ServerConfigSchema>;

type FlagKind = 'string' | 'int' | 'list' | 'boolean';

interface FlagSpec {
  flag: string;
  key: keyof ServerConfig;
  kind: FlagKind;
  help: string;
}

const FLAGS: readonly FlagSpec[] = [
  { flag: 'host', key: 'host', kind: 'string', help: 'address the API and DNS listen on' },
  { flag: 'port', key: 'port', kind: 'int', help: 'HTTPS API port (0 = pick a free one)' },
  { flag: 'insecure-port', key: 'insecurePort', kind: 'int', help: 'also serve plain HTTP, no auth (loopback only)' },
  { flag: 'data-dir', key: 'dataDir', kind: 'string', help: 'storage, certificates and kubeconfig.yaml' },
  { flag: 'storage', key: 'storage', kind: 'string', help: 'level | memory | etcd' },
  { flag: 'etcd-endpoints', key: 'etcdEndpoints', kind: 'list', help: 'comma-separated etcd URLs (storage etcd)' },
  { flag: 'dns-port', key: 'dnsPort', kind: 'int', help: 'cluster DNS port, UDP and TCP (0 = free, -1 = off)' },
  { flag: 'nodes', key: 'nodes', kind: 'int', help: 'simulated VMs created at first start' },
  { flag: 'controllers', key: 'controllers', kind: 'string', help: 'built-in controllers to run, e.g. "*,-ingress"' },
  { flag: 'sync-writes', key: 'syncWrites', kind: 'boolean', help: 'fsync every storage write' },
  { flag: 'token-auth-file', key: 'tokenAuthFile', kind: 'string', help: 'CSV of extra bearer tokens' },
  { flag: 'log-level', key: 'logLevel', kind: 'string', help: 'fatal | error | warn | info | debug | trace | silent' },
];

const FLAG_BY_KEY = new Map(FLAGS.map((spec) => [spec.key as string, spec]));
const KNOWN_KEYS = new Set(Object.keys(ServerConfigSchema.shape));

/** Parses `partial` over the defaults; throws {@link ConfigError} listing every invalid or unknown key. */
export function resolveConfig(partial: ServerConfigInput = {}): ServerConfig {
  const result = ServerConfigSchema.safeParse(partial);
  if (!result.success) {
    throw new ConfigError(`invalid configuration:\n  ${result.error.issues.map(describeIssue).join('\n  ')}`);
  }
  return result.data;
}

/** The configuration used when nothing is specified (every default of the schema above). */
export function defaultConfig(): ServerConfig {
  return resolveConfig({});
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return issue.keys.map(unknownKeyMessage).join('\n  ');
  const key = issue.path.map(String).join('.');
  const spec = FLAG_BY_KEY.get(String(issue.path[0]));
  const label = spec ? `${key} (--${spec.flag})` : key;
  return `${label}: ${issue.message}`;
}

function unknownKeyMessage(key: string): string {
  const camel = key.replace(/[-_]([a-z])/g, (_, letter: string) => letter.toUpperCase());
  const hint = camel !== key && KNOWN_KEYS.has(camel) ? ` (did you mean "${camel}"?)` : '';
  return `unknown key "${key}"${hint}`;
}

/**
 * Reads a YAML config file whose keys are the camelCase names of {@link ServerConfigSchema}. Values are not validated
 * here (flags are merged on top first), but unknown keys are rejected with the file name in the message. Relative
 * paths inside the file are relative to the working directory, like flags.
 */
function loadConfigFile(path: string): Record<string, unknown> {
  let documents: unknown[];
  try {
    documents = loadAll(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ConfigError(`config file ${path}: ${(err as Error).message}`);
  }
  if (documents.length > 1) throw new ConfigError(`config file ${path}: expected one YAML document`);
  const content = documents[0] ?? {};
  if (typeof content !== 'object' || Array.isArray(content)) {
    throw new ConfigError(`config file ${path}: expected a mapping of setting names to values`);
  }
  const unknown = Object.keys(content).filter((key) => !KNOWN_KEYS.has(key));
  if (unknown.length > 0) {
    throw new ConfigError(`config file ${path}: ${unknown.map(unknownKeyMessage).join(', ')}`);
  }
  return content as Record<string, unknown>;
}

function flagValue(spec: FlagSpec, raw: string | boolean): unknown {
  if (spec.kind === 'boolean' || spec.kind === 'string') return raw;
  const text = String(raw);
  if (spec.kind === 'list') return splitList(text);
  if (!/^-?\d+$/.test(text)) throw new ConfigError(`--${spec.flag}: expected an integer, got "${text}"`);
  return Number(text);
}

const INT_FLAGS = new Set(FLAGS.filter((spec) => spec.kind === 'int').map((spec) => `--${spec.flag}`));

/** Rewrites `--dns-port -1` as `--dns-port=-1`: parseArgs would take `-1` for an option, yet -1 means "off". */
function attachNegativeNumbers(argv: string[]): string[] {
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const next = argv[i + 1];
    if (INT_FLAGS.has(argv[i]) && next !== undefined && /^-\d+$/.test(next)) {
      args.push(`${argv[i]}=${next}`);
      i++;
    } else {
      args.push(argv[i]);
    }
  }
  return args;
}

const PARSE_OPTIONS = {
  ...Object.fromEntries(
    FLAGS.map((spec) => [spec.flag, { type: spec.kind === 'boolean' ? ('boolean' as const) : ('string' as const) }]),
  ),
  config: { type: 'string' as const },
  help: { type: 'boolean' as const, short: 'h' },
};

/**
 * Parses `kplane serve` arguments (`--flag value` or `--flag=value`; argv without the command name). Precedence:
 * flags, then the `--config` YAML file, then defaults. Throws {@link ConfigError} with a human message on any
 * problem, or {@link HelpRequested} for `--help`.
 */
export function parseServeArgs(argv: string[]): ServerConfig {
  let values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  try {
    const args = attachNegativeNumbers(argv);
    ({ values } = parseArgs({ args, options: PARSE_OPTIONS, strict: true, allowPositionals: false }));
  } catch (err) {
    throw new ConfigError(`${(err as Error).message} (see kplane serve --help)`);
  }
  if (values.help) throw new HelpRequested(usage);
  const fromFile = typeof values.config === 'string' ? loadConfigFile(values.config) : {};
  const fromFlags: Record<string, unknown> = {};
  for (const spec of FLAGS) {
    const raw = values[spec.flag];
    if (raw !== undefined && !Array.isArray(raw)) fromFlags[spec.key] = flagValue(spec, raw);
  }
  return resolveConfig({ ...fromFile, ...fromFlags } as ServerConfigInput);
}

function buildUsage(): string {
  const defaults = defaultConfig() as Record<string, unknown>;
  const show = (value: unknown) => (Array.isArray(value) ? value.join(',') : String(value));
  const flagLines = FLAGS.map((spec) => {
    const operand = spec.kind === 'boolean' ? '' : ` <${spec.kind === 'int' ? 'n' : 'value'}>`;
    const fallback = defaults[spec.key];
    const hasDefault = fallback !== undefined && fallback !== false && show(fallback) !== '';
    const suffix = hasDefault ? ` (default ${show(fallback)})` : '';
    return `  --${(spec.flag + operand).padEnd(24)} ${spec.help}${suffix}`;
  });
  const fileOnly = [...KNOWN_KEYS].filter((key) => !FLAG_BY_KEY.has(key));
  const fileLines = fileOnly.map((key) => `  ${key.padEnd(26)} default ${show(defaults[key])}`);
  return [
    'Usage: kplane serve [flags]',
    '',
    'Flags:',
    ...flagLines,
    `  --${'config <file.yaml>'.padEnd(24)} YAML file with any setting by its camelCase name; flags override it`,
    `  --${'help'.padEnd(24)} show this help`,
    '',
    'Config file only:',
    ...fileLines,
  ].join('\n');
}

/** Help text for `kplane serve --help`, with the current defaults. */
export const usage = buildUsage();
