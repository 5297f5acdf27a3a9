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

/** Above 0 while only whether a value passes counts (anyOf, oneOf, not): problems are then not put into words. */
let quiet = 0;

function here(): string {
  return trail.length === 0 ? '/' : `/${trail.join('/')}`;
}

/**
 * What one node of a schema asks, read once from the schema (a JSON object of any of
 * many shapes) into fields every plan has, so that checking an object reads the same
 * few fields at each node instead of probing the schema for every keyword. Made the
 * first time a node is reached (a CRD schema is large, an object small: most nodes are
 * never reached); its sub-schemas become plans of their own when they are.
 */
class Plan {
  /** False for `false` (nothing is allowed). */
  public allows = true;
  /** Whether the schema asks anything at all (not for `true` or `{}`). */
  public any = false;
  public nullable = false;
  public allOf: Plan[] | undefined;
  public intOrString = false;
  public anyOf: Plan[] | undefined;
  public oneOf: Plan[] | undefined;
  public not: Plan | undefined;
  public type: string | undefined;
  public enum: readonly unknown[] | undefined;
  /** The pattern as written (for the message), and compiled. */
  public pattern: string | undefined;
  public regexp: RegExp | undefined;
  public maxLength: number | undefined;
  public minLength: number | undefined;
  public minimum: number | undefined;
  public maximum: number | undefined;
  public maxItems: number | undefined;
  public minItems: number | undefined;
  public items: Plan | undefined;
  public required: readonly string[] | undefined;
  public properties: Map<string, Plan> | undefined;
  /** The schema of other keys; `true` when any is allowed, `false` when none is (unless `open`). */
  public additional: Plan | boolean | undefined;
  /** Keys the schema does not name are kept (`x-kubernetes-preserve-unknown-fields`, or no properties at all). */
  public open = false;
  public embedded = false;
  public maxProperties: number | undefined;

  private ready = false;

  constructor(private readonly schema: Schema | boolean) {}

  /** The plan, its fields read from the schema the first time it is used. */
  public get(): this {
    if (!this.ready) this.read();
    return this;
  }

  private read(): void {
    this.ready = true;
    const s = this.schema;
    if (s === true) return;
    if (s === false) {
      this.allows = false;
      this.any = true;
      return;
    }
    const list = (schemas: unknown) => (Array.isArray(schemas) ? (schemas as Schema[]).map((x) => new Plan(x)) : undefined);
    this.any = Object.keys(s).length > 0;
    this.nullable = s.nullable === true;
    this.allOf = list(s.allOf);
    this.intOrString = s['x-kubernetes-int-or-string'] === true;
    this.anyOf = list(s.anyOf);
    this.oneOf = list(s.oneOf);
    this.not = s.not !== undefined ? new Plan(s.not as Schema) : undefined;
    this.type = typeof s.type === 'string' ? s.type : undefined;
    this.enum = Array.isArray(s.enum) ? s.enum : undefined;
    this.pattern = typeof s.pattern === 'string' ? s.pattern : undefined;
    this.regexp = this.pattern !== undefined ? patternOf(this.pattern) : undefined;
    this.maxLength = s.maxLength;
    this.minLength = s.minLength;
    this.minimum = s.minimum;
    this.maximum = s.maximum;
    this.maxItems = s.maxItems;
    this.minItems = s.minItems;
    this.items = s.items !== undefined && s.items !== true ? new Plan(s.items as Schema) : undefined;
    this.required = Array.isArray(s.required) ? s.required : undefined;
    const properties = s.properties as Record<string, Schema> | undefined;
    if (properties) this.properties = new Map(Object.keys(properties).map((k) => [k, new Plan(properties[k])]));
    const additional = s.additionalProperties;
    this.additional = typeof additional === 'object' && additional !== null ? new Plan(additional as Schema) : typeof additional === 'boolean' ? additional : undefined;
    this.open = s['x-kubernetes-preserve-unknown-fields'] === true || (!properties && additional === undefined);
    this.embedded = s['x-kubernetes-embedded-resource'] === true;
    this.maxProperties = s.maxProperties;
  }
}

/** Checks the value under a key or index of the one being checked. */
function checkAt(plan: Plan, value: unknown, key: string | number, out: string[]): void {
  const p = plan.get();
  if (!p.any) return;
  trail.push(key);
  try {
    check(p, value, out);
  } finally {
    trail.pop();
  }
}

/** How many of the plans a value passes (their problems counted, not put into words). */
function passing(plans: readonly Plan[], value: unknown): number {
  let n = 0;
  // Counted afresh for each plan: a `not` or `anyOf` inside one counts its own.
  const outer = quietProblems;
  quiet++;
  try {
    for (const sub of plans) {
      quietProblems = 0;
      check(sub.get(), value, NOWHERE);
      if (quietProblems === 0) n++;
    }
  } finally {
    quiet--;
    quietProblems = outer;
  }
  return n;
}

/** Problems found inside `anyOf`, `oneOf` and `not`, where only whether there is one counts. */
let quietProblems = 0;

/** Where problems go while quiet: nowhere (they are counted). */
const NOWHERE: string[] = [];

/**
 * Reports a problem at the current place: `<path> <the parts>`, put into words only when
 * it will be read (not inside `anyOf`, `oneOf` or `not`).
 */
function report(out: string[], what: string, detail: string | number = '', end = ''): void {
  if (quiet > 0) {
    quietProblems++;
    return;
  }
  out.push(`${here()}${what}${detail}${end}`);
}

/** The length of a string in characters (code points), as the API server counts it. */
function characters(value: string): number {
  // Most strings have no surrogate pair: their length is their count of code points.
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) return [...value].length;
  }
  return value.length;
}

