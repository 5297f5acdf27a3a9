import * as fs from 'fs';
import * as path from 'path';
import { Manifest } from '../output/render';
import { crdProblems, isCrdGroup } from './crd-schema';

/**
 * Validates objects against their schemas: built-in kinds against the Kubernetes
 * OpenAPI schema through `kubernetes-models` (the newest that runs on Node 20:
 * Kubernetes 1.28's API; it checks types, formats and required fields, not unknown
 * fields), custom resources against the real schema of their operator's CRD, unknown
 * fields included (see `crd-schema.ts`).
 */

interface Validatable { validate(): void }
type ModelClass = new (data: unknown) => Validatable;
/** A compiled validator of `kubernetes-models`: true when the data is valid. */
type ValidateFunction = (data: unknown) => boolean;

interface Model { readonly Class: ModelClass; readonly validate?: ValidateFunction }

/** Models by apiVersion, then kind (undefined: no schema known). */
const models = new Map<string, Map<string, Model | undefined>>();

/**
 * The model of a built-in apiVersion and kind, and its compiled validator (the one the
 * model's `validate()` runs, found in the model module's source); undefined when no
 * schema is known.
 */
function modelOf(apiVersion: string, kind: string): Model | undefined {
  let kinds = models.get(apiVersion);
  if (!kinds) models.set(apiVersion, kinds = new Map());
  if (!kinds.has(kind)) {
    try {
      const id = `kubernetes-models/${apiVersion}/${kind}`;
      const Class = require(id)[kind] as ModelClass; // eslint-disable-line @typescript-eslint/no-require-imports
      const schema = /require\("(\.\.\/(?:\.\.\/)?_schemas\/\w+\.js)"\)/.exec(fs.readFileSync(require.resolve(id), 'utf8'))?.[1];
      const validate = schema ? require(path.join(path.dirname(require.resolve(id)), schema)).validate as ValidateFunction : undefined; // eslint-disable-line @typescript-eslint/no-require-imports
      kinds.set(kind, { Class, validate });
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
    // The compiled validator on the object as it is (plain JSON: the model's copy would
    // only drop undefined values, which JSON has none of); the model again, for its
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
