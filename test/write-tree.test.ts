import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { OutputError, replaceTrees, stampOf } from '../lib/output/write-tree';
import { treeDigest } from './helpers';

/*
 * How synth writes its output folders (lib/output/write-tree.ts): exactly the given files,
 * only what changed, and nothing at all when any write fails.
 */

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'write-tree-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const out = () => path.join(dir, 'out');
const files = (entries: Record<string, string>) => Object.entries(entries).map(([p, content]) => ({ path: p, content }));
const read = (p: string) => fs.readFileSync(path.join(out(), p), 'utf8');
/** Every file of the output folder, relative. */
function listed(): string[] {
  const found: string[] = [];
  const walk = (rel: string) => fs.readdirSync(path.join(out(), rel), { withFileTypes: true }).forEach((e) => {
    const p = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) walk(p); else found.push(p);
  });
  walk('');
  return found.sort();
}

test('a new folder holds exactly the files', async () => {
  await replaceTrees([{ dir: out(), files: files({ 'a/one.yaml': '1\n', 'b/c/two.yaml': '2\n' }) }]);
  expect(listed()).toEqual(['a/one.yaml', 'b/c/two.yaml']);
  expect(read('b/c/two.yaml')).toBe('2\n');
  expect(fs.readdirSync(dir)).toEqual(['out']);
});

test('an existing folder: unchanged files are not rewritten, changed ones are, stale ones and their empty folders go', async () => {
  await replaceTrees([{ dir: out(), files: files({ 'keep/k.yaml': 'k\n', 'change/c.yaml': 'old\n', 'gone/deep/g.yaml': 'g\n', 'gone/other.yaml': 'o\n' }) }]);
  const kept = fs.statSync(path.join(out(), 'keep/k.yaml'));
  await replaceTrees([{ dir: out(), files: files({ 'keep/k.yaml': 'k\n', 'change/c.yaml': 'new, longer\n', 'added/a.yaml': 'a\n' }) }]);
  expect(listed()).toEqual(['added/a.yaml', 'change/c.yaml', 'keep/k.yaml']);
  expect(read('change/c.yaml')).toBe('new, longer\n');
  const after = fs.statSync(path.join(out(), 'keep/k.yaml'));
  expect([after.ino, after.mtimeMs]).toEqual([kept.ino, kept.mtimeMs]);
  expect(fs.existsSync(path.join(out(), 'gone'))).toBe(false);
  expect(fs.readdirSync(dir)).toEqual(['out']);
});

test('a file of the same size but other bytes is rewritten: content is compared, not sizes', async () => {
  await replaceTrees([{ dir: out(), files: files({ 'x.yaml': 'aaa\n' }) }]);
  fs.writeFileSync(path.join(out(), 'x.yaml'), 'bbb\n');
  await replaceTrees([{ dir: out(), files: files({ 'x.yaml': 'aaa\n' }) }]);
  expect(read('x.yaml')).toBe('aaa\n');
});

test('a file known as kept (compared when it was rendered) is left as it is while its size holds; made and written when it changed since', async () => {
  await replaceTrees([{ dir: out(), files: files({ 'same.yaml': 'same\n', 'changed.yaml': 'was\n', 'gone.yaml': 'gone\n' }) }]);
  const before = fs.statSync(path.join(out(), 'same.yaml'));
  // Changed after it was compared: another size now; and removed after.
  fs.writeFileSync(path.join(out(), 'changed.yaml'), 'edited by hand\n');
  fs.rmSync(path.join(out(), 'gone.yaml'));
  const made: string[] = [];
  const kept = (p: string, text: string) => ({ path: p, keptBytes: Buffer.byteLength(text), make: () => { made.push(p); return text; } });
  await replaceTrees([{ dir: out(), files: [kept('same.yaml', 'same\n'), kept('changed.yaml', 'was\n'), kept('gone.yaml', 'gone\n')] }]);
  expect(made.sort()).toEqual(['changed.yaml', 'gone.yaml']);
  expect([read('same.yaml'), read('changed.yaml'), read('gone.yaml')]).toEqual(['same\n', 'was\n', 'gone\n']);
  const after = fs.statSync(path.join(out(), 'same.yaml'));
  expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
});

test('a file known by digest is kept unread while it has the stamp it was left with; read and checked when its stamp changed', async () => {
  const stamps = await replaceTrees([{ dir: out(), files: files({ 'a.yaml': 'a\n', 'b.yaml': 'b\n' }) }]);
  const stampOf = (p: string) => stamps.get(path.join(out(), p))!;
  expect(stampOf('a.yaml')).toMatch(/^\d+:2:[\d.]+:[\d.]+$/);
  // b.yaml changes after the run (same size), so its stamp no longer holds.
  fs.writeFileSync(path.join(out(), 'b.yaml'), 'B\n');
  const made: string[] = [];
  // Digests that match neither file: a file kept here was not read (its digest would have failed).
  const expected = (p: string, text: string) => ({ path: p, digest: `${'0'.repeat(40)}:2`, stamp: stampOf(p), make: () => { made.push(p); return text; } });
  const after = await replaceTrees([{ dir: out(), files: [expected('a.yaml', 'a\n'), expected('b.yaml', 'b\n')] }]);
  expect(made).toEqual(['b.yaml']);
  expect([read('a.yaml'), read('b.yaml')]).toEqual(['a\n', 'b\n']);
  // The stamps the run leaves: a.yaml's as it was, b.yaml's new.
  expect(after.get(path.join(out(), 'a.yaml'))).toBe(stampOf('a.yaml'));
  expect(after.get(path.join(out(), 'b.yaml'))).not.toBe(stampOf('b.yaml'));
});

