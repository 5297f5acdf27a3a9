// Runs once before the suites (plain JavaScript: jest loads it as it is).
// 1. Finds or fetches a real helm (build/scripts/helm.js) for the suites that run it.
// 2. Synthesizes the test fixtures (test/fixtures/) once, with the real synth command,
//    into a temporary folder that every suite reads through fixture() in helpers.ts.
const fs = require('fs');
const os = require('os');
const path = require('path');

const root = path.resolve(__dirname, '..');

module.exports = async () => {
  const { ensureHelm, HelmNotFound } = require(path.join(root, 'build', 'scripts', 'helm.js'));
  try {
    process.env.HELM_BIN = ensureHelm();
  } catch (e) {
    if (!(e instanceof HelmNotFound)) throw e;
    process.stderr.write(`\nhelm: ${e.message}\n`);
    process.exit(1);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-fixture-'));
  fs.cpSync(path.join(root, 'test', 'fixtures'), dir, { recursive: true });
  const { synthCommand } = require(path.join(root, 'build', 'lib', 'cli', 'synth-command.js'));
  let printed = '';
  const status = await synthCommand([], { cwd: dir, stdout: (t) => { printed += t; }, stderr: (t) => { printed += t; } });
  if (status !== 0) {
    process.stderr.write(`\nsynth failed on the test fixtures:\n${printed}`);
    process.exit(1);
  }
  process.env.LLM_FIXTURE_DIR = dir;
};
