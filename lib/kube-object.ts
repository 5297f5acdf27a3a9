import { ApiObject, ApiObjectProps, JsonPatch } from 'cdk8s';
import type { k8s } from 'cdk8s-plus-28';
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
      const keys = Object.keys(this.data);
      sortKeys(keys);
      for (const key of keys) {
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
  // cdk8s keeps the options the metadata was made with as its other attributes: their
  // name, labels and so on are overridden by the fields above, so only other keys count.
  if (hasOtherAttributes(m._additionalAttributes)) {
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
  // The usual case, no other field: the same object built at once, its keys in order.
  const out: Record<string, unknown> = {};
  let empty = true;
  for (const key of METADATA_KEYS) {
    const v = plainJson(m[key], true);
    if (v !== null && v !== undefined) {
      out[key] = v;
      empty = false;
    }
  }
  return empty ? undefined : out;
}

/** The fields of metadata cdk8s writes, in the order they are written (sorted). */
const METADATA_KEYS = ['annotations', 'finalizers', 'labels', 'name', 'namespace', 'ownerReferences'] as const;

/** The same, to look up: cdk8s writes these from its own fields, whatever its other attributes hold under these keys. */
const OWN_METADATA_FIELDS: ReadonlySet<string> = new Set(METADATA_KEYS);

/** Whether metadata options hold a key (with a value) other than those cdk8s writes from its own fields. */
function hasOtherAttributes(attributes: Record<string, unknown>): boolean {
  for (const key in attributes) {
    if (!OWN_METADATA_FIELDS.has(key) && attributes[key] !== undefined) return true;
  }
  return false;
}

/** Sorts keys in place, as `sort()` does: for the handful of keys of most objects, an insertion sort, far cheaper. */
function sortKeys(keys: string[]): void {
  if (keys.length > 16) {
    keys.sort();
    return;
  }
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i];
    let j = i - 1;
    while (j >= 0 && keys[j] > key) {
      keys[j + 1] = keys[j];
      j--;
    }
    keys[j + 1] = key;
  }
}

/** A kind of object, with the props of cdk8s's generated class for it (`k8s.KubeDeploymentProps`, ...). */
export interface KubeKind<P> {
  readonly apiVersion: string;
  readonly kind: string;
  /** Never set: carries the props type. */
  readonly props?: P;
}

function kindOf<P>(apiVersion: string, kind: string): KubeKind<P> {
  return { apiVersion, kind };
}

/**
 * The kinds the platform makes with their generated classes' props, which type them
 * (the classes themselves are not loaded: only their types are used).
 */
export const KUBE = {
  ConfigMap: kindOf<k8s.KubeConfigMapProps>('v1', 'ConfigMap'),
  CronJob: kindOf<k8s.KubeCronJobProps>('batch/v1', 'CronJob'),
  Deployment: kindOf<k8s.KubeDeploymentProps>('apps/v1', 'Deployment'),
  Job: kindOf<k8s.KubeJobProps>('batch/v1', 'Job'),
  LimitRange: kindOf<k8s.KubeLimitRangeProps>('v1', 'LimitRange'),
  Namespace: kindOf<k8s.KubeNamespaceProps>('v1', 'Namespace'),
  NetworkPolicy: kindOf<k8s.KubeNetworkPolicyProps>('networking.k8s.io/v1', 'NetworkPolicy'),
  PersistentVolumeClaim: kindOf<k8s.KubePersistentVolumeClaimProps>('v1', 'PersistentVolumeClaim'),
  Pod: kindOf<k8s.KubePodProps>('v1', 'Pod'),
  PriorityClass: kindOf<k8s.KubePriorityClassProps>('scheduling.k8s.io/v1', 'PriorityClass'),
  PodDisruptionBudget: kindOf<k8s.KubePodDisruptionBudgetProps>('policy/v1', 'PodDisruptionBudget'),
  ResourceQuota: kindOf<k8s.KubeResourceQuotaProps>('v1', 'ResourceQuota'),
  Role: kindOf<k8s.KubeRoleProps>('rbac.authorization.k8s.io/v1', 'Role'),
  RoleBinding: kindOf<k8s.KubeRoleBindingProps>('rbac.authorization.k8s.io/v1', 'RoleBinding'),
  Service: kindOf<k8s.KubeServiceProps>('v1', 'Service'),
  ServiceAccount: kindOf<k8s.KubeServiceAccountProps>('v1', 'ServiceAccount'),
} as const;

/**
 * Makes an object cluster-scoped: a chart stamps its namespace on every object, and
 * cdk8s offers no way to opt one out.
 */
export function clusterScoped<T extends ApiObject>(o: T): T {
  o.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
  return o;
}

/** A {@link KubeObject} of a kind, with its generated class's props: `kube(this, 'Resource', KUBE.Service, { spec })`. */
export function kube<P extends object>(scope: Construct, id: string, kind: KubeKind<P>, props: P): KubeObject {
  return new KubeObject(scope, id, { apiVersion: kind.apiVersion, kind: kind.kind, ...props });
}

/**
 * A quantity (`500m`, `16Gi`, a GPU count) where the generated types ask for their
 * `Quantity` class: rendered as it is written, as the class would render it.
 */
export function quantity(value: string | number): k8s.Quantity {
  return value as unknown as k8s.Quantity;
}

/** A port number or name where the generated types ask for their `IntOrString` class. */
export function intOrString(value: string | number): k8s.IntOrString {
  return value as unknown as k8s.IntOrString;
}

/** What a quantity holds, whether written plain or as cdk8s's class. */
export function quantityValue(q: unknown): string | number | undefined {
  if (typeof q === 'string' || typeof q === 'number') return q;
  const inner = (q as { value?: unknown } | undefined)?.value;
  return typeof inner === 'string' || typeof inner === 'number' ? inner : undefined;
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
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const v = plainJson(value[i], dropEmpty);
      if (v !== value[i] && !copy) copy = value.slice(0, i);
      if (copy) copy.push(v);
    }
    return copy ?? value;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    const name = (value as object).constructor?.name;
    const inner = (value as { value?: unknown }).value;
    if ((name === 'Quantity' || name === 'IntOrString') && (typeof inner === 'string' || typeof inner === 'number')) return inner;
    throw new Error(`can't render non-simple object of type '${name}'`);
  }
  const keys = Object.keys(value);
  // Plain data already as JSON writes it (keys in order, no empty fields, nothing to
  // replace) is used as it is: most of an object's parts are.
  let sorted = true;
  for (let i = 1; i < keys.length; i++) {
    if (keys[i - 1] > keys[i]) {
      sortKeys(keys);
      sorted = false;
      break;
    }
  }
  const src = value as Record<string, unknown>;
  // Copied only from the first field that differs (or at once, when keys are out of order).
  let out: Record<string, unknown> | undefined = sorted ? undefined : {};
  let empty = true;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    const raw = src[key];
    const v = plainJson(raw, dropEmpty);
    const kept = v !== null && v !== undefined;
    if (!out && (v !== raw || !kept)) {
      out = {};
      for (let j = 0; j < i; j++) out[keys[j]] = src[keys[j]];
    }
    if (kept) {
      empty = false;
      if (out) out[key] = v;
    }
  }
  if (dropEmpty && empty) return undefined;
  return out ?? value;
}