test('a stamp is read again after the run for a file with other names (a link that went changes it)', async () => {
  const stamps = await replaceTrees([{ dir: out(), files: files({ 'one.yaml': 'same text\n'.repeat(500), 'two.yaml': 'same text\n'.repeat(500) }) }]);
  // Written once and linked: one file, two names.
  expect(fs.statSync(path.join(out(), 'one.yaml')).ino).toBe(fs.statSync(path.join(out(), 'two.yaml')).ino);
  expect(stamps.get(path.join(out(), 'one.yaml'))).toBe(stamps.get(path.join(out(), 'two.yaml')));
  // two.yaml changes: one.yaml loses a name, and its inode's change time with it.
  const after = await replaceTrees([{ dir: out(), files: files({ 'one.yaml': 'same text\n'.repeat(500), 'two.yaml': 'other\n' }) }]);
  const one = path.join(out(), 'one.yaml');
  expect(after.get(one)).toBe(stampOf(fs.statSync(one)));
});

test('when any write fails, no folder changes and nothing is left behind', async () => {
  await replaceTrees([{ dir: out(), files: files({ 'a/one.yaml': '1\n', 'b/two.yaml': '2\n' }) }]);
  fs.mkdirSync(path.join(dir, 'second'));
  await replaceTrees([{ dir: path.join(dir, 'second'), files: files({ 's.yaml': 's\n' }) }]);
  const before = [treeDigest(out()), treeDigest(path.join(dir, 'second'))];
  const failing = replaceTrees([
    { dir: out(), files: files({ 'a/one.yaml': 'changed\n', 'new/three.yaml': '3\n' }) },
    // A name no file system takes: the write fails after the first folder was prepared.
    { dir: path.join(dir, 'second'), files: files({ 's.yaml': 'changed\n', [`${'x'.repeat(300)}.yaml`]: 'never\n' }) },
  ]);
  await expect(failing).rejects.toThrow(OutputError);
  expect([treeDigest(out()), treeDigest(path.join(dir, 'second'))]).toEqual(before);
  expect(fs.existsSync(path.join(out(), 'new'))).toBe(false);
});

test('a file where a folder must go (or the reverse) rebuilds the folder whole', async () => {
  await replaceTrees([{ dir: out(), files: files({ 'a': 'file\n', 'b/x.yaml': 'x\n' }) }]);
  await replaceTrees([{ dir: out(), files: files({ 'a/inside.yaml': 'i\n', 'b': 'file now\n' }) }]);
  expect(listed()).toEqual(['a/inside.yaml', 'b']);
  expect(fs.readdirSync(dir)).toEqual(['out']);
});

test('a file whose folder two levels up is a file now rebuilds the folder whole, after files in folders found fine', async () => {
  await replaceTrees([{ dir: out(), files: files({ 'a/x.yaml': 'x\n', 'a/b': 'file\n' }) }]);
  await replaceTrees([{ dir: out(), files: files({ 'a/x.yaml': 'x\n', 'a/y.yaml': 'y\n', 'a/b/c/d.yaml': 'd\n' }) }]);
  expect(listed()).toEqual(['a/b/c/d.yaml', 'a/x.yaml', 'a/y.yaml']);
});

test('a text written twice in one run is written once and linked: a chart template and its dist/ file', async () => {
  const text = `${'x: 1\n'.repeat(2000)}`;
  await replaceTrees([{ dir: out(), files: files({ 'dist/a.yaml': text, 'chart/a.yaml': text, 'small/a.yaml': 'y\n', 'small/b.yaml': 'y\n' }) }]);
  const [a, b] = ['dist/a.yaml', 'chart/a.yaml'].map((p) => fs.statSync(path.join(out(), p)));
  expect([a.ino, read('chart/a.yaml')]).toEqual([b.ino, text]);
  // Small texts are written, each on its own.
  expect(fs.statSync(path.join(out(), 'small/a.yaml')).ino).not.toBe(fs.statSync(path.join(out(), 'small/b.yaml')).ino);
  // Changed later in an existing folder: written once, linked again.
  const next = `${text}y: 2\n`;
  await replaceTrees([{ dir: out(), files: files({ 'dist/a.yaml': next, 'chart/a.yaml': next, 'small/a.yaml': 'y\n', 'small/b.yaml': 'y\n' }) }]);
  expect(fs.statSync(path.join(out(), 'dist/a.yaml')).ino).toBe(fs.statSync(path.join(out(), 'chart/a.yaml')).ino);
  expect(read('dist/a.yaml')).toBe(next);
});
