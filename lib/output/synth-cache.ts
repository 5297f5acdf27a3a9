import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { projectRoot } from '../paths';

/**
 * What synth remembers between runs, so that a platform of a thousand workspaces where
 * one changed costs what that one costs (issue #12). It lives in `.cache/synth/` (an
 * ignored folder) as one index file of entries by key; a key is a hash of everything
 * that can change what the entry holds (see {@link workspaceKey}), so an entry is never
 * out of date, only unused.
 *
 * It can never make output wrong: an entry whose content does not match its own check
 * (a corrupt or edited cache) is ignored; an index that does not parse, or that another
 * generator wrote, is ignored whole; and a workspace's files are taken from the cache
 * only as hashes, compared with the files in dist/ and charts/ (`replaceTrees`): one that
 * differs is made again. `--no-cache` (or `LLM_SYNTH_CACHE=off`) reads and writes none.
 */

const VERSION = 1;

interface Entry { readonly value: unknown; readonly check: string }
interface Index { readonly version: number; readonly generator: string; readonly entries: Record<string, Entry> }

/** A hash of text, short and fast: integrity against accidents, not attacks. */
export function hashOf(...parts: readonly (string | Buffer)[]): string {
  const hash = createHash('sha1');
  for (const p of parts) {
    hash.update(p);
    hash.update('\0');
  }
  return hash.digest('hex');
}

/** Entries read from the index, and those this run used or made (the only ones saved). */
export class SynthCache {
  /** The cache of the folder `dir`, for this generator; an empty one when there is none (or it cannot be read). */
  public static open(dir: string): SynthCache {
    const file = path.join(dir, 'index.json');
    const generator = generatorFingerprint();
    let entries: Record<string, Entry> = {};
    try {
      const index = JSON.parse(fs.readFileSync(file, 'utf8')) as Index;
      if (index.version === VERSION && index.generator === generator && index.entries && typeof index.entries === 'object') entries = index.entries;
    } catch {
      // No cache, or one that does not parse: every workspace is made anew.
    }
    return new SynthCache(file, generator, entries);
  }

  /** Entries to save, as their JSON and check: read ones as they were read, made ones as they were put. */
  private readonly used = new Map<string, { readonly json: string; readonly check: string }>();
  /** Whether each entry looked up holds its check; the JSON its check was computed from when it does (written back as it is). */
  private readonly verified = new Map<string, string | false>();
  private changed = false;

  private constructor(private readonly file: string, public readonly generator: string, private readonly entries: Record<string, Entry>) {}

  /** The value under `key`, if there is one whose check holds. */
  public get<T>(key: string): T | undefined {
    if (!this.has(key)) return undefined;
    this.used.set(key, { json: this.verified.get(key) as string, check: this.entries[key].check });
    return this.entries[key].value as T;
  }

  /** How many entries the index holds under keys starting with `prefix`. */
  public count(prefix: string): number {
    return Object.keys(this.entries).filter((k) => k.startsWith(prefix)).length;
  }

  /** Whether there is a value under `key` whose check holds. */
  public has(key: string): boolean {
    let json = this.verified.get(key);
    if (json === undefined) {
      const entry = Object.prototype.hasOwnProperty.call(this.entries, key) ? this.entries[key] : undefined;
      const text = !!entry && typeof entry === 'object' ? JSON.stringify(entry.value) ?? 'null' : undefined;
      json = text !== undefined && entry!.check === hashOf(key, text) ? text : false;
      this.verified.set(key, json);
    }
    return json !== false;
  }

  /**
   * Keeps `value` under `key`: turned into its JSON and checked now, while the other
   * threads still render, rather than when the run saves, which it does alone.
   */
  public put(key: string, value: unknown): void {
    const json = JSON.stringify(value) ?? 'null';
    this.used.set(key, { json, check: hashOf(key, json) });
    this.changed = true;
  }

  /**
   * Writes the entries this run used or made (others are dropped), when anything changed:
   * the index `JSON.stringify` would write, each value turned to text once (a made one
   * when it was put, a read one when its check was verified) for its check and the file.
   */
  public save(): void {
    if (!this.changed && this.used.size === Object.keys(this.entries).length) return;
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const temp = `${this.file}.${process.pid}`;
    const entries = [...this.used].map(([key, { json, check }]) => `${JSON.stringify(key)}:{"value":${json},"check":${JSON.stringify(check)}}`);
    fs.writeFileSync(temp, `{"version":${VERSION},"generator":${JSON.stringify(this.generator)},"entries":{${entries.join(',')}}}`);
    fs.renameSync(temp, this.file);
  }
}

/**
 * A hash of the generator itself: its compiled code, its dependencies' versions, what
 * it reads besides the inputs (the vendored CRD schemas, the assets) and the Node.js
 * version. A new build makes every entry unused.
 */
export function generatorFingerprint(): string {
  const root = projectRoot();
  const build = path.resolve(__dirname, '..', '..');
  const hash = createHash('sha1');
  const add = (file: string) => {
    hash.update(path.relative(root, file));
    hash.update('\0');
    hash.update(fs.readFileSync(file));
    hash.update('\0');
  };
  const walk = (dir: string) => {
    if (!fs.existsSync(dir)) return;
    for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) add(p);
    }
  };
  walk(path.join(build, 'lib'));
  for (const f of [path.join(build, 'main.js'), path.join(root, 'package.json'), path.join(root, 'package-lock.json')]) if (fs.existsSync(f)) add(f);
  walk(path.join(root, 'vendor'));
  walk(path.join(root, 'assets'));
  hash.update(process.version);
  return hash.digest('hex');
}

/**
 * The key of a workspace's entries: a hash of everything its output depends on, which
 * is its own files as read (the workspace file and its training configs, with their
 * names as shown) and platform.yaml as read; the generator is the index's.
 */
export function workspaceKey(platformText: string, source: string, text: string, trainingConfigs: Readonly<Record<string, string>>): string {
  return hashOf(platformText, source, text, ...Object.keys(trainingConfigs).sort().flatMap((f) => [f, trainingConfigs[f]]));
}
