import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  ConfigError,
  HelpRequested,
  defaultConfig,
  isControllerEnabled,
  parsePortRange,
  parseServeArgs,
  resolveConfig,
  usage,
  type ServerConfig,
} from '../../src/config/config.js';

/** An assert.throws validator: a ConfigError whose message matches `pattern`. */
function configError(pattern: RegExp) {
  return (err: unknown) => err instanceof ConfigError && pattern.test(err.message);
}

describe('defaults', () => {
  // The documented defaults (README's flags, docs/network-model.md#addresses-and-configuration), plus the rest.
  const contract: Partial<ServerConfig> = {
    host: '127.0.0.1',
    port: 6443,
    insecurePort: undefined,
    dataDir: '.kplane',
    storage: 'level',
    etcdEndpoints: [],
    dnsPort: 10053,
    nodes: 3,
    controllers: '*',
    syncWrites: false,
    tokenAuthFile: undefined,
    logLevel: 'info',
    vpcCIDR: '10.240.0.0/16',
    clusterCIDR: '10.4.0.0/14',
    serviceCIDR: '10.0.0.0/16',
    nodePortRange: '30000-32767',
    nonMasqueradeCIDRs: ['10.0.0.0/8'],
    externalIPPool: '198.51.100.0/24',
    loadBalancerIPPool: '203.0.113.0/24',
    clusterDomain: 'cluster.local',
    clusterName: 'kplane',
    dnsTTL: 5,
  };
  for (const [key, expected] of Object.entries(contract)) {
    test(`${key} defaults to ${JSON.stringify(expected)}`, () => {
      assert.deepEqual(defaultConfig()[key as keyof ServerConfig], expected);
    });
  }

  test('no argument gives the defaults', () => {
    assert.deepEqual(parseServeArgs([]), defaultConfig());
  });

  test('defaults are fresh objects, so callers cannot corrupt each other', () => {
    const first = defaultConfig();
    first.nonMasqueradeCIDRs.push('172.16.0.0/12');
    assert.deepEqual(defaultConfig().nonMasqueradeCIDRs, ['10.0.0.0/8']);
  });
});

describe('flags', () => {
  const cases: { name: string; argv: string[]; expected: Partial<ServerConfig> }[] = [
    { name: 'separate value', argv: ['--port', '7443'], expected: { port: 7443 } },
    { name: '= form', argv: ['--port=0', '--host=0.0.0.0'], expected: { port: 0, host: '0.0.0.0' } },
    { name: 'insecure port', argv: ['--insecure-port', '8080'], expected: { insecurePort: 8080 } },
    { name: 'data dir', argv: ['--data-dir', '/tmp/x'], expected: { dataDir: '/tmp/x' } },
    { name: 'memory storage', argv: ['--storage=memory'], expected: { storage: 'memory' } },
    {
      name: 'etcd endpoints are comma-separated',
      argv: ['--storage', 'etcd', '--etcd-endpoints', 'http://a:2379, http://b:2379'],
      expected: { storage: 'etcd', etcdEndpoints: ['http://a:2379', 'http://b:2379'] },
    },
    { name: 'DNS off', argv: ['--dns-port=-1'], expected: { dnsPort: -1 } },
    { name: 'DNS off, separate value', argv: ['--dns-port', '-1'], expected: { dnsPort: -1 } },
    { name: 'nodes', argv: ['--nodes', '0'], expected: { nodes: 0 } },
    { name: 'controllers', argv: ['--controllers', '*,-dns'], expected: { controllers: '*,-dns' } },
    { name: 'sync writes', argv: ['--sync-writes'], expected: { syncWrites: true } },
    { name: 'token file', argv: ['--token-auth-file', 't.csv'], expected: { tokenAuthFile: 't.csv' } },
    { name: 'log level', argv: ['--log-level=debug'], expected: { logLevel: 'debug' } },
    { name: 'last repeat wins', argv: ['--nodes', '1', '--nodes', '2'], expected: { nodes: 2 } },
  ];
  for (const tc of cases) {
    test(tc.name, () => {
      assert.deepEqual(parseServeArgs(tc.argv), { ...defaultConfig(), ...tc.expected });
    });
  }

  test('--help throws HelpRequested carrying the usage', () => {
    for (const argv of [['--help'], ['-h'], ['--port', '1', '--help']]) {
      assert.throws(
        () => parseServeArgs(argv),
        (err: unknown) => err instanceof HelpRequested && err instanceof ConfigError && err.message === usage,
      );
    }
  });

  test('usage names every flag and file-only key with its default', () => {
    for (const text of ['--data-dir', '--etcd-endpoints', '--sync-writes', '--config', 'serviceCIDR', '10.4.0.0/14']) {
      assert.ok(usage.includes(text), text);
    }
  });
});

