#!/usr/bin/env node
import { ConfigError, HelpRequested, parseServeArgs, usage } from './config/config.js';
import { startServer } from './server.js';
import { runTraceCommand } from './cli/trace.js';
import { runRealizeCommand } from './dataplane/realize/cli.js';

const commands = `usage: kplane serve [flags]
       kplane trace --from <source> --to <destination> [flags]   (kplane trace --help)
       kplane dataplane realize [flags]                          (kplane dataplane realize --help)`;

/** The CLI: `kplane serve [flags]`, `kplane trace …`, `kplane dataplane realize …`. The only place that exits the process. */
async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === 'trace') process.exit(await runTraceCommand(rest));
  if (command === 'dataplane' && rest[0] === 'realize') process.exit(await runRealizeCommand(rest.slice(1)));
  if (command !== 'serve') {
    process.stderr.write(`${commands}\n\n${usage}\n`);
    process.exit(command === undefined || command === '--help' || command === '-h' ? 0 : 2);
  }
  let config;
  try {
    config = parseServeArgs(rest);
  } catch (err) {
    if (err instanceof HelpRequested) {
      process.stdout.write(`${err.message}\n`);
      process.exit(0);
    }
    if (err instanceof ConfigError) {
      process.stderr.write(`kplane: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const server = await startServer(config);
  process.stdout.write(`kplane serving on ${server.url}\nkubeconfig: ${server.kubeconfigPath}\n`);
  if (server.insecureUrl) process.stdout.write(`insecure (no auth, loopback): ${server.insecureUrl}\n`);
  if (server.dnsPort !== undefined) process.stdout.write(`dns: ${config.host}:${server.dnsPort}\n`);
  const shutdown = () => {
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main(process.argv.slice(2)).catch((err) => {
  process.stderr.write(`kplane: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
