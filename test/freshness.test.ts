import { checkOutputs } from '../scripts/check';
import { ROOT } from './helpers';

/*
 * The one test that reads the repository's own inputs (platform.yaml and workspaces/,
 * which users replace with their own): synth accepts them, and the committed dist/,
 * charts/ and schemas/ are exactly what it makes of them. Whatever teams the
 * repository holds, this passes when their output was synthesized and committed.
 */

test('the committed dist/, charts/ and schemas/ are what synth makes of the committed inputs', async () => {
  const result = await checkOutputs(ROOT);
  expect(result).toEqual({ stale: [] });
});
