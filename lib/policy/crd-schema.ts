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

function patternOf(pattern: string): RegExp {
  let re = patterns.get(pattern);
  if (!re) patterns.set(pattern, re = new RegExp(pattern, 'u'));
  return re;
}

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
 * Where the check is in the object: the keys and indexes down to the value, pushed and
 * popped as it walks (a path is made into text only for a problem).
 */
const trail: (string | number)[] = [];

function here(): string {
  return trail.length === 0 ? '/' : `/${trail.join('/')}`;
}

/** Checks the value under a key or index of the one being checked. */
function checkAt(schema: Schema | boolean | undefined, value: unknown, key: string | number, out: string[]): void {
  if (schema === undefined || schema === true) return;
  trail.push(key);
  try {
    check(schema, value, out);
  } finally {
    trail.pop();
  }
}

/** How many of the schemas a value passes. */
function passing(schemas: readonly Schema[], value: unknown): number {
  let n = 0;
  for (const sub of schemas) {
    const found: string[] = [];
    check(sub, value, found);
    if (found.length === 0) n++;
  }
  return n;
}

/**
 * Checks a value against a structural schema the way the API server does (see the file
 * comment), adding one line per problem to `out`. An interpreter rather than a compiled
 * validator: the CRD schemas are large (the ApplicationSet's repeats the Application
 * template in every generator) while the objects are small, and walking the object
 * costs what the object costs, where compiling cost seconds on every synth.
 */
function check(schema: Schema | boolean | undefined, value: unknown, out: string[], root = false): void {
  if (schema === undefined || schema === true) return;
  if (schema === false) {
    out.push(`${here()} is not allowed`);
    return;
  }
  if (value === null && schema.nullable) return;
  if (schema.allOf) for (const sub of schema.allOf as Schema[]) check(sub, value, out);
  // An int-or-string (a quantity, a port) comes with its anyOf of integer and string,
  // which says the same: checked at once, the pattern too when it is a string, as the
  // API server checks it.
  if (schema['x-kubernetes-int-or-string']) {
    if (!Number.isInteger(value) && typeof value !== 'string') out.push(`${here()} must be integer or string`);
    else if (typeof value === 'string' && schema.pattern && !patternOf(schema.pattern).test(value)) out.push(`${here()} must match pattern "${schema.pattern}"`);
    return;
  }
  if (schema.anyOf && passing(schema.anyOf as Schema[], value) === 0) out.push(`${here()} must match a schema in anyOf`);
  if (schema.oneOf && passing(schema.oneOf as Schema[], value) !== 1) out.push(`${here()} must match exactly one schema in oneOf`);
  if (schema.not && passing([schema.not as Schema], value) === 1) out.push(`${here()} must NOT be valid against the schema in not`);
  if (schema.type && !typeOk(schema.type, value)) {
    out.push(`${here()} must be ${schema.type}`);
    return;
  }
  if (schema.enum && !(schema.enum as unknown[]).some((e) => e === value)) out.push(`${here()} must be equal to one of the allowed values`);
  if (typeof value === 'string') {
    if (schema.pattern && !patternOf(schema.pattern).test(value)) out.push(`${here()} must match pattern "${schema.pattern}"`);
    if (schema.maxLength !== undefined && [...value].length > schema.maxLength) out.push(`${here()} must NOT have more than ${schema.maxLength} characters`);
    if (schema.minLength !== undefined && [...value].length < schema.minLength) out.push(`${here()} must NOT have fewer than ${schema.minLength} characters`);
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) out.push(`${here()} must be >= ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum) out.push(`${here()} must be <= ${schema.maximum}`);
  }
  if (Array.isArray(value)) {
    if (schema.maxItems !== undefined && value.length > schema.maxItems) out.push(`${here()} must NOT have more than ${schema.maxItems} items`);
    if (schema.minItems !== undefined && value.length < schema.minItems) out.push(`${here()} must NOT have fewer than ${schema.minItems} items`);
    for (let i = 0; i < value.length; i++) checkAt(schema.items, value[i], i, out);
  } else if (value !== null && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (schema.required) for (const r of schema.required as string[]) if (!(r in o)) out.push(`${here()} must have required property '${r}'`);
    const properties = schema.properties as Record<string, Schema> | undefined;
    const additional = schema.additionalProperties;
    // The root's metadata is ObjectMeta, which the API server checks itself.
    const open = schema['x-kubernetes-preserve-unknown-fields'] || (!properties && additional === undefined);
    const embedded = schema['x-kubernetes-embedded-resource'] === true;
    let count = 0;
    for (const k in o) {
      count++;
      const v = o[k];
      if (v === undefined) continue;
      if (root && k === 'metadata') continue;
      if (properties && Object.prototype.hasOwnProperty.call(properties, k)) checkAt(properties[k], v, k, out);
      else if (embedded && (k === 'apiVersion' || k === 'kind' || k === 'metadata')) continue;
      else if (typeof additional === 'object') checkAt(additional, v, k, out);
      else if (!open && additional !== true) out.push(`${here()} must NOT have additional properties '${k}'`);
    }
    if (schema.maxProperties !== undefined && count > schema.maxProperties) out.push(`${here()} must NOT have more than ${schema.maxProperties} properties`);
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
  trail.length = 0;
  check(schema, o, out, true);
  return out;
}
