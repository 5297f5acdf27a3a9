import * as fs from 'fs';
import * as path from 'path';
import { projectRoot } from '../paths';

/**
 * Custom resources checked against the real schemas of the operators' CRDs (the
 * `openAPIV3Schema` of each served version, vendored by `npm run import-crds`), with
 * the API server's strictness: a field the schema does not declare is an error, as with
 * `kubectl apply`'s default strict field validation, unless the schema preserves unknown
 * fields there. CEL rules (`x-kubernetes-validations`) are not evaluated.
 * @see https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/#specifying-a-structural-schema
 */

/** Where the vendored schemas live, relative to the repository. */
export const CRD_SCHEMAS_DIR = 'vendor/crd-schemas';

/** One vendored CRD: its group and kind, where it came from, and a schema per served version. */
export interface VendoredCrd {
  readonly group: string;
  readonly kind: string;
  /** `<project folder>/<file>` it was imported from. */
  readonly source: string;
  readonly versions: Readonly<Record<string, unknown>>;
}

type Schema = Readonly<Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any

const patterns = new Map<string, RegExp>();

function typeOk(type: string, value: unknown): boolean {
  switch (type) {
    case 'object': return value !== null && typeof value === 'object' && !Array.isArray(value);
    case 'array': return Array.isArray(value);
    case 'integer': return Number.isInteger(value);
    case 'number': return typeof value === 'number' && Number.isFinite(value);
    default: return typeof value === type;
  }
}

/**
 * Checks a value against a structural schema the way the API server does (see the file
 * comment), adding one line per problem to `out`. An interpreter rather than a compiled
 * validator: the CRD schemas are large (the ApplicationSet's repeats the Application
 * template in every generator) while the objects are small, and walking the object
 * costs what the object costs, where compiling cost seconds on every synth.
 */
