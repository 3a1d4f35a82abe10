import assert from 'node:assert/strict';
import { StatusError } from '../../src/apimachinery/errors.js';

/** The StatusError `p` is refused with; fails the test when `p` succeeds or throws anything else. */
export async function refusal(p: Promise<unknown>): Promise<StatusError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof StatusError) return err;
    throw err;
  }
  assert.fail('expected the request to be refused');
}
