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
interface Model { readonly Class: ModelClass; readonly validate?: Verdict }

/** Models by apiVersion, then kind (undefined: no schema known). */
const models = new Map<string, Map<string, Model | undefined>>();

/**
 * The compiled validator module (`_schemas/*.js`) that the model of a built-in apiVersion
 * and kind runs, as the model's module names it; undefined when there is none.
 */
export function schemaModuleOf(apiVersion: string, kind: string): string | undefined {
  try {
    const file = require.resolve(`kubernetes-models/${apiVersion}/${kind}`);
    const schema = /require\("(\.\.\/(?:\.\.\/)?_schemas\/\w+\.js)"\)/.exec(fs.readFileSync(file, 'utf8'))?.[1];
    return schema ? path.join(path.dirname(file), schema) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The model of a built-in apiVersion and kind, and the verdict of its compiled validator
 * (loaded for its verdict alone: `verdict-validators.ts`); undefined when no schema is
 * known.
 */
function modelOf(apiVersion: string, kind: string): Model | undefined {
  let kinds = models.get(apiVersion);
  if (!kinds) models.set(apiVersion, kinds = new Map());
  if (!kinds.has(kind)) {
    try {
      const Class = require(`kubernetes-models/${apiVersion}/${kind}`)[kind] as ModelClass; // eslint-disable-line @typescript-eslint/no-require-imports
      const schema = schemaModuleOf(apiVersion, kind);
      kinds.set(kind, { Class, validate: schema ? verdictOf(schema) : undefined });
    } catch {
      kinds.set(kind, undefined);
    }
  }
  return kinds.get(kind);
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
    try {
      new model.Class(o).validate();
    } catch (e) {
      problems.push(`schema: ${where(o)}: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  return problems;
}