describe('invalid input throws ConfigError', () => {
  const cases: { name: string; argv: string[]; message: RegExp }[] = [
    { name: 'unknown flag', argv: ['--bogus'], message: /bogus/ },
    { name: 'positional argument', argv: ['extra'], message: /extra/ },
    { name: 'missing value', argv: ['--port'], message: /port/ },
    { name: 'non-integer port', argv: ['--port', '64x'], message: /--port: expected an integer, got "64x"/ },
    { name: 'port too large', argv: ['--port', '70000'], message: /port \(--port\)/ },
    { name: 'negative port', argv: ['--port=-1'], message: /port \(--port\)/ },
    { name: 'DNS port below -1', argv: ['--dns-port=-2'], message: /dnsPort/ },
    { name: 'unknown storage', argv: ['--storage', 'sqlite'], message: /storage \(--storage\)/ },
    { name: 'etcd without endpoints', argv: ['--storage', 'etcd'], message: /etcdEndpoints.*required/ },
    { name: 'endpoint not a URL', argv: ['--etcd-endpoints', 'a:2379'], message: /http:\/\/ or https:\/\// },
    {
      name: 'TLS etcd endpoint',
      argv: ['--storage', 'etcd', '--etcd-endpoints', 'https://a:2379'],
      message: /TLS to etcd is not supported yet/,
    },
    { name: 'bad controllers entry', argv: ['--controllers', '*,--dns'], message: /controllers/ },
    { name: 'bad log level', argv: ['--log-level', 'loud'], message: /logLevel/ },
    { name: 'same insecure and secure port', argv: ['--port=8080', '--insecure-port=8080'], message: /differ/ },
    { name: 'boolean with value', argv: ['--sync-writes=false'], message: /sync-writes/ },
    { name: 'missing config file', argv: ['--config', '/nonexistent/kplane.yaml'], message: /kplane\.yaml/ },
  ];
  for (const tc of cases) {
    test(tc.name, () => {
      assert.throws(() => parseServeArgs(tc.argv), configError(tc.message));
    });
  }
});

describe('network range validation', () => {
  const cases: { name: string; partial: Record<string, unknown>; message?: RegExp }[] = [
    {
      name: 'valid CIDRs',
      partial: { vpcCIDR: '10.128.0.0/9', serviceCIDR: '10.9.0.0/16', externalIPPool: '35.0.0.0/24' },
    },
    { name: '/0 and /32 are valid', partial: { nonMasqueradeCIDRs: ['0.0.0.0/0', '10.1.2.3/32'] } },
    {
      name: 'host bits set',
      partial: { serviceCIDR: '10.0.0.1/16' },
      message: /host bits set \(did you mean 10\.0\.0\.0\/16\?\)/,
    },
    { name: 'octet over 255', partial: { vpcCIDR: '10.256.0.0/16' }, message: /vpcCIDR/ },
    { name: 'leading zero', partial: { vpcCIDR: '010.0.0.0/8' }, message: /not an IPv4 CIDR/ },
    { name: 'prefix over 32', partial: { externalIPPool: '1.2.3.0/33' }, message: /externalIPPool/ },
    { name: 'no prefix', partial: { loadBalancerIPPool: '203.0.113.0' }, message: /loadBalancerIPPool/ },
    { name: 'IPv6', partial: { clusterCIDR: 'fd00::/48' }, message: /clusterCIDR/ },
    {
      name: 'list entry',
      partial: { nonMasqueradeCIDRs: ['10.0.0.0/8', '172.16.0.1/12'] },
      message: /nonMasqueradeCIDRs\.1/,
    },
    { name: 'clusterCIDR smaller than /24', partial: { clusterCIDR: '10.4.0.0/25' }, message: /\/24 or larger/ },
    { name: 'serviceCIDR without a tenth address', partial: { serviceCIDR: '10.0.0.0/29' }, message: /serviceCIDR/ },
    { name: 'more nodes than /24s', partial: { clusterCIDR: '10.4.0.0/23', nodes: 3 }, message: /3 nodes do not fit/ },
    { name: 'port range', partial: { nodePortRange: '20000-20010' } },
    { name: 'reversed port range', partial: { nodePortRange: '32767-30000' }, message: /nodePortRange/ },
    { name: 'port range over 65535', partial: { nodePortRange: '30000-70000' }, message: /nodePortRange/ },
    { name: 'port range zero', partial: { nodePortRange: '0-100' }, message: /nodePortRange/ },
    { name: 'single port', partial: { nodePortRange: '30000' }, message: /nodePortRange/ },
    { name: 'upper-case domain', partial: { clusterDomain: 'Cluster.Local' }, message: /clusterDomain/ },
    { name: 'cluster name with a dot', partial: { clusterName: 'my.cluster' }, message: /clusterName/ },
    { name: 'unknown key', partial: { serviceCidr: '10.0.0.0/16' }, message: /unknown key "serviceCidr"/ },
  ];
  for (const tc of cases) {
    test(tc.name, () => {
      if (!tc.message) {
        assert.deepEqual(resolveConfig(tc.partial), { ...defaultConfig(), ...tc.partial });
        return;
      }
      assert.throws(() => resolveConfig(tc.partial), configError(tc.message));
    });
  }

  test('every problem is reported at once', () => {
    assert.throws(() => resolveConfig({ port: -5, vpcCIDR: 'x' }), configError(/port \(--port\).*\n.*vpcCIDR/));
  });
});

describe('config file', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kplane-config-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function configFile(name: string, yaml: string): Promise<string> {
    const path = join(dir, name);
    await writeFile(path, yaml);
    return path;
  }

  test('values are merged over the defaults', async () => {
    const path = await configFile(
      'talk.yaml',
      [
        'port: 7443',
        'storage: memory',
        'clusterCIDR: 10.11.0.0/16',
        'serviceCIDR: 10.9.0.0/16',
        'nonMasqueradeCIDRs: [10.0.0.0/8, 172.16.0.0/12]',
        'loadBalancerIPPool: 86.75.30.0/24',
        'etcdEndpoints:',
        '  - http://etcd-0:2379',
        'syncWrites: true',
      ].join('\n'),
    );
    assert.deepEqual(parseServeArgs(['--config', path]), {
      ...defaultConfig(),
      port: 7443,
      storage: 'memory',
      clusterCIDR: '10.11.0.0/16',
      serviceCIDR: '10.9.0.0/16',
      nonMasqueradeCIDRs: ['10.0.0.0/8', '172.16.0.0/12'],
      loadBalancerIPPool: '86.75.30.0/24',
      etcdEndpoints: ['http://etcd-0:2379'],
      syncWrites: true,
    });
  });

  test('flags override file values, wherever --config appears', async () => {
    const path = await configFile('precedence.yaml', 'port: 7443\nnodes: 5\nhost: 0.0.0.0\n');
    const expected = { ...defaultConfig(), port: 9443, nodes: 5, host: '0.0.0.0' };
    assert.deepEqual(parseServeArgs(['--port', '9443', `--config=${path}`]), expected);
    assert.deepEqual(parseServeArgs([`--config=${path}`, '--port', '9443']), expected);
  });

  test('an empty file or one with only comments means defaults', async () => {
    for (const [name, text] of [
      ['empty.yaml', ''],
      ['comments.yaml', '# nothing yet\n'],
    ]) {
      assert.deepEqual(parseServeArgs(['--config', await configFile(name, text)]), defaultConfig());
    }
  });

  const invalid: { name: string; yaml: string; message: RegExp }[] = [
    { name: 'unknown key', yaml: 'port: 1\nfoo: bar\n', message: /unknown key "foo"/ },
    { name: 'flag spelling', yaml: 'data-dir: /x\n', message: /unknown key "data-dir" \(did you mean "dataDir"\?\)/ },
    { name: 'not a mapping', yaml: '- port\n', message: /expected a mapping/ },
    { name: 'two documents', yaml: 'port: 1\n---\nport: 2\n', message: /one YAML document/ },
    { name: 'syntax error', yaml: 'port: [1\n', message: /bad\.yaml/ },
    { name: 'wrong type', yaml: 'port: "6443"\n', message: /port \(--port\)/ },
    { name: 'bad CIDR', yaml: 'clusterCIDR: 10.4.0.1/14\n', message: /host bits set/ },
    { name: 'bad port range', yaml: 'nodePortRange: 30000:32767\n', message: /invalid port range/ },
  ];
  for (const tc of invalid) {
    test(`rejects ${tc.name}`, async () => {
      const path = await configFile('bad.yaml', tc.yaml);
      assert.throws(() => parseServeArgs(['--config', path]), configError(tc.message));
    });
  }
});

