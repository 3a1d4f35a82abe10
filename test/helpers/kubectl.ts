import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The real kubectl: `$KUBECTL` when `.ci/run` had to fetch one, else the gcloud dispatcher, which
 * picks the client matching the server's minor (1.32). Tests fail, never skip, without it.
 */
export const kubectlPath = process.env.KUBECTL ?? '/usr/bin/kubectl';

/** A specific client version of the gcloud SDK (`1.27` … `1.33`); where the SDK is absent, the one kubectl there is. */
export function kubectlVersion(minor: number): string {
  const versioned = `/usr/lib/google-cloud-sdk/bin/kubectl.1.${minor}`;
  return existsSync(versioned) ? versioned : kubectlPath;
}

export interface KubectlRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs kubectl with a kubeconfig and its own discovery/OpenAPI cache dir; never throws on a non-zero exit. */
export function runKubectl(
  opts: { kubeconfig: string; cacheDir: string; binary?: string },
  ...args: string[]
): Promise<KubectlRun> {
  const binary = opts.binary ?? kubectlPath;
  assert.ok(existsSync(binary), `${binary} is required for this test`);
  const all = ['--kubeconfig', opts.kubeconfig, '--cache-dir', opts.cacheDir, ...args];
  return new Promise((resolve) => {
    execFile(binary, all, { timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Runs kubectl as `runKubectl` does and asserts it succeeded; resolves with its stdout. */
export async function kubectlOk(
  opts: { kubeconfig: string; cacheDir: string; binary?: string },
  ...args: string[]
): Promise<string> {
  const run = await runKubectl(opts, ...args);
  assert.equal(run.code, 0, `kubectl ${args.join(' ')} failed: ${run.stderr}`);
  return run.stdout;
}

/** The talk's store app, as the README applies it. */
export const storeManifest = fileURLToPath(new URL('../../examples/store.yaml', import.meta.url));
