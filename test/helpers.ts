import { spawnSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments, stringify } from 'yaml';
import { loadInputs } from '../lib/config/load';
import { PlatformInputs } from '../lib/config/types';
import { Manifest, toFile } from '../lib/output/render';

/** The repository root. */
export const ROOT = path.resolve(__dirname, '..');

/** The compiled synth program (`npm test` builds it first). */
export const MAIN = path.join(ROOT, 'build', 'main.js');

/** A folder laid out like the repository, with its own inputs. */
export interface Sandbox {
  readonly dir: string;
  /** Writes a file under the sandbox (YAML text, or data serialized to YAML). */
  write(relative: string, content: string | object): void;
  /** Loads the sandbox's inputs in-process. */
  load(): PlatformInputs;
  /** Runs the real synth program in the sandbox. */
  synth(): { status: number | null; stdout: string; stderr: string };
  /** A digest of every file under `relative`, to prove a folder was left untouched. */
  digest(relative: string): string;
}

/** A sandbox holding a copy of the shipped platform.yaml and the given workspace files. */
export function sandbox(workspaces: Record<string, string | object> = {}): Sandbox {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-platform-'));
  fs.mkdirSync(path.join(dir, 'workspaces'));
  fs.copyFileSync(path.join(ROOT, 'platform.yaml'), path.join(dir, 'platform.yaml'));
  const box: Sandbox = {
    dir,
    write(relative, content) {
      const file = path.join(dir, relative);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, typeof content === 'string' ? content : stringify(content));
    },
    load() {
      const cwd = process.cwd();
      process.chdir(dir);
      try {
        return loadInputs({ platformFile: 'platform.yaml', workspacesDir: 'workspaces' });
      } finally {
        process.chdir(cwd);
      }
    },
    synth() {
      const r = spawnSync(process.execPath, [MAIN], { cwd: dir, encoding: 'utf8' });
      return { status: r.status, stdout: r.stdout, stderr: r.stderr };
    },
    digest(relative) {
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
      walk(path.join(dir, relative));
      return hash.digest('hex');
    },
  };
  for (const [name, content] of Object.entries(workspaces)) box.write(`workspaces/${name}`, content);
  return box;
}

/** The shipped inputs of the repository. */
export function shippedInputs(): PlatformInputs {
  const cwd = process.cwd();
  process.chdir(ROOT);
  try {
    return loadInputs({ platformFile: 'platform.yaml', workspacesDir: 'workspaces' });
  } finally {
    process.chdir(cwd);
  }
}

/** The object of `kind` named `name`; fails the test when there is none. */
export function find(manifests: readonly Manifest[], kind: string, name: string): any {
  const found = manifests.find((m) => m.kind === kind && m.metadata.name === name);
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

/** Every object of a rendered dist/ folder, with the file it is in. */
export function readDist(dist = path.join(ROOT, 'dist')): { file: string; object: Manifest }[] {
  const out: { file: string; object: Manifest }[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else for (const doc of parseAllDocuments(fs.readFileSync(p, 'utf8'))) out.push({ file: path.relative(ROOT, p), object: doc.toJS() });
    }
  };
  walk(dist);
  return out;
}
