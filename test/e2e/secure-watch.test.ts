import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import { resolveConfig } from '../../src/config/config.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { eventually } from '../helpers/eventually.js';
import { scratchDir } from '../helpers/process.js';

let server: RunningServer;
let dir: Awaited<ReturnType<typeof scratchDir>>;
before(async () => {
  dir = await scratchDir();
  server = await startServer(
    resolveConfig({
      dataDir: dir.path,
      port: 0,
      dnsPort: -1,
      storage: 'memory',
      logLevel: 'silent',
      controllers: 'none',
    }),
  );
});
after(async () => {
  await server?.close();
  await dir?.remove();
});

const tokenProtocol = (token: string) =>
  `base64url.bearer.authorization.k8s.io.${Buffer.from(token).toString('base64url')}`;

function open(
  protocols: string[],
): Promise<{ ws: WebSocket; protocol: string; events: { type: string; object: { metadata: { name?: string } } }[] }> {
  const url = `${server.url.replace('https', 'wss')}/api/v1/namespaces/default/services?watch=true`;
  const ws = new WebSocket(url, protocols, { ca: server.caCertPem });
  const events: { type: string; object: { metadata: { name?: string } } }[] = [];
  ws.on('message', (data) => events.push(JSON.parse(String(data))));
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, protocol: ws.protocol, events }));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

test('a browser-style WebSocket watch over TLS authenticates with the bearer-token subprotocol', async () => {
  const { ws, protocol, events } = await open([tokenProtocol(server.adminToken), 'base64.binary.k8s.io']);
  assert.equal(protocol, 'base64.binary.k8s.io', 'the other subprotocol is echoed, never the token');
  await server.registry.create((await import('../../src/registry/kinds/service/index.js')).services, 'default', {
    metadata: { name: 'via-ws' },
    spec: { ports: [{ port: 80 }] },
  });
  await eventually(
    async () => assert.ok(events.some((e) => e.type === 'ADDED' && e.object.metadata.name === 'via-ws')),
    3000,
    20,
  );
  ws.close();
});

test('without a valid token the upgrade is refused with 401', async () => {
  await assert.rejects(open(['base64.binary.k8s.io']), /HTTP 401/);
  await assert.rejects(open([tokenProtocol('not-the-token'), 'base64.binary.k8s.io']), /HTTP 401/);
});
