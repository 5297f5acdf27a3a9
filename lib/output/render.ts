import * as crypto from 'crypto';
import { ApiObject, App, Chart } from 'cdk8s';
import { toYamlDocuments } from './yaml-emitter';

/** A Kubernetes object as synthesized. */
export interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly [key: string]: unknown };
  readonly [key: string]: unknown;
}

/** A file of the output tree: path relative to the output folder, and its text. */
export interface OutputFile {
  readonly path: string;
  readonly content: string;
}

/**
 * A file of the output tree known by its hash (a workspace reused from the cache): kept
 * if the file in the tree has these bytes, made (`make`) and written otherwise.
 */
export interface ExpectedFile {
  readonly path: string;
  /** `<sha1>:<bytes>` of its content (see `digestOf`). */
  readonly digest: string;
  /**
   * The file's stamp (`stampOf`) when the run that cached it left the tree: a file that
   * still has it is that very file, unchanged, and is kept without being read.
   */
  readonly stamp?: string;
  readonly make: () => string;
}

/**
 * A file the tree held byte for byte when it was rendered (compared then, by the thread
 * that rendered it, which then let its text go): kept if the tree still has a file of
 * that size there, made (`make`) and written otherwise.
 */
export interface KeptFile {
  readonly path: string;
  /** Its length in bytes, as the tree held it. */
  readonly keptBytes: number;
  readonly make: () => string;
}

/** A file synth writes: its text, or what is known of it and a way to make it. */
export type TreeFile = OutputFile | ExpectedFile | KeptFile;

/** The output folders, for comparing what is rendered with what they hold. */
export interface OutputDirs {
  readonly dist: string;
  readonly charts: string;
}

/** The text of a file: its own, or made now. */
export function contentOf(file: TreeFile): string {
  return 'content' in file ? file.content : file.make();
}

/** Whether a value is a digest as `digestOf` makes them (a cache entry's may not be). */
export function isDigest(value: unknown): value is string {
  return typeof value === 'string' && /^[0-9a-f]{40}:\d+$/.test(value);
}

/** The byte length a digest records. */
export function digestBytes(digest: string): number {
  return Number(digest.slice(digest.indexOf(':') + 1));
}

/** `crypto.hash` where Node.js has it (20.12 and later): one call, no Hash object per file. */
const oneShot = (crypto as { hash?: (algorithm: string, data: string | Buffer, encoding: 'hex') => string }).hash;

function sha1(content: string | Buffer): string {
  return oneShot ? oneShot('sha1', content, 'hex') : crypto.createHash('sha1').update(content).digest('hex');
}

/** The digest of a text as written (UTF-8): its SHA-1 and length, `<sha1>:<bytes>`. */
export function digestOf(content: string | Buffer): string {
  const size = typeof content === 'string' ? Buffer.byteLength(content) : content.length;
  return `${sha1(content)}:${size}`;
}

/** File name of the manifests in each application folder of dist/. */
export const MANIFESTS_FILE = 'manifests.yaml';

/** A chart with work to do on its objects before they are rendered (the lifecycle annotations of a `PlatformChart`). */
export interface PreparedChart {
  prepareObjects(): void;
}

function isPrepared(chart: Chart): chart is Chart & PreparedChart {
  return typeof (chart as Partial<PreparedChart>).prepareObjects === 'function';
}

/**
 * Synthesizes one chart in an App of its own. cdk8s validates the whole App on every
 * chart's synthesis, so one App holding every chart makes synth quadratic in the number
 * of workspaces; one App per chart keeps it linear.
 *
 * What `Chart.toJson()` does, but the dependency graph that orders the objects (they are
 * sorted by kind and name here instead): the chart's preparation, every construct's
 * validation (an error names the construct), and each object rendered.
 */
export function synthChart(build: (app: App) => Chart): Manifest[] {
  const app = new App({ outdir: '/dev/null' });
  const chart = build(app);
  if (isPrepared(chart)) chart.prepareObjects();
  const all = app.node.findAll();
  const errors = all.flatMap((c) => c.node.validate().map((e) => `${c.node.path}: ${e}`));
  if (errors.length > 0) throw new Error(`Validation failed with the following errors:\n  ${errors.join('\n  ')}`);
  return sortManifests(all.filter((c): c is ApiObject => c instanceof ApiObject).map((o) => o.toJson() as Manifest));
}

/**
 * Kinds in the order a reader (and `kubectl apply`) wants them: what others depend on first.
 * A kind not listed here sorts after these, by name.
 */
export const KIND_ORDER: readonly string[] = [
  'AppProject', 'Application', 'ApplicationSet',
  'PriorityClass', 'ResourceFlavor', 'WorkloadPriorityClass',
  'Namespace', 'Password',
  'IAMServiceAccount', 'IAMPolicyMember', 'StorageBucket', 'SQLDatabase', 'SQLUser', 'SecretManagerSecret', 'SecretManagerSecretVersion',
  'ServiceAccount', 'SecretStore', 'Role', 'RoleBinding', 'ExternalSecret', 'ConfigMap',
  'ResourceQuota', 'LimitRange', 'ClusterQueue', 'LocalQueue', 'PersistentVolumeClaim', 'Deployment', 'PodDisruptionBudget', 'Service', 'NetworkPolicy', 'PodMonitoring', 'Rules',
  'TriggerAuthentication', 'ScaledObject', 'HTTPScaledObject',
  'Job', 'CronJob', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding',
  'GatewayClass', 'EnvoyProxy', 'Gateway', 'SecurityPolicy', 'Backend', 'AIServiceBackend', 'AIGatewayRoute', 'BackendTrafficPolicy',
];

const KIND_RANK = new Map(KIND_ORDER.map((k, i) => [k, i]));

function kindRank(kind: string): number {
  return KIND_RANK.get(kind) ?? KIND_ORDER.length;
}

/** Orders objects by kind, then name: the order does not depend on the order of construction. */
export function sortManifests(manifests: readonly Manifest[]): Manifest[] {
  return [...manifests].sort((a, b) =>
    kindRank(a.kind) - kindRank(b.kind) || (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0)
    || (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0));
}

/**
 * Writes the objects of one application folder as one multi-document YAML file.
 * One file per folder, not per object: creating files dominated synth's time at
 * 1000 workspaces (17 000 files), and `npm run diff` lists changes per object anyway.
 */
export function toFile(folder: string, source: string, manifests: readonly Manifest[]): OutputFile {
  const header = `# Generated by 'npm run synth' from ${source}. Do not edit: change the source and synth again.\n`;
  return {
    path: `${folder}/${MANIFESTS_FILE}`,
    content: toYamlDocuments(header, manifests as readonly Record<string, unknown>[], (m) => `${(m as Manifest).kind} ${(m as Manifest).metadata.name}`),
  };
}
