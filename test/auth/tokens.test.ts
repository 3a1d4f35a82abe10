import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  TokenAuthenticator,
  ensureAdminToken,
  parseTokenAuthFile,
  readTokenAuthFile,
  type TokenUser,
} from '../../src/auth/tokens.js';

describe('ensureAdminToken', () => {
  let dataDir: string;
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'kplane-token-'));
  });
  after(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  test('creates a 32-byte hex token in admin.token, mode 0600, and reuses it', async () => {
    const token = await ensureAdminToken(dataDir);
    assert.match(token, /^[0-9a-f]{64}$/);
    const path = join(dataDir, 'admin.token');
    assert.equal((await readFile(path, 'utf8')).trim(), token);
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    assert.equal(await ensureAdminToken(dataDir), token);
  });

  test('replaces a corrupt token file', async () => {
    const other = await mkdtemp(join(tmpdir(), 'kplane-token-'));
    try {
      await writeFile(join(other, 'admin.token'), 'not a token\n');
      assert.match(await ensureAdminToken(other), /^[0-9a-f]{64}$/);
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });
});

/** A file user with no groups. */
function plain(token: string, name: string, uid: string): TokenUser {
  return { token, name, uid, groups: [] };
}

describe('parseTokenAuthFile', () => {
  const cases: { name: string; text: string; expected: TokenUser[] }[] = [
    { name: 'three columns', text: 't1,alice,1001', expected: [plain('t1', 'alice', '1001')] },
    {
      name: 'quoted groups',
      text: 't1,alice,1001,"dev,ops"',
      expected: [{ token: 't1', name: 'alice', uid: '1001', groups: ['dev', 'ops'] }],
    },
    {
      name: 'single unquoted group',
      text: 't1,alice,1001,dev',
      expected: [{ token: 't1', name: 'alice', uid: '1001', groups: ['dev'] }],
    },
    {
      name: 'comments, blank lines and CRLF',
      text: '# token,user,uid,groups\r\n\r\n  \nt1,alice,1001\r\n  # indented comment\nt2,bob,1002,"system:masters"\n',
      expected: [
        { token: 't1', name: 'alice', uid: '1001', groups: [] },
        { token: 't2', name: 'bob', uid: '1002', groups: ['system:masters'] },
      ],
    },
    {
      name: 'spaces around fields and groups are trimmed',
      text: ' t1 , alice , 1001 , " dev , ops ,"',
      expected: [{ token: 't1', name: 'alice', uid: '1001', groups: ['dev', 'ops'] }],
    },
    {
      name: 'doubled quote inside a quoted field',
      text: 't1,"al""ice",1001',
      expected: [{ token: 't1', name: 'al"ice', uid: '1001', groups: [] }],
    },
    { name: 'empty token line is skipped', text: ',nobody,0\nt1,alice,1', expected: [plain('t1', 'alice', '1')] },
    {
      name: 'later duplicate token wins',
      text: 't1,alice,1\nt1,bob,2',
      expected: [{ token: 't1', name: 'bob', uid: '2', groups: [] }],
    },
    {
      name: 'extra columns are ignored',
      text: 't1,alice,1,dev,extra',
      expected: [{ ...plain('t1', 'alice', '1'), groups: ['dev'] }],
    },
    { name: 'empty file', text: '', expected: [] },
  ];
  for (const tc of cases) {
    test(tc.name, () => {
      assert.deepEqual(parseTokenAuthFile(tc.text), tc.expected);
    });
  }

  const invalid: { name: string; text: string; message: RegExp }[] = [
    { name: 'two columns', text: 't1,alice,1\n# c\nt2,bob', message: /line 3: needs at least 3 columns .* found 2/ },
    { name: 'one column', text: 'just-a-token', message: /line 1: .* found 1/ },
    { name: 'unterminated quote', text: 't1,alice,1,"dev', message: /line 1: unterminated/ },
  ];
  for (const tc of invalid) {
    test(`rejects ${tc.name}`, () => {
      assert.throws(() => parseTokenAuthFile(tc.text), tc.message);
    });
  }

  test('readTokenAuthFile names the file in errors', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kplane-token-'));
    try {
      const path = join(dir, 'tokens.csv');
      await writeFile(path, 't1,alice,1\nbroken\n');
      const expected = `${path}: token auth file line 2: needs at least 3 columns (token, user name, uid), found 1`;
      await assert.rejects(readTokenAuthFile(path), { message: expected });
      await writeFile(path, 't1,alice,1\n');
      assert.deepEqual(await readTokenAuthFile(path), [{ token: 't1', name: 'alice', uid: '1', groups: [] }]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

const ADMIN = 'a'.repeat(64);
const authenticator = new TokenAuthenticator(ADMIN, parseTokenAuthFile('alice-token,alice,1001,"dev,ops"\n'));

describe('TokenAuthenticator.authenticate', () => {
  const cases: { name: string; header: string | undefined; user?: string; groups?: string[] }[] = [
    {
      name: 'admin token',
      header: `Bearer ${ADMIN}`,
      user: 'admin',
      groups: ['system:masters', 'system:authenticated'],
    },
    { name: 'file user', header: 'Bearer alice-token', user: 'alice', groups: ['dev', 'ops', 'system:authenticated'] },
    { name: 'lower-case scheme', header: 'bearer alice-token', user: 'alice' },
    { name: 'upper-case scheme', header: 'BEARER alice-token', user: 'alice' },
    { name: 'surrounding whitespace', header: '  Bearer alice-token  ', user: 'alice' },
    { name: 'no header', header: undefined },
    { name: 'empty header', header: '' },
    { name: 'unknown token', header: 'Bearer nope' },
    { name: 'token prefix', header: 'Bearer alice' },
    { name: 'token with suffix', header: 'Bearer alice-token2' },
    { name: 'basic scheme', header: 'Basic YWxpY2U6cHc=' },
    { name: 'scheme only', header: 'Bearer' },
    { name: 'two spaces before the token', header: 'Bearer  alice-token' },
    { name: 'token without scheme', header: 'alice-token' },
  ];
  for (const tc of cases) {
    test(tc.name, () => {
      const user = authenticator.authenticate(tc.header);
      assert.equal(user?.name, tc.user);
      if (tc.groups) assert.deepEqual(user?.groups, tc.groups);
    });
  }

  test('a file entry with the admin token replaces the admin user', () => {
    const custom = new TokenAuthenticator(ADMIN, [{ token: ADMIN, name: 'root', uid: '0', groups: [] }]);
    assert.equal(custom.authenticate(`Bearer ${ADMIN}`)?.name, 'root');
  });
});

describe('TokenAuthenticator.authenticateWebSocketProtocols', () => {
  const prefix = 'base64url.bearer.authorization.k8s.io.';
  const tokenProtocol = (token: string) => `${prefix}${Buffer.from(token).toString('base64url')}`;
  const cases: {
    name: string;
    header: string | string[] | undefined;
    user?: string;
    error?: RegExp;
    protocols: string[];
  }[] = [
    { name: 'no header', header: undefined, protocols: [] },
    { name: 'no token protocol', header: 'base64.binary.k8s.io', protocols: ['base64.binary.k8s.io'] },
    {
      name: 'token plus one protocol',
      header: `${tokenProtocol('alice-token')}, base64.binary.k8s.io`,
      user: 'alice',
      protocols: ['base64.binary.k8s.io'],
    },
    {
      name: 'token in a repeated header',
      header: ['binary.k8s.io', tokenProtocol(ADMIN)],
      user: 'admin',
      protocols: ['binary.k8s.io'],
    },
    {
      name: 'several protocols are kept in order',
      header: `v4.channel.k8s.io,${tokenProtocol('alice-token')},base64.binary.k8s.io`,
      user: 'alice',
      protocols: ['v4.channel.k8s.io', 'base64.binary.k8s.io'],
    },
    { name: 'token alone', header: tokenProtocol('alice'), error: /missing additional subprotocol/, protocols: [] },
    {
      name: 'unknown token',
      header: `${tokenProtocol('nope')}, binary.k8s.io`,
      error: /invalid bearer token/,
      protocols: ['binary.k8s.io'],
    },
    {
      name: 'two tokens',
      header: `${tokenProtocol('alice-token')}, ${tokenProtocol(ADMIN)}, binary.k8s.io`,
      error: /multiple/,
      protocols: ['binary.k8s.io'],
    },
    {
      name: 'padded (not raw) base64url',
      header: `${prefix}YQ==, binary.k8s.io`,
      error: /encoding/,
      protocols: ['binary.k8s.io'],
    },
    {
      name: 'standard base64 alphabet',
      header: `${prefix}a+b/, binary.k8s.io`,
      error: /encoding/,
      protocols: ['binary.k8s.io'],
    },
    {
      name: 'invalid UTF-8',
      header: `${prefix}${Buffer.from([0xff, 0xfe]).toString('base64url')}, binary.k8s.io`,
      error: /encoding/,
      protocols: ['binary.k8s.io'],
    },
    {
      name: 'empty token',
      header: `${prefix}, binary.k8s.io`,
      error: /encoding/,
      protocols: ['binary.k8s.io'],
    },
  ];
  for (const tc of cases) {
    test(tc.name, () => {
      const result = authenticator.authenticateWebSocketProtocols(tc.header);
      assert.equal(result.user?.name, tc.user);
      assert.deepEqual(result.protocols, tc.protocols);
      if (tc.error) assert.match(result.error ?? '', tc.error);
      else assert.equal(result.error, undefined);
    });
  }
});
