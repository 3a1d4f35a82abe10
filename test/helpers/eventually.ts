/**
 * The tests' one poll-until helper: retries `check` until it resolves, so a check that asserts
 * inside reports its last failure after `timeoutMs`. Controllers and the simulated kubelet converge
 * within about a second; tests that poll local state pass a shorter `intervalMs`.
 */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 20_000, intervalMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }
}
