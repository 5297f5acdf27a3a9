/**
 * `npm run test:onboarding`: the product's main flow, tried as a new team would, on
 * throwaway copies of the repository:
 * 1. add the workspace file and training config that the README's "Add a team" shows
 *    (taken from the README itself, so the README cannot drift from what works), then
 *    `npm run synth`, `npm test` and `npm run check`, as the README says: all must pass;
 * 2. the same commands with `workspaces/` reduced to one workspace file.
 * `.ci/run` runs it: every onboarding pull request must go green.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ensureHelm, HelmNotFound } from './helm';
import { copyRepository, ROOT, run } from './repo-copy';

/** The README's examples: a fenced block right after `<!-- example: <path> -->`, without the indentation of its list item. */
export function readmeExamples(readme: string): { file: string; content: string }[] {
  return [...readme.matchAll(/<!-- example: (\S+) -->\n+( *)```[a-z]*\n([\s\S]*?)\n\2```/g)].map((m) => ({
    file: m[1],
    content: `${m[3].split('\n').map((line) => (line.startsWith(m[2]) ? line.slice(m[2].length) : line.trimStart())).join('\n')}\n`,
  }));
}

const COMMANDS = ['npm run synth', 'npm test', 'npm run check'];

/** Runs the README's commands in a copy prepared by `prepare`; returns whether all passed. */
function scenario(title: string, prepare: (dir: string) => void, env: NodeJS.ProcessEnv): boolean {
  const dir = copyRepository('llm-onboarding-');
  try {
    process.stdout.write(`${title}\n`);
    prepare(dir);
    for (const command of COMMANDS) {
      const r = run(command, dir, env);
      process.stdout.write(`  ${r.status === 0 ? 'ok    ' : 'FAILED'} ${command} (${r.seconds.toFixed(1)} s)\n`);
      if (r.status !== 0) {
        process.stdout.write(`${r.output.trimEnd().split('\n').slice(-40).map((l) => `    | ${l}`).join('\n')}\n`);
        return false;
      }
    }
    return true;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function main(): number {
  let helm: string;
  try {
    helm = ensureHelm();
  } catch (e) {
    if (!(e instanceof HelmNotFound)) throw e;
    process.stderr.write(`onboarding: ${e.message}\n`);
    return 1;
  }
  const env = { HELM_BIN: helm, CDK8S_CHECK_UPGRADE: 'false' };
  const examples = readmeExamples(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8'));
  if (!examples.some((e) => /^workspaces\/[^/]+\.yaml$/.test(e.file)) || !examples.some((e) => e.file.includes('/training/'))) {
    process.stderr.write('onboarding: README.md shows no example workspace file and training config (<!-- example: <path> --> before a fenced block)\n');
    return 1;
  }
  const added = scenario(`a new team, as the README shows it: ${examples.map((e) => e.file).join(', ')}`, (dir) => {
    for (const e of examples) {
      if (fs.existsSync(path.join(dir, e.file))) throw new Error(`${e.file} exists already: the README's example must be a new team`);
      fs.mkdirSync(path.dirname(path.join(dir, e.file)), { recursive: true });
      fs.writeFileSync(path.join(dir, e.file), e.content);
    }
  }, env);
  const reduced = scenario('workspaces/ reduced to one workspace file', (dir) => {
    const ws = path.join(dir, 'workspaces');
    const [keep, ...others] = fs.readdirSync(ws).filter((f) => /\.ya?ml$/.test(f)).sort();
    if (!keep) throw new Error('workspaces/ holds no workspace file');
    for (const f of others) {
      fs.rmSync(path.join(ws, f));
      fs.rmSync(path.join(ws, f.replace(/\.ya?ml$/, '')), { recursive: true, force: true });
    }
    process.stdout.write(`  kept ${keep}\n`);
  }, env);
  process.stdout.write(added && reduced ? 'onboarding: both scenarios pass\n' : 'onboarding: FAILED\n');
  return added && reduced ? 0 : 1;
}

if (require.main === module) process.exitCode = main();
