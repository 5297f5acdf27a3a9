import { spawnSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments, stringify } from 'yaml';
import { synthCommand } from '../lib/cli/synth-command';
import { loadInputs } from '../lib/config/load';
import { PlatformInputs } from '../lib/config/types';
import { Manifest, toFile } from '../lib/output/render';
import { projectRoot } from '../lib/paths';

/** The repository root (tests run compiled, from build/test/). */
export const ROOT = projectRoot();

/** The compiled synth program (`npm test` builds it first). */
export const MAIN = path.join(ROOT, 'build', 'main.js');

/** The inputs behaviour tests run on (never the shipped, user-replaced `workspaces/`). */
export const FIXTURES = path.join(ROOT, 'test', 'fixtures');

/** What a synth run printed, and its exit status. */
export interface SynthRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A folder laid out like the repository, with its own inputs. */
export interface Sandbox {
  readonly dir: string;
  /** Writes a file under the sandbox (YAML text, or data serialized to YAML). */
  write(relative: string, content: string | object): void;
  /** Loads the sandbox's inputs in-process. */
  load(): PlatformInputs;
  /** Runs synth in-process in the sandbox, as `npm run synth -- <args>` would. */
  synth(...args: string[]): Promise<SynthRun>;
  /** Runs the compiled synth program as a child process (for what only a process shows: exit codes, stack traces). */
  synthProcess(...args: string[]): SynthRun;
  /** A digest of every file under `relative`, to prove a folder was left untouched. */
  digest(relative: string): string;
  /** Removes the sandbox. */
  remove(): void;
}

/** Runs synth in-process with `cwd` as its working directory. */
export async function runSynth(cwd: string, args: readonly string[] = []): Promise<SynthRun> {
  let stdout = '';
  let stderr = '';
  const status = await synthCommand(args, { cwd, stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; } });
  return { status, stdout, stderr };
}

/** A digest of every file and folder name under `dir`. */
export function treeDigest(dir: string): string {
  const hash = crypto.createHash('sha256');
  const walk = (d: string) => {
    if (!fs.existsSync(d)) return;
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, e.name);
      hash.update(path.relative(dir, p));
      if (e.isDirectory()) walk(p);
      else hash.update(fs.readFileSync(p));
    }
  };
  walk(dir);
  return hash.digest('hex');
}

/**
 * A sandbox holding the fixtures' platform.yaml and the given workspace files
 * (by file name under `workspaces/`).
 */
export function sandbox(workspaces: Record<string, string | object> = {}): Sandbox {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-platform-'));
  fs.mkdirSync(path.join(dir, 'workspaces'));
  fs.copyFileSync(path.join(FIXTURES, 'platform.yaml'), path.join(dir, 'platform.yaml'));
  const box: Sandbox = {
    dir,
    write(relative, content) {
      const file = path.join(dir, relative);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, typeof content === 'string' ? content : stringify(content));
    },
    load: () => loadInputs({ platformFile: 'platform.yaml', workspacesDir: 'workspaces', cwd: dir }),
    synth: (...args) => runSynth(dir, args),
    synthProcess(...args) {
      const r = spawnSync(process.execPath, [MAIN, ...args], { cwd: dir, encoding: 'utf8' });
      return { status: r.status, stdout: r.stdout, stderr: r.stderr };
    },
    digest: (relative) => treeDigest(path.join(dir, relative)),
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
  for (const [name, content] of Object.entries(workspaces)) box.write(`workspaces/${name}`, content);
  return box;
}

/** A sandbox holding a copy of every fixture input (platform, workspaces, training configs). */
export function fixtureSandbox(): Sandbox {
  const box = sandbox();
  fs.cpSync(path.join(FIXTURES, 'workspaces'), path.join(box.dir, 'workspaces'), { recursive: true });
  return box;
}

/** An object of a rendered tree, with the file it is in (relative to the tree's parent). */
export interface RenderedObject {
  readonly file: string;
  readonly object: Manifest;
}

/** Every object of a rendered dist/ folder, with the file it is in, relative to `base`. */
export function readDist(dist: string, base = path.dirname(dist)): RenderedObject[] {
  const out: RenderedObject[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else for (const doc of parseAllDocuments(fs.readFileSync(p, 'utf8'))) out.push({ file: path.relative(base, p).split(path.sep).join('/'), object: doc.toJS() });
    }
  };
  walk(dist);
  return out;
}

/** The fixtures as synthesized once for the whole run (test/global-setup.js). */
export interface Fixture {
  /** The folder synth ran in: platform.yaml, workspaces/, dist/, charts/, schemas/. */
  readonly dir: string;
  /** The fixture inputs, loaded. */
  readonly inputs: PlatformInputs;
  /** Every object of its dist/, with its file (`dist/...`). */
  readonly dist: readonly RenderedObject[];
  /** Every object of its dist/. */
  readonly objects: readonly Manifest[];
  /** The umbrella chart's folder. */
  readonly chart: string;
  /** The `helm test` pods of every chart (shared and workspaces), as rendered. */
  readonly testPods: readonly Manifest[];
}

let cached: Fixture | undefined;

