import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../config/atomic-file.js';

/** A bearer token and the user it authenticates (one line of a kube-apiserver `--token-auth-file`). */
export interface TokenUser {
  token: string;
  name: string;
  uid: string;
  groups: string[];
}

/** Outcome of {@link TokenAuthenticator.authenticateWebSocketProtocols}. */
export interface WebSocketAuthResult {
  /** The authenticated user; undefined when no token protocol was offered or it was rejected. */
  user?: TokenUser;
  /** Why a token protocol was rejected (answer 401); undefined when none was offered or it was accepted. */
  error?: string;
  /** The offered subprotocols without the token one: the candidates to echo in the handshake. */
  protocols: string[];
}

const ADMIN_TOKEN_FILE = 'admin.token';
const ADMIN_TOKEN = /^[0-9a-f]{64}$/;
const WS_TOKEN_PREFIX = 'base64url.bearer.authorization.k8s.io.';
/** Kubernetes adds this group to every authenticated user; RBAC bindings rely on it. */
const AUTHENTICATED_GROUP = 'system:authenticated';

/** Returns the admin bearer token kept in `<dataDir>/admin.token`, creating a random 32-byte hex one (mode 0600). */
export async function ensureAdminToken(dataDir: string): Promise<string> {
  const path = join(dataDir, ADMIN_TOKEN_FILE);
  try {
    const existing = (await readFile(path, 'utf8')).trim();
    if (ADMIN_TOKEN.test(existing)) return existing;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const token = randomBytes(32).toString('hex');
  await writeFileAtomic(path, `${token}\n`, 0o600);
  return token;
}

/**
 * Parses kube-apiserver's token file: CSV lines `token,user,uid[,"group1,group2"]`. Blank lines and lines starting
 * with `#` are skipped, as are lines with an empty token; a later line for the same token wins. Throws an Error naming
 * the line number when a line has fewer than 3 columns or an unterminated quote.
 */
export function parseTokenAuthFile(text: string): TokenUser[] {
  const byToken = new Map<string, TokenUser>();
  text.split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === '' || line.trimStart().startsWith('#')) return;
    const fields = parseCsvLine(line, index + 1);
    if (fields.length < 3) {
      throw new Error(
        `token auth file line ${index + 1}: needs at least 3 columns (token, user name, uid), found ${fields.length}`,
      );
    }
    const [token, name, uid, groups = ''] = fields;
    if (token === '') return;
    byToken.set(token, { token, name, uid, groups: splitGroups(groups) });
  });
  return [...byToken.values()];
}

/** Reads and parses a `--token-auth-file`; errors name the file. */
export async function readTokenAuthFile(path: string): Promise<TokenUser[]> {
  try {
    return parseTokenAuthFile(await readFile(path, 'utf8'));
  } catch (err) {
    throw new Error(`${path}: ${(err as Error).message}`, { cause: err });
  }
}

function splitGroups(groups: string): string[] {
  return groups
    .split(',')
    .map((group) => group.trim())
    .filter((group) => group !== '');
}

/** Splits one CSV record (RFC 4180 quoting: `"a,b"`, `""` for a quote); fields are trimmed. */
function parseCsvLine(line: string, lineNumber: number): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const char = line[i];
    if (quoted && char === '"' && line[i + 1] === '"') {
      field += '"';
      i++;
    } else if (char === '"') {
      quoted = !quoted;
    } else if (char === ',' && !quoted) {
      fields.push(field.trim());
      field = '';
    } else {
      field += char;
    }
  }
  if (quoted) throw new Error(`token auth file line ${lineNumber}: unterminated quoted field`);
  fields.push(field.trim());
  return fields;
}

/**
 * Maps bearer tokens to users: the admin token (user `admin`, group `system:masters`) plus the entries of a token
 * file. Every user also gets the `system:authenticated` group, as in Kubernetes.
 */
export class TokenAuthenticator {
  private readonly entries: { digest: Buffer; user: TokenUser }[];

  /** `fileUsers` come from {@link parseTokenAuthFile}; an entry with the admin token replaces the admin user. */
  constructor(adminToken: string, fileUsers: readonly TokenUser[] = []) {
    const admin: TokenUser = { token: adminToken, name: 'admin', uid: 'admin', groups: ['system:masters'] };
    const byToken = new Map([admin, ...fileUsers].map((user) => [user.token, user]));
    this.entries = [...byToken.values()].map((user) => ({
      digest: digest(user.token),
      user: { ...user, groups: withAuthenticatedGroup(user.groups) },
    }));
  }

  /** The user for an `Authorization: Bearer <token>` header (any scheme case); undefined when absent or unknown. */
  authenticate(authorizationHeader: string | undefined): TokenUser | undefined {
    const parts = (authorizationHeader ?? '').trim().split(' ');
    if (parts.length < 2 || parts[0].toLowerCase() !== 'bearer' || parts[1] === '') return undefined;
    return this.lookup(parts[1]);
  }

  /**
   * Authenticates a websocket handshake by its `Sec-WebSocket-Protocol` header, where browsers put the token as
   * `base64url.bearer.authorization.k8s.io.<base64url(token)>`. As in kube-apiserver, the token protocol is removed
   * from the returned list, at least one other protocol must remain (to echo), and more than one token is an error.
   */
  authenticateWebSocketProtocols(protocolsHeader: string | string[] | undefined): WebSocketAuthResult {
    const offered = [protocolsHeader ?? []].flat().flatMap((header) => header.split(','));
    const protocols: string[] = [];
    const encodedTokens: string[] = [];
    for (const protocol of offered.map((item) => item.trim()).filter((item) => item !== '')) {
      if (protocol.startsWith(WS_TOKEN_PREFIX)) encodedTokens.push(protocol.slice(WS_TOKEN_PREFIX.length));
      else protocols.push(protocol);
    }
    if (encodedTokens.length === 0) return { protocols };
    if (encodedTokens.length > 1) return { protocols, error: 'multiple base64.bearer.authorization tokens specified' };
    const token = decodeBase64Url(encodedTokens[0]);
    if (token === undefined || token === '') {
      return { protocols, error: 'invalid base64.bearer.authorization token encoding' };
    }
    if (protocols.length === 0) return { protocols, error: 'missing additional subprotocol' };
    const user = this.lookup(token);
    return user ? { user, protocols } : { protocols, error: 'invalid bearer token' };
  }

  /** Compares digests of every entry in constant time, so timing reveals neither the token nor which entry matched. */
  private lookup(token: string): TokenUser | undefined {
    const presented = digest(token);
    let found: TokenUser | undefined;
    for (const entry of this.entries) {
      if (timingSafeEqual(entry.digest, presented)) found = entry.user;
    }
    return found;
  }
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

function withAuthenticatedGroup(groups: string[]): string[] {
  return groups.includes(AUTHENTICATED_GROUP) ? [...groups] : [...groups, AUTHENTICATED_GROUP];
}

/** Strict unpadded base64url (Go's RawURLEncoding) holding UTF-8; undefined when malformed. */
function decodeBase64Url(encoded: string): string | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(encoded)) return undefined;
  const bytes = Buffer.from(encoded, 'base64url');
  if (bytes.toString('base64url') !== encoded) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}