describe('parsePortRange', () => {
  test('returns inclusive bounds', () => {
    assert.deepEqual(parsePortRange('30000-32767'), { first: 30000, last: 32767 });
    assert.deepEqual(parsePortRange('80-80'), { first: 80, last: 80 });
  });
  test('throws ConfigError on nonsense', () => {
    assert.throws(() => parsePortRange('a-b'), ConfigError);
  });
});

describe('isControllerEnabled', () => {
  const cases: { spec: string; name: string; disabledByDefault?: boolean; expected: boolean }[] = [
    { spec: '*', name: 'dns', expected: true },
    { spec: '*,-dns', name: 'dns', expected: false },
    { spec: '*,-dns', name: 'endpoints', expected: true },
    { spec: '-dns,*', name: 'dns', expected: false },
    { spec: 'dns,-dns', name: 'dns', expected: true },
    { spec: 'endpoints', name: 'dns', expected: false },
    { spec: '', name: 'dns', expected: false },
    { spec: '*', name: 'route', disabledByDefault: true, expected: false },
    { spec: '*,route', name: 'route', disabledByDefault: true, expected: true },
  ];
  for (const tc of cases) {
    const offByDefault = tc.disabledByDefault ? ' (off by default)' : '';
    test(`"${tc.spec}" ${tc.expected ? 'runs' : 'skips'} ${tc.name}${offByDefault}`, () => {
      assert.equal(isControllerEnabled(tc.spec, tc.name, tc.disabledByDefault), tc.expected);
    });
  }
});