function check(schema: Schema | boolean | undefined, value: unknown, at: string, out: string[], root = false): void {
  if (schema === undefined || schema === true) return;
  if (schema === false) {
    out.push(`${at || '/'} is not allowed`);
    return;
  }
  if (value === null && schema.nullable) return;
  for (const sub of schema.allOf ?? []) check(sub, value, at, out);
  for (const [k, pick] of [['anyOf', (n: number) => n > 0], ['oneOf', (n: number) => n === 1]] as const) {
    if (!schema[k]) continue;
    const passing = (schema[k] as Schema[]).filter((sub) => {
      const found: string[] = [];
      check(sub, value, at, found);
      return found.length === 0;
    }).length;
    if (!pick(passing)) out.push(`${at || '/'} must match ${k === 'anyOf' ? 'a schema in anyOf' : 'exactly one schema in oneOf'}`);
  }
  if (schema.not) {
    const found: string[] = [];
    check(schema.not, value, at, found);
    if (found.length === 0) out.push(`${at || '/'} must NOT be valid against the schema in not`);
  }
  if (schema['x-kubernetes-int-or-string']) {
    if (!Number.isInteger(value) && typeof value !== 'string') out.push(`${at || '/'} must be integer or string`);
    return;
  }
  if (schema.type && !typeOk(schema.type, value)) {
    out.push(`${at || '/'} must be ${schema.type}`);
    return;
  }
  if (schema.enum && !(schema.enum as unknown[]).some((e) => e === value)) out.push(`${at || '/'} must be equal to one of the allowed values`);
  if (typeof value === 'string') {
    if (schema.pattern) {
      let re = patterns.get(schema.pattern);
      if (!re) patterns.set(schema.pattern, re = new RegExp(schema.pattern, 'u'));
      if (!re.test(value)) out.push(`${at || '/'} must match pattern "${schema.pattern}"`);
    }
    if (schema.maxLength !== undefined && [...value].length > schema.maxLength) out.push(`${at || '/'} must NOT have more than ${schema.maxLength} characters`);
    if (schema.minLength !== undefined && [...value].length < schema.minLength) out.push(`${at || '/'} must NOT have fewer than ${schema.minLength} characters`);
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) out.push(`${at || '/'} must be >= ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum) out.push(`${at || '/'} must be <= ${schema.maximum}`);
  }
  if (Array.isArray(value)) {
    if (schema.maxItems !== undefined && value.length > schema.maxItems) out.push(`${at || '/'} must NOT have more than ${schema.maxItems} items`);
    if (schema.minItems !== undefined && value.length < schema.minItems) out.push(`${at || '/'} must NOT have fewer than ${schema.minItems} items`);
    value.forEach((item, i) => check(schema.items, item, `${at}/${i}`, out));
  } else if (value !== null && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    for (const r of schema.required ?? []) if (!(r in o)) out.push(`${at || '/'} must have required property '${r}'`);
    const properties = (schema.properties ?? {}) as Record<string, Schema>;
    // The root's metadata is ObjectMeta, which the API server checks itself.
    const open = schema['x-kubernetes-preserve-unknown-fields'] || (!schema.properties && schema.additionalProperties === undefined);
    const embedded = schema['x-kubernetes-embedded-resource'] ? ['apiVersion', 'kind', 'metadata'] : [];
    for (const [k, v] of Object.entries(o)) {
      if (v === undefined) continue;
      if (root && k === 'metadata') continue;
      if (k in properties) check(properties[k], v, `${at}/${k}`, out);
      else if (embedded.includes(k)) continue;
      else if (typeof schema.additionalProperties === 'object') check(schema.additionalProperties, v, `${at}/${k}`, out);
      else if (!open && schema.additionalProperties !== true) out.push(`${at || '/'} must NOT have additional properties '${k}'`);
    }
    if (schema.maxProperties !== undefined && Object.keys(o).length > schema.maxProperties) out.push(`${at || '/'} must NOT have more than ${schema.maxProperties} properties`);
  }
}

const schemas = new Map<string, Schema | null>();
let index: Map<string, string> | undefined;

/** `<group>/<kind>` -> file, for every vendored CRD. */
function vendored(): Map<string, string> {
  if (!index) {
    index = new Map();
    const dir = path.join(projectRoot(), CRD_SCHEMAS_DIR);
    for (const project of fs.existsSync(dir) ? fs.readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()) : []) {
      for (const file of fs.readdirSync(path.join(dir, project.name))) {
        const m = /^(.+)_([^_]+)\.json$/.exec(file);
        if (m) index.set(`${m[1]}/${m[2]}`, path.join(dir, project.name, file));
      }
    }
  }
  return index;
}

/** Whether the group of an apiVersion has vendored CRDs: its resources are checked here. */
export function isCrdGroup(apiVersion: string): boolean {
  const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
  let known = crdGroups.get(group);
  if (known === undefined) crdGroups.set(group, known = [...vendored().keys()].some((k) => k.startsWith(`${group}/`)));
  return known;
}

const crdGroups = new Map<string, boolean>();

/** The schema of an apiVersion and kind; null when the CRD or the version is not vendored. */
function schemaOf(apiVersion: string, kind: string): Schema | null {
  const key = `${apiVersion}/${kind}`;
  if (!schemas.has(key)) {
    const [group, version] = apiVersion.split('/');
    const file = vendored().get(`${group}/${kind}`);
    const schema = file ? (JSON.parse(fs.readFileSync(file, 'utf8')) as VendoredCrd).versions[version] : undefined;
    schemas.set(key, (schema as Schema | undefined) ?? null);
  }
  return schemas.get(key)!;
}

/** What the CRD's schema finds wrong with a custom resource (empty when valid), or why it cannot say. */
export function crdProblems(o: { apiVersion: string; kind: string }): string[] {
  const schema = schemaOf(o.apiVersion, o.kind);
  if (!schema) return [`no CRD schema vendored for ${o.apiVersion} ${o.kind} (npm run import-crds)`];
  const out: string[] = [];
  // The object as synthesized is plain JSON: checked as it is, not copied.
  check(schema, o, '', out, true);
  return out;
}