/** The fixtures, synthesized once per `npm test` and shared by every suite. */
export function fixture(): Fixture {
  if (cached) return cached;
  const dir = process.env.LLM_FIXTURE_DIR;
  if (!dir || !fs.existsSync(path.join(dir, 'dist'))) throw new Error('LLM_FIXTURE_DIR is not set: jest\'s globalSetup (test/global-setup.js) synthesizes the fixtures');
  const dist = readDist(path.join(dir, 'dist'));
  const chart = path.join(dir, 'charts', 'llm-platform');
  const testFiles: string[] = [];
  const walk = (d: string) => fs.readdirSync(d, { withFileTypes: true }).forEach((e) => {
    const p = path.join(d, e.name);
    if (e.isDirectory()) walk(p);
    else if (e.name === 'tests.yaml') testFiles.push(p);
  });
  walk(chart);
  const testPods = testFiles.sort().flatMap((f) => parseAllDocuments(fs.readFileSync(f, 'utf8')).map((d) => d.toJS() as Manifest).filter(Boolean));
  cached = {
    dir,
    inputs: loadInputs({ platformFile: 'platform.yaml', workspacesDir: 'workspaces', cwd: dir }),
    dist,
    objects: dist.map((o) => o.object),
    chart,
    testPods,
  };
  return cached;
}

/** The object of `kind` named `name`; fails the test when there is none. */
export function find(manifests: readonly Manifest[], kind: string, name: string, namespace?: string): any {
  const found = manifests.find((m) => m.kind === kind && m.metadata.name === name && (namespace === undefined || m.metadata.namespace === namespace));
  if (!found) throw new Error(`no ${kind} named ${name}; have: ${manifests.map((m) => `${m.kind}/${m.metadata.name}`).join(', ')}`);
  return found;
}

/** Every object of `kind`. */
export function all(manifests: readonly Manifest[], kind: string): any[] {
  return manifests.filter((m) => m.kind === kind);
}

/** The pod template spec of a workload. */
export function podSpec(workload: any): any {
  return workload.spec.template.spec;
}

/** A container of a pod spec by name (init containers too). */
export function container(spec: any, name: string): any {
  const found = [...(spec.initContainers ?? []), ...spec.containers].find((c: any) => c.name === name);
  if (!found) throw new Error(`no container ${name}`);
  return found;
}

/** An env var's value, or its source. */
export function env(c: any, name: string): any {
  const found = (c.env ?? []).find((e: any) => e.name === name);
  if (!found) throw new Error(`no env ${name} in ${c.name}`);
  return found.value ?? found.valueFrom;
}

/** The objects exactly as synth writes them to dist/, for readable snapshots. */
export function asYaml(manifests: readonly Manifest[]): string {
  return toFile('snapshot', 'a test', manifests).content;
}

/**
 * Every pod spec of the objects, whatever holds it: Deployments, Jobs, CronJobs, and
 * bare Pods (the `helm test` hooks). Written here on its own, not shared with the
 * policy's rules, so that a kind the policy forgets is still checked.
 */
export function podSpecs(objects: readonly Manifest[]): { where: string; kind: string; spec: any }[] {
  return objects.flatMap((o: any) => {
    const where = `${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`;
    switch (o.kind) {
      case 'Pod': return [{ where, kind: o.kind, spec: o.spec }];
      case 'Deployment': case 'StatefulSet': case 'DaemonSet': case 'Job': return [{ where, kind: o.kind, spec: o.spec.template.spec }];
      case 'CronJob': return [{ where, kind: o.kind, spec: o.spec.jobTemplate.spec.template.spec }];
      default: return [];
    }
  });
}

/** Every container (init containers too) of every pod spec of the objects. */
export function allContainers(objects: readonly Manifest[]): { where: string; kind: string; c: any }[] {
  return podSpecs(objects).flatMap(({ where, kind, spec }) => [...(spec.initContainers ?? []), ...spec.containers]
    .map((c: any) => ({ where: `${where}/${c.name}`, kind, c })));
}

/** An object's identity in a comparison: `kind/namespace/name`. */
export function manifestKey(o: Manifest): string {
  return `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

/** The objects of a multi-document YAML text (a helm output), by {@link manifestKey}. */
export function manifestsOf(text: string): Map<string, Manifest> {
  const out = new Map<string, Manifest>();
  for (const doc of parseAllDocuments(text)) {
    const o = doc.toJS();
    if (o) out.set(manifestKey(o), o);
  }
  return out;
}

/** The objects of `a` that `b` lacks or holds differently, and those `b` holds besides. */
export function manifestDifferences(a: Map<string, Manifest>, b: Map<string, Manifest>): string[] {
  return [
    ...[...a].filter(([k, o]) => JSON.stringify(b.get(k)) !== JSON.stringify(o)).map(([k]) => (b.has(k) ? `differs: ${k}` : `missing: ${k}`)),
    ...[...b.keys()].filter((k) => !a.has(k)).map((k) => `extra: ${k}`),
  ];
}

/** The name of a run's Job or JobSet (`llama-fine-tune-<id>-<hash>`), found by its run id in a namespace. */
export function runName(objects: readonly Manifest[], namespace: string, id: string): string {
  const run = objects.find((o) => ['Job', 'JobSet'].includes(o.kind) && (o.metadata.namespace ?? namespace) === namespace && (o.metadata.labels as Record<string, string> | undefined)?.['llm-platform/run'] === id);
  if (!run) throw new Error(`no run ${id} in ${namespace}`);
  return run.metadata.name;
}
