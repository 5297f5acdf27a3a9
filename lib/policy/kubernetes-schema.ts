import * as fs from 'fs';
import * as path from 'path';
import { Manifest } from '../output/render';
import { crdProblems, isCrdGroup } from './crd-schema';
import { Verdict, verdictOf } from './verdict-validators';

/**
 * Validates objects against their schemas: built-in kinds against the Kubernetes
 * OpenAPI schema through `kubernetes-models` (the newest that runs on Node 20:
 * Kubernetes 1.28's API; it checks types, formats and required fields, not unknown
 * fields), custom resources against the real schema of their operator's CRD, unknown
 * fields included (see `crd-schema.ts`).
 */

interface Validatable { validate(): void }
type ModelClass = new (data: unknown) => Validatable;

/**
 * A built-in kind's model: its module (whose class is loaded only to put a problem into
 * words) and the verdict of its compiled validator.
 */
interface Model { readonly module: string; readonly kind: string; readonly validate?: Verdict }

/** Models by apiVersion, then kind (undefined: no schema known). */
const models = new Map<string, Map<string, Model | undefined>>();

/** A model module's file and text, when `kubernetes-models` has a class of this apiVersion and kind. */
function modelModule(apiVersion: string, kind: string): { file: string; source: string } | undefined {
  if (!/^\w+$/.test(kind)) return undefined;
  try {
    const file = require.resolve(`kubernetes-models/${apiVersion}/${kind}`);
    const source = fs.readFileSync(file, 'utf8');
    return new RegExp(`\\bclass ${kind} extends\\b`).test(source) ? { file, source } : undefined;
  } catch {
    return undefined;
  }
}

/** The compiled validator module (`_schemas/*.js`) a model module runs, as its text names it. */
function schemaModuleIn(model: { file: string; source: string }): string | undefined {
  const schema = /require\("(\.\.\/(?:\.\.\/)?_schemas\/\w+\.js)"\)/.exec(model.source)?.[1];
  return schema ? path.join(path.dirname(model.file), schema) : undefined;
}

/**
 * The compiled validator module that the model of a built-in apiVersion and kind runs;
 * undefined when there is none.
 */
export function schemaModuleOf(apiVersion: string, kind: string): string | undefined {
  const model = modelModule(apiVersion, kind);
  return model ? schemaModuleIn(model) : undefined;
}

/**
 * The model of a built-in apiVersion and kind, with the verdict of its compiled validator
 * (loaded for its verdict alone: `verdict-validators.ts`); undefined when no schema is
 * known. The model's class, and the original validators it runs, are loaded only for a
 * problem.
 */
function modelOf(apiVersion: string, kind: string): Model | undefined {
  let kinds = models.get(apiVersion);
  if (!kinds) models.set(apiVersion, kinds = new Map());
  if (!kinds.has(kind)) {
    const model = modelModule(apiVersion, kind);
    const schema = model ? schemaModuleIn(model) : undefined;
    kinds.set(kind, model ? { module: model.file, kind, validate: schema ? verdictOf(schema) : undefined } : undefined);
  }
  return kinds.get(kind);
}

/** What the model says of an object its verdict rejects: the first line of its message. */
function modelProblem(model: Model, o: Manifest): string | undefined {
  try {
    const Class = (require(model.module) as Record<string, ModelClass>)[model.kind]; // eslint-disable-line @typescript-eslint/no-require-imports
    new Class(o).validate();
    return undefined;
  } catch (e) {
    return (e as Error).message.split('\n')[0];
  }
}

/** One line per object that its schema rejects, or whose schema is unknown. */
export function schemaProblems(objects: readonly Manifest[]): string[] {
  const problems: string[] = [];
  // Where an object is, put into words only for a problem.
  const where = (o: Manifest) => `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;
  for (const o of objects) {
    if (isCrdGroup(o.apiVersion)) {
      const found = crdProblems(o);
      if (found.length > 0) problems.push(`schema: ${where(o)}: ${found.join(', ')}`);
      continue;
    }
    const model = modelOf(o.apiVersion, o.kind);
    if (!model) {
      problems.push(`schema: ${where(o)}: no schema known for ${o.apiVersion} ${o.kind}`);
      continue;
    }
    // The compiled validator's verdict on the object as it is (plain JSON: the model's copy
    // would only drop undefined values, which JSON has none of); the model, for its
    // message, only when that fails.
    if (model.validate?.(o)) continue;
    const problem = modelProblem(model, o);
    if (problem !== undefined) problems.push(`schema: ${where(o)}: ${problem}`);
  }
  return problems;
}
