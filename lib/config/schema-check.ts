import type Ajv from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { createHash } from 'crypto';
import { describeValue, InputProblem, nearest, nearestFirst } from './problems';
import { FieldPath, showPath, YamlSource } from './yaml-source';

/** A JSON Schema node as far as error messages read it. */
interface SchemaNode {
  readonly type?: string;
  readonly enum?: readonly unknown[];
  readonly properties?: Record<string, unknown>;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly maxItems?: number;
  readonly maxLength?: number;
  readonly 'x-allowed'?: string;
  /** Fields that were once allowed here, with what to do now: named in the error instead of "not a known field". */
  readonly 'x-removed'?: Readonly<Record<string, string>>;
}

/** The validator every input schema is compiled with (here, or ahead of time by the build). */
export function inputAjv(options: { source?: boolean } = {}): Ajv {
  // Loaded only here: synth runs the validators the build compiled, which need none of it.
  const AjvClass = (require('ajv') as { default: typeof Ajv }).default; // eslint-disable-line @typescript-eslint/no-require-imports
  // Union types: some LLaMA-Factory keys take a string or a list.
  const ajv = new AjvClass({ allErrors: true, useDefaults: true, verbose: true, strict: true, allowUnionTypes: true, code: { source: options.source ?? false } });
  ajv.addKeyword({ keyword: 'x-allowed', schemaType: 'string' });
  ajv.addKeyword({ keyword: 'x-removed', schemaType: 'object' });
  return ajv;
}

/** A hash of a schema, to know the validator compiled ahead of time is of it. */
export function schemaHash(schema: object): string {
  return createHash('sha1').update(JSON.stringify(schema)).digest('hex');
}

/** File the build writes the input schemas' validators to, compiled ahead of time (`scripts/compile-validators.ts`). */
export const PRECOMPILED = 'input-validators.generated.js';

let ajv: Ajv | undefined;
const compiled = new WeakMap<object, ValidateFunction>();
let precompiled: Record<string, ValidateFunction> | undefined;

/**
 * The validator of a schema: compiled ahead of time by the build when it is of this
 * build's schemas (compiling took a quarter of a second of every synth), compiled here
 * otherwise.
 */
function validatorOf(schema: object): ValidateFunction {
  let validate = compiled.get(schema);
  if (validate) return validate;
  const id = (schema as { $id?: string }).$id;
  if (precompiled === undefined) {
    try {
      precompiled = require(`./${PRECOMPILED}`) as Record<string, ValidateFunction>; // eslint-disable-line @typescript-eslint/no-require-imports
    } catch {
      precompiled = {};
    }
  }
  // Ahead-of-time code is used only for the very schema it was made of (by a hash of it).
  const ahead = id ? precompiled[id] : undefined;
  validate = ahead && precompiled[`${id}#sha1`] as unknown === schemaHash(schema) ? ahead : undefined;
  if (!validate) {
    ajv ??= inputAjv();
    validate = ajv.compile(schema);
  }
  compiled.set(schema, validate);
  return validate;
}

/**
 * Validates `data` against `schema`, filling in defaults in place, and turns every
 * schema error into a problem that points into `source`.
 */
export function checkAgainstSchema(source: YamlSource, schema: object, data: unknown): InputProblem[] {
  const id = (schema as { $id?: string }).$id;
  const schemaFile = id ? `schemas/${id.split('/').pop()}` : undefined;
  const validate = validatorOf(schema);
  if (validate(data)) return [];
  const seen = new Set<string>();
  const problems: InputProblem[] = [];
  for (const error of validate.errors ?? []) {
    const problem = toProblem(source, error, schemaFile);
    // One line per field: a value that breaks several keywords is told once.
    const key = `${problem.line}:${problem.column}:${problem.message.split(' ')[0]}`;
    if (!seen.has(key)) {
      seen.add(key);
      problems.push(problem);
    }
  }
  return problems;
}

