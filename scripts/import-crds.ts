/**
 * `npm run import-crds -- [--from DIR] [--check]`: copies the validation schemas of the
 * operators' CustomResourceDefinitions into `vendor/crd-schemas/`, so that synth checks
 * every custom resource it generates against the real schema of the release the
 * platform targets, offline and on a clean checkout.
 *
 * From each CRD file under DIR (default `../shared/crds`, one folder per project) it
 * keeps, for each served version, the `openAPIV3Schema` without its `description`s (the
 * bulk of the text; nothing validates against them), as
 * `vendor/crd-schemas/<folder>/<group>_<kind>.json`. `--check` compares instead of
 * writing, and fails when the vendored schemas differ from DIR's.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { CRD_SCHEMAS_DIR, VendoredCrd } from '../lib/policy/crd-schema';

const ROOT = path.resolve(__dirname, '..', '..');

/** A schema without its `description` annotations (a property that is called `description` stays). */
function withoutDescriptions(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutDescriptions);
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(Object.entries(node).filter(([k]) => k !== 'description').map(([k, v]) => [k, k === 'properties' && v && typeof v === 'object'
    ? Object.fromEntries(Object.entries(v).map(([name, sub]) => [name, withoutDescriptions(sub)]))
    : withoutDescriptions(v)]));
}

interface Crd {
  kind: string;
  spec: { group: string; names: { kind: string }; versions: { name: string; served: boolean; schema?: { openAPIV3Schema: unknown } }[] };
}

/** The vendored files a CRD folder makes, by path under vendor/crd-schemas/. */
export function importCrds(from: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const project of fs.readdirSync(from, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort()) {
    for (const file of fs.readdirSync(path.join(from, project)).filter((f) => /\.ya?ml$/.test(f)).sort()) {
      for (const doc of parseAllDocuments(fs.readFileSync(path.join(from, project, file), 'utf8'))) {
        const crd = doc.toJS() as Crd | null;
        if (!crd || crd.kind !== 'CustomResourceDefinition') continue;
        const versions = Object.fromEntries(crd.spec.versions.filter((v) => v.served && v.schema).map((v) => [v.name, withoutDescriptions(v.schema!.openAPIV3Schema)]));
        const vendored: VendoredCrd = { group: crd.spec.group, kind: crd.spec.names.kind, source: `${project}/${file}`, versions };
        files.set(`${project}/${crd.spec.group}_${crd.spec.names.kind}.json`, `${JSON.stringify(vendored)}\n`);
      }
    }
  }
  return files;
}

function main(): number {
  const args = process.argv.slice(2);
  const fromIndex = args.indexOf('--from');
  const from = path.resolve(fromIndex >= 0 ? args[fromIndex + 1] : path.join(ROOT, '..', 'shared', 'crds'));
  if (!fs.existsSync(from)) {
    process.stderr.write(`import-crds: no CRD folder at ${from}; pass --from DIR\n`);
    return 2;
  }
  const target = path.join(ROOT, CRD_SCHEMAS_DIR);
  const files = importCrds(from);
  if (args.includes('--check')) {
    const stale = [...files].filter(([f, text]) => !fs.existsSync(path.join(target, f)) || fs.readFileSync(path.join(target, f), 'utf8') !== text).map(([f]) => f);
    if (stale.length > 0) {
      process.stderr.write(`${stale.map((f) => `stale: ${CRD_SCHEMAS_DIR}/${f}`).join('\n')}\nimport-crds: run 'npm run import-crds' and commit the result\n`);
      return 1;
    }
    process.stdout.write(`import-crds: ${files.size} schemas match ${from}\n`);
    return 0;
  }
  for (const old of fs.existsSync(target) ? fs.readdirSync(target, { withFileTypes: true }).filter((e) => e.isDirectory()) : []) {
    fs.rmSync(path.join(target, old.name), { recursive: true, force: true });
  }
  for (const [f, text] of files) {
    fs.mkdirSync(path.dirname(path.join(target, f)), { recursive: true });
    fs.writeFileSync(path.join(target, f), text);
  }
  process.stdout.write(`import-crds: ${files.size} schemas written to ${CRD_SCHEMAS_DIR}/\n`);
  return 0;
}

if (require.main === module) process.exitCode = main();