/**
 * Checks a value against a structural schema the way the API server does (see the file
 * comment), adding one line per problem to `out`. An interpreter of the schema's plans
 * rather than a compiled validator: the CRD schemas are large (the ApplicationSet's
 * repeats the Application template in every generator) while the objects are small, and
 * walking the object costs what the object costs, where compiling cost seconds on every
 * synth.
 */
function check(p: Plan, value: unknown, out: string[], root = false): void {
  if (!p.any) return;
  if (!p.allows) {
    report(out, ' is not allowed');
    return;
  }
  if (value === null && p.nullable) return;
  if (p.allOf) for (const sub of p.allOf) check(sub.get(), value, out);
  // An int-or-string (a quantity, a port) comes with its anyOf of integer and string,
  // which says the same: checked at once, the pattern too when it is a string, as the
  // API server checks it.
  if (p.intOrString) {
    if (!Number.isInteger(value) && typeof value !== 'string') report(out, ' must be integer or string');
    else if (typeof value === 'string' && p.regexp && !p.regexp.test(value)) report(out, ' must match pattern "', p.pattern, '"');
    return;
  }
  if (p.anyOf && passing(p.anyOf, value) === 0) report(out, ' must match a schema in anyOf');
  if (p.oneOf && passing(p.oneOf, value) !== 1) report(out, ' must match exactly one schema in oneOf');
  if (p.not && passing([p.not], value) === 1) report(out, ' must NOT be valid against the schema in not');
  if (p.type !== undefined && !typeOk(p.type, value)) {
    report(out, ' must be ', p.type);
    return;
  }
  if (p.enum && p.enum.indexOf(value) < 0) report(out, ' must be equal to one of the allowed values');
  if (typeof value === 'string') {
    if (p.regexp && !p.regexp.test(value)) report(out, ' must match pattern "', p.pattern, '"');
    if (p.maxLength !== undefined && value.length > p.maxLength && characters(value) > p.maxLength) report(out, ' must NOT have more than ', p.maxLength, ' characters');
    if (p.minLength !== undefined && characters(value) < p.minLength) report(out, ' must NOT have fewer than ', p.minLength, ' characters');
  } else if (typeof value === 'number') {
    if (p.minimum !== undefined && value < p.minimum) report(out, ' must be >= ', p.minimum);
    if (p.maximum !== undefined && value > p.maximum) report(out, ' must be <= ', p.maximum);
  } else if (Array.isArray(value)) {
    if (p.maxItems !== undefined && value.length > p.maxItems) report(out, ' must NOT have more than ', p.maxItems, ' items');
    if (p.minItems !== undefined && value.length < p.minItems) report(out, ' must NOT have fewer than ', p.minItems, ' items');
    if (p.items) for (let i = 0; i < value.length; i++) checkAt(p.items, value[i], i, out);
  } else if (value !== null && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (p.required) for (const r of p.required) if (!(r in o)) report(out, ' must have required property \'', r, '\'');
    const { properties, additional, open, embedded } = p;
    let count = 0;
    for (const k in o) {
      count++;
      const v = o[k];
      if (v === undefined) continue;
      // The root's metadata is ObjectMeta, which the API server checks itself.
      if (root && k === 'metadata') continue;
      const sub = properties?.get(k);
      if (sub) checkAt(sub, v, k, out);
      else if (embedded && (k === 'apiVersion' || k === 'kind' || k === 'metadata')) continue;
      else if (additional instanceof Plan) checkAt(additional, v, k, out);
      else if (!open && additional !== true) report(out, ' must NOT have additional properties \'', k, '\'');
    }
    if (p.maxProperties !== undefined && count > p.maxProperties) report(out, ' must NOT have more than ', p.maxProperties, ' properties');
  }
}

/** What a schema finds wrong with a value (empty when valid): the check of a custom resource's body, for tests of each keyword. */
export function schemaFindings(schema: Schema | boolean, value: unknown): string[] {
  const out: string[] = [];
  trail.length = 0;
  check(new Plan(schema).get(), value, out);
  return out;
}

/** The plans by apiVersion, then kind. */
const schemas = new Map<string, Map<string, Plan | null>>();
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
  let known = crdVersions.get(apiVersion);
  if (known === undefined) {
    const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
    crdVersions.set(apiVersion, known = [...vendored().keys()].some((k) => k.startsWith(`${group}/`)));
  }
  return known;
}

/** Whether each apiVersion met so far is of a group with vendored CRDs. */
const crdVersions = new Map<string, boolean>();

/** The plan of an apiVersion and kind's schema; null when the CRD or the version is not vendored. */
function schemaOf(apiVersion: string, kind: string): Plan | null {
  let kinds = schemas.get(apiVersion);
  if (!kinds) schemas.set(apiVersion, kinds = new Map());
  let plan = kinds.get(kind);
  if (plan === undefined) {
    const [group, version] = apiVersion.split('/');
    const file = vendored().get(`${group}/${kind}`);
    const schema = file ? (JSON.parse(fs.readFileSync(file, 'utf8')) as VendoredCrd).versions[version] : undefined;
    kinds.set(kind, plan = schema !== undefined ? new Plan(schema as Schema) : null);
  }
  return plan;
}

/** What the CRD's schema finds wrong with a custom resource (empty when valid), or why it cannot say. */
export function crdProblems(o: { apiVersion: string; kind: string }): string[] {
  const schema = schemaOf(o.apiVersion, o.kind);
  if (!schema) return [`no CRD schema vendored for ${o.apiVersion} ${o.kind} (npm run import-crds)`];
  const out: string[] = [];
  // The object as synthesized is plain JSON: checked as it is, not copied.
  trail.length = 0;
  check(schema.get(), o, out, true);
  return out;
}