function toProblem(source: YamlSource, error: ErrorObject, schemaFile: string | undefined): InputProblem {
  const path = pointerToPath(error.instancePath);
  const field = (p: FieldPath) => (p.length === 0 ? 'the file' : `'${showPath(p)}'`);
  const node = (error.parentSchema ?? {}) as SchemaNode;

  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(error.params.additionalProperty);
      const removed = node['x-removed']?.[key];
      if (removed) return source.problemAtKey(path, key, `'${showPath([...path, key])}' is no longer used: ${removed}`);
      const allowed = Object.keys(node.properties ?? {});
      const hint = nearest(key, allowed);
      return source.problemAtKey(path, key, `'${showPath([...path, key])}' is not a known field${hint ? ` (did you mean '${hint}'?)` : ''}; ${allowedFields(key, allowed, schemaFile)}`);
    }
    case 'required': {
      const missing = String(error.params.missingProperty);
      return source.problemAt(path, `'${showPath([...path, missing])}' is required but missing in ${field(path)}`);
    }
    default:
      return source.problemAt(path, `${field(path)} must be ${allowedText(error, node)}, got ${describeValue(error.data)}${quotedHint(error, node)}`);
  }
}

/** Beyond this many, the allowed fields are not all listed: only the nearest to what was written. */
const LIST_ALL_UP_TO = 12;

/** The fields allowed where an unknown one was written: all of a short list, else the nearest few and where to find the rest. */
function allowedFields(key: string, allowed: readonly string[], schemaFile: string | undefined): string {
  if (allowed.length <= LIST_ALL_UP_TO) return `allowed here: ${allowed.join(', ')}`;
  const near = nearestFirst(key, allowed).slice(0, 5);
  return `nearest allowed: ${near.join(', ')} (${allowed.length} in all${schemaFile ? `, see ${schemaFile}` : ''})`;
}

/** A number or boolean written in quotes is a string to YAML: say so, and how to fix it. */
function quotedHint(error: ErrorObject, node: SchemaNode): string {
  if (error.keyword !== 'type' || typeof error.data !== 'string') return '';
  const unquoted = error.data.trim();
  const wouldFit = (node.type === 'integer' && /^-?[0-9]+$/.test(unquoted))
    || (node.type === 'number' && unquoted !== '' && !Number.isNaN(Number(unquoted)))
    || (node.type === 'boolean' && /^(true|false)$/.test(unquoted));
  return wouldFit ? ', a string: write it without quotes' : '';
}

/** What the schema node allows, in words. */
function allowedText(error: ErrorObject, node: SchemaNode): string {
  if (node['x-allowed']) return node['x-allowed'];
  if (node.enum) return `one of ${node.enum.map((v) => `'${String(v)}'`).join(', ')}`;
  switch (error.keyword) {
    case 'maxItems':
      return `a list of at most ${node.maxItems} items`;
    case 'maxLength':
      return `at most ${node.maxLength} characters`;
    default:
      break;
  }
  switch (node.type) {
    case 'object':
      return `a mapping with the fields ${Object.keys(node.properties ?? {}).join(', ')}`;
    case 'array':
      return 'a list';
    case 'boolean':
      return 'true or false';
    case 'integer':
      return `a whole number${range(node)}`;
    case 'number':
      return `a number${range(node)}`;
    default:
      return `a ${node.type ?? 'value'}`;
  }
}

function range(node: SchemaNode): string {
  if (node.minimum !== undefined && node.maximum !== undefined) return ` from ${node.minimum} to ${node.maximum}`;
  if (node.minimum !== undefined) return ` >= ${node.minimum}`;
  if (node.maximum !== undefined) return ` <= ${node.maximum}`;
  return '';
}

function pointerToPath(pointer: string): FieldPath {
  if (!pointer) return [];
  return pointer.slice(1).split('/').map((raw) => {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    return /^[0-9]+$/.test(seg) ? Number(seg) : seg;
  });
}
