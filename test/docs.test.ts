import * as fs from 'fs';
import * as path from 'path';
import { readmeExamples } from '../scripts/onboarding';
import { REFERENCE_FILE, referenceDocument } from '../scripts/reference';
import { ROOT, sandbox } from './helpers';

/*
 * The README and docs/: the two commands first, a short README with a table of
 * contents, links that lead somewhere, a generated reference that is current, and an
 * example team that synth accepts as it is written.
 */

const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const docs = ['README.md', ...fs.readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

/** GitHub's anchor for a heading. */
function anchor(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s-]/gu, '').replace(/\s/g, '-');
}

function headings(file: string): string[] {
  const text = fs.readFileSync(path.join(ROOT, file), 'utf8').replace(/^```[\s\S]*?^```/gm, '');
  return [...text.matchAll(/^#{1,6} (.+)$/gm)].map((m) => anchor(m[1]));
}

test('the README starts with exactly the two commands', () => {
  expect(readme.split('\n').slice(2, 6)).toEqual(['```sh', 'npm ci && npm run synth', 'npm test', '```']);
});

test('the README stays short, with a table of contents of its sections', () => {
  expect(readme.split('\n').length).toBeLessThanOrEqual(250);
  const contents = readme.slice(readme.indexOf('## Contents'), readme.indexOf('\n## ', readme.indexOf('## Contents') + 1));
  const listed = [...contents.matchAll(/\]\(#([^)]+)\)/g)].map((m) => m[1]);
  const sections = [...readme.matchAll(/^## (.+)$/gm)].map((m) => anchor(m[1])).filter((a) => a !== 'contents');
  expect(listed).toEqual(sections);
});

test('every link between the README and docs/ leads to a file and heading that exist', () => {
  const broken = docs.flatMap((file) => [...fs.readFileSync(path.join(ROOT, file), 'utf8').matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1]).filter((link) => !/^[a-z]+:/.test(link)).flatMap((link) => {
      const [target, hash] = link.split('#');
      const to = target ? path.posix.normalize(path.posix.join(path.posix.dirname(file), target)) : file;
      if (!fs.existsSync(path.join(ROOT, to))) return [`${file}: ${link} (no file ${to})`];
      if (hash && to.endsWith('.md') && !headings(to).includes(hash)) return [`${file}: ${link} (no heading #${hash} in ${to})`];
      return [];
    }));
  expect(broken).toEqual([]);
});

test(`${REFERENCE_FILE} is what the schemas and the policy make (npm run docs)`, () => {
  expect(fs.readFileSync(path.join(ROOT, REFERENCE_FILE), 'utf8')).toBe(referenceDocument());
});

test('the README\'s example team is valid as written: a served model and a training run', () => {
  const examples = readmeExamples(readme);
  expect(examples.map((e) => e.file)).toEqual(['workspaces/team-gamma.yaml', 'workspaces/team-gamma/training/sft_v1.yaml']);
  const box = sandbox();
  try {
    for (const e of examples) box.write(e.file, e.content);
    const inputs = box.load();
    expect(inputs.warnings).toEqual([]);
    expect(inputs.workspaces[0].inference.models).toHaveLength(1);
    expect(inputs.workspaces[0].training.runs).toHaveLength(1);
  } finally {
    box.remove();
  }
});
