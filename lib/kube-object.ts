import { ApiObject, ApiObjectProps, GroupVersionKind, JsonPatch } from 'cdk8s';
import { Construct } from 'constructs';

/**
 * A Kubernetes object described by the props of cdk8s's generated classes (`k8s.KubeX`,
 * typed from the Kubernetes API) and rendered straight from them.
 *
 * The generated class renders in three passes over the object: cdk8s resolves every
 * value in turn (looking for tokens and lazy values), sanitizes the result, then the
 * class copies each field into a new object, field by field. For the thousands of
 * objects of a large platform that was most of synth's time (issue #12). The platform's
 * props are plain data, so one pass does here what those three do to plain data: drop
 * null and undefined fields, sort keys, turn `Quantity` and `IntOrString` into their
 * value. Anything else that is not plain data (a lazy value, a token) is refused loudly
 * rather than written wrong.
 */
export class KubeObject extends ApiObject {
  /** The props as given (ApiObject keeps its own private). */
  private readonly data: Readonly<Record<string, unknown>>;
  private readonly jsonPatches: JsonPatch[] = [];

  constructor(scope: Construct, id: string, props: ApiObjectProps) {
    super(scope, id, props);
    this.data = props as unknown as Record<string, unknown>;
  }

  public override addJsonPatch(...ops: JsonPatch[]): void {
    super.addJsonPatch(...ops);
    this.jsonPatches.push(...ops);
  }

  /** The object as Kubernetes JSON: what `ApiObject.toJson()` and the generated class together make of plain data. */
  public override toJson(): any { // eslint-disable-line @typescript-eslint/no-explicit-any
    const json: Record<string, unknown> = {};
    try {
      json.metadata = metadataJson(this.metadata);
      for (const key of Object.keys(this.data).sort()) {
        if (key === 'metadata') continue;
        const value = plainJson(this.data[key], false);
        if (value !== null && value !== undefined) json[key] = value;
      }
    } catch (e) {
      throw new Error(`Failed serializing construct at path '${this.node.path}' with name '${this.name}': ${(e as Error).message}`);
    }
    const patched = this.jsonPatches.length > 0 ? JsonPatch.apply(json, ...this.jsonPatches) : json;
    // apiVersion, kind and metadata first, as ApiObject writes them.
    const result: Record<string, unknown> = {};
    for (const k of ['apiVersion', 'kind', 'metadata', ...Object.keys(patched)]) {
      if (k in patched) result[k] = patched[k];
    }
    return result;
  }
}

/** What cdk8s's metadata holds (its fields are private in its types, plain at run time). */
interface MetadataFields {
  readonly name?: string;
  readonly namespace?: string;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
  readonly finalizers?: string[];
  readonly ownerReferences?: unknown[];
  readonly _additionalAttributes?: Record<string, unknown>;
}

/**
 * The metadata as `ApiObjectMetadataDefinition.toJson()` makes it of plain data (empty
 * maps and lists dropped), read from its fields directly; through its own `toJson()`
 * should a cdk8s version hold them otherwise.
 */
function metadataJson(metadata: ApiObject['metadata']): unknown {
  const m = metadata as unknown as MetadataFields;
  if (!m._additionalAttributes || !m.labels || !m.annotations || !m.finalizers || !m.ownerReferences) return metadata.toJson();
  return plainJson({
    ...m._additionalAttributes,
    name: m.name,
    namespace: m.namespace,
    annotations: m.annotations,
    finalizers: m.finalizers,
    ownerReferences: m.ownerReferences,
    labels: m.labels,
  }, true);
}

/** A generated class of cdk8s (`k8s.KubeDeployment`, ...): its kind, and the props it takes. */
type KubeClass = { readonly GVK: GroupVersionKind } & (new (scope: Construct, id: string, props?: any) => ApiObject); // eslint-disable-line @typescript-eslint/no-explicit-any

/** The props of a generated class. */
export type KubeProps<K extends KubeClass> = NonNullable<ConstructorParameters<K>[2]>;

/** A {@link KubeObject} of the kind of a generated class, with that class's props: `kube(this, 'Resource', k8s.KubeService, { spec })`. */
export function kube<K extends KubeClass>(scope: Construct, id: string, kind: K, props: KubeProps<K>): KubeObject {
  return new KubeObject(scope, id, { ...kind.GVK, ...props });
}

/**
 * Plain data as Kubernetes JSON: keys sorted, null and undefined fields dropped (and, with
 * `dropEmpty`, empty maps and lists), `Quantity` and `IntOrString` (objects whose only
 * meaning is their `value`) replaced by their value. Throws on any other kind of object.
 */
function plainJson(value: unknown, dropEmpty: boolean): unknown {
  if (value === null || value === undefined || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    if (dropEmpty && value.length === 0) return undefined;
    return value.map((v) => plainJson(v, dropEmpty));
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    const name = (value as object).constructor?.name;
    const inner = (value as { value?: unknown }).value;
    if ((name === 'Quantity' || name === 'IntOrString') && (typeof inner === 'string' || typeof inner === 'number')) return inner;
    throw new Error(`can't render non-simple object of type '${name}'`);
  }
  const out: Record<string, unknown> = {};
  let empty = true;
  const keys = Object.keys(value);
  // Most objects are written in order already: sort only those that are not.
  for (let i = 1; i < keys.length; i++) {
    if (keys[i - 1] > keys[i]) {
      keys.sort();
      break;
    }
  }
  for (const key of keys) {
    const v = plainJson((value as Record<string, unknown>)[key], dropEmpty);
    if (v !== null && v !== undefined) {
      out[key] = v;
      empty = false;
    }
  }
  return dropEmpty && empty ? undefined : out;
}
