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

const models = new Map<string, ModelClass | undefined>();

/** The model class of a built-in apiVersion and kind; undefined when no schema is known. */
function modelOf(apiVersion: string, kind: string): ModelClass | undefined {
  const key = `${apiVersion}/${kind}`;
  if (!models.has(key)) {
    try {
      models.set(key, require(`kubernetes-models/${apiVersion}/${kind}`)[kind]); // eslint-disable-line @typescript-eslint/no-require-imports
    } catch {
      models.set(key, undefined);
    }
  }
  return models.get(key);
}

/** One line per object that its schema rejects, or whose schema is unknown. */
export function schemaProblems(objects: readonly Manifest[]): string[] {
  const problems: string[] = [];
  for (const o of objects) {
    const where = `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;
    if (isCrdGroup(o.apiVersion)) {
      const found = crdProblems(o);
      if (found.length > 0) problems.push(`schema: ${where}: ${found.join(', ')}`);
      continue;
    }
    const Model = modelOf(o.apiVersion, o.kind);
    if (!Model) {
      problems.push(`schema: ${where}: no schema known for ${o.apiVersion} ${o.kind}`);
      continue;
    }
    try {
      new Model(o).validate();
    } catch (e) {
      problems.push(`schema: ${where}: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  return problems;
}
