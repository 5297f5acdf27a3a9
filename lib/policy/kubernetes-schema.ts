import { Manifest } from '../output/render';

/**
 * Validates objects against the Kubernetes OpenAPI schema, and custom resources against
 * their CRDs' schemas, through the `kubernetes-models` packages (the newest that run on
 * Node 20: Kubernetes 1.28's API, External Secrets as v1beta1, whose schema the v1 API
 * kept, and Argo CD 2.7). They check types, formats and required fields; they do not
 * reject unknown fields.
 */

interface Validatable { validate(): void }
type ModelClass = new (data: unknown) => Validatable;

const models = new Map<string, ModelClass>();

/** The model class of an apiVersion and kind; undefined when no schema is known. */
function modelOf(apiVersion: string, kind: string): ModelClass | undefined {
  const key = `${apiVersion}/${kind}`;
  if (!models.has(key)) {
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
    const modulePath = group === 'external-secrets.io' ? `@kubernetes-models/external-secrets/external-secrets.io/v1beta1/${kind}`
      : group === 'argoproj.io' ? `@kubernetes-models/argo-cd/argoproj.io/${version}/${kind}`
        : `kubernetes-models/${apiVersion}/${kind}`;
    try {
      models.set(key, require(modulePath)[kind]); // eslint-disable-line @typescript-eslint/no-require-imports
    } catch {
      return undefined;
    }
  }
  return models.get(key);
}

/** One line per object that its schema rejects, or whose schema is unknown. */
export function schemaProblems(objects: readonly Manifest[]): string[] {
  const problems: string[] = [];
  for (const o of objects) {
    const where = `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;
    const Model = modelOf(o.apiVersion, o.kind);
    if (!Model) {
      problems.push(`schema: ${where}: no schema known for ${o.apiVersion} ${o.kind}`);
      continue;
    }
    const data = o.apiVersion === 'external-secrets.io/v1' ? { ...o, apiVersion: 'external-secrets.io/v1beta1' } : o;
    try {
      new Model(data).validate();
    } catch (e) {
      problems.push(`schema: ${where}: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  return problems;
}
