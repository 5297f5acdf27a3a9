import { parseQuantity } from '../config/quantity';
import { isStateful } from '../lifecycle';
import { Manifest } from '../output/render';

/** What a change does to one object. */
export interface ObjectChange {
  readonly kind: string;
  readonly name: string;
  readonly action: 'added' | 'changed' | 'removed';
  /** Changed fields, as `path: old -> new`. */
  readonly fields: readonly string[];
  /** Why the change deletes or replaces a stateful object, if it does. */
  readonly danger?: string;
  /** What else a reviewer should know (a run that will train), if anything. */
  readonly note?: string;
  /** How a model's requests split between its versions, before and after (a route of the gateway). */
  readonly traffic?: string;
}

/** Each backend of a model's route with its percent of the requests (weights as Gateway API reads them: relative, 1 when unset). */
function trafficSplit(m: Manifest | undefined): Map<string, number> {
  const refs: { name: string; weight?: number }[] = (m as any)?.spec?.rules?.[0]?.backendRefs ?? []; // eslint-disable-line @typescript-eslint/no-explicit-any
  const total = refs.reduce((n, r) => n + (r.weight ?? 1), 0);
  return new Map(refs.map((r) => [r.name, total === 0 ? 0 : Math.round(((r.weight ?? 1) * 100) / total)]));
}

/** The kinds whose dangers are about serving, not data. */
const SERVING_KINDS = ['AIGatewayRoute', 'AIServiceBackend'];

/** The label of a model's AIServiceBackend naming the version behind it (lib/gateway/model-routes.ts). */
const VERSION_LABEL = 'llm-platform/model-version';

/**
 * Why a change would send a model's requests to pods that are not there: the gateway's
 * route (dist/shared) and the Deployments (dist/workspaces) sync as separate Applications,
 * in no set order, and a Backend sees no readiness. A canary added with requests (its
 * pods load first), removed while it has some, or a version changed under requests while
 * a canary could take them (the Deployment restarts).
 */
function servingDanger(was: Manifest | undefined, now: Manifest | undefined, after: readonly Manifest[]): string | undefined {
  const kind = (was ?? now)!.kind;
  if (kind === 'AIGatewayRoute') {
    const [a, b] = [trafficSplit(was), trafficSplit(now)];
    const added = [...b].find(([n, w]) => !a.has(n) && w > 0 && b.size > 1);
    if (added) return `sends ${added[1]}% of the model's requests to ${added[0]}, whose pods are not ready yet (the route and the workspace sync apart): add it at weight 0, raise the weight once it is ready`;
    const gone = [...a].find(([n, w]) => !b.has(n) && w > 0 && a.size > 1);
    if (gone) return `removes ${gone[0]} while it takes ${gone[1]}% of the model's requests: set its weight to 0 first`;
    return undefined;
  }
  if (kind === 'AIServiceBackend' && was && now) {
    const [v0, v1] = [was, now].map((m) => (m.metadata.labels as Record<string, string> | undefined)?.[VERSION_LABEL]);
    if (v0 === v1) return undefined;
    const route = after.find((r) => r.kind === 'AIGatewayRoute' && trafficSplit(r).has(now.metadata.name));
    const split = trafficSplit(route);
    const share = split.get(now.metadata.name) ?? 0;
    if (split.size > 1 && share > 0) return `restarts ${now.metadata.name} on version ${v1} while it takes ${share}% of the model's requests: move them to the other version first (weight 0 or 100)`;
  }
  return undefined;
}

/** How a route's requests move between versions, when they do: `model-x 90% -> 50%, model-x-canary 10% -> 50%`. */
function trafficChange(was: Manifest | undefined, now: Manifest | undefined): string | undefined {
  if ((was ?? now)!.kind !== 'AIGatewayRoute') return undefined;
  const [a, b] = [trafficSplit(was), trafficSplit(now)];
  const names = [...new Set([...a.keys(), ...b.keys()])];
  // Unchanged, or a model with one version coming or going: nothing to split.
  if (names.every((n) => a.get(n) === b.get(n)) || (!(was && now) && names.length < 2)) return undefined;
  const side = (m: Map<string, number>, n: string) => (m.has(n) ? `${m.get(n)}%` : 'none');
  return `traffic: ${names.map((n) => (was && now ? `${n} ${side(a, n)} -> ${side(b, n)}` : `${n} ${side(now ? b : a, n)}`)).join(', ')}`;
}

/** The run id of a training run's Job or JobSet (label `llm-platform/run`), if it is one. */
function runOf(m: Manifest): string | undefined {
  if (m.kind !== 'Job' && m.kind !== 'JobSet') return undefined;
  return (m.metadata.labels as Record<string, string> | undefined)?.['llm-platform/run'];
}

/** The changes of one dist/ folder (one Argo CD application). */
export interface FolderChanges {
  readonly folder: string;
  readonly changes: readonly ObjectChange[];
}

/** Fields of a PVC that Kubernetes cannot change in place: changing one means a new, empty volume. */
const PVC_IMMUTABLE = ['spec.storageClassName', 'spec.accessModes', 'spec.volumeName', 'spec.volumeMode', 'spec.dataSource', 'spec.dataSourceRef', 'spec.selector'];

/**
 * Fields of Config Connector objects that name the GCP resource or fix where it lives:
 * Config Connector refuses to change them, and forcing the change (deleting the object)
 * means a new, empty resource beside the abandoned one.
 */
const GCP_IMMUTABLE: Readonly<Record<string, readonly string[]>> = {
  IAMServiceAccount: ['spec.resourceID'],
  StorageBucket: ['spec.resourceID', 'spec.location'],
  SQLDatabase: ['spec.resourceID', 'spec.instanceRef'],
  SQLUser: ['spec.resourceID', 'spec.instanceRef'],
  SecretManagerSecret: ['spec.resourceID', 'spec.replication'],
  SecretManagerSecretVersion: ['spec.secretRef', 'spec.secretData'],
  // A generated password: another target or source makes a new password the secret's version cannot follow.
  ExternalSecret: ['spec.target.name', 'spec.dataFrom'],
};

/** Annotations that protect stateful objects; losing one exposes the data. */
const PROTECTIONS = [
  'metadata.annotations.argocd.argoproj.io/sync-options', 'metadata.annotations.helm.sh/resource-policy', 'metadata.annotations.cnrm.cloud.google.com/deletion-policy',
];

/** The fields of `fields` that `paths` change (a path is a field or lies under one). */
function touched(paths: readonly string[], fields: readonly string[]): string[] {
  return [...new Set(paths.flatMap((p) => fields.filter((f) => p === f || p.startsWith(`${f}[`) || p.startsWith(`${f}.`))))];
}

/** MLflow server arguments that name where runs and models live. */
const MLFLOW_STORES = /^--(backend-store-uri|default-artifact-root|artifacts-destination)=/;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function key(m: Manifest): string {
  return `${m.kind}/${m.metadata.namespace ?? ''}/${m.metadata.name}`;
}

function show(v: Json | undefined): string {
  if (v === undefined) return '(none)';
  const text = JSON.stringify(v);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Leaf differences between two values, as `path: old -> new`, with their paths. */
function fieldChanges(a: Json | undefined, b: Json | undefined, at: string, out: { path: string; line: string }[]): void {
  // A JSON document held in a string (a routing table in a ConfigMap) is compared as data.
  if (typeof a === 'string' && typeof b === 'string' && a !== b && /^\s*[[{]/.test(a) && /^\s*[[{]/.test(b)) {
    const parsed = [a, b].map((t) => {
      try {
        return JSON.parse(t) as Json;
      } catch {
        return undefined;
      }
    });
    if (parsed[0] !== undefined && parsed[1] !== undefined) return fieldChanges(parsed[0], parsed[1], at, out);
  }
  const bothObjects = a !== null && b !== null && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b);
  const bothArrays = Array.isArray(a) && Array.isArray(b);
  if (bothObjects) {
    const keys = [...new Set([...Object.keys(a as object), ...Object.keys(b as object)])].sort();
    for (const k of keys) fieldChanges((a as Record<string, Json>)[k], (b as Record<string, Json>)[k], at ? `${at}.${k}` : k, out);
  } else if (bothArrays && identity(a as Json[], b as Json[])) {
    // Lists of named things (env vars, volumes, routes) are compared item by item, by name.
    const id = identity(a as Json[], b as Json[])!;
    const byId = (list: Json[]) => new Map(list.map((x) => [String((x as Record<string, Json>)[id]), x]));
    const [was, now] = [byId(a as Json[]), byId(b as Json[])];
    for (const k of [...new Set([...was.keys(), ...now.keys()])]) fieldChanges(was.get(k), now.get(k), `${at}[${id}=${k}]`, out);
  } else if (bothArrays && (a as Json[]).length === (b as Json[]).length) {
    (a as Json[]).forEach((x, i) => fieldChanges(x, (b as Json[])[i], `${at}[${i}]`, out));
  } else if (JSON.stringify(a) !== JSON.stringify(b)) {
    out.push({ path: at, line: `${at}: ${show(a)} -> ${show(b)}` });
  }
}

/** The field that names the items of both lists (all objects, each with a distinct value), if there is one. */
function identity(a: Json[], b: Json[]): string | undefined {
  const items = [...a, ...b];
  if (items.length === 0 || !items.every((x) => x !== null && typeof x === 'object' && !Array.isArray(x))) return undefined;
  return ['name', 'model_id', 'secretKey', 'mountPath'].find((k) => [a, b].every((list) => {
    const values = list.map((x) => (x as Record<string, Json>)[k]);
    return values.every((v) => typeof v === 'string') && new Set(values).size === values.length;
  }));
}

/** A storage size in bytes, or NaN when it is not a quantity (no flag is raised then). */
function bytes(q: unknown): number {
  try {
    return parseQuantity(String(q));
  } catch {
    return NaN;
  }
}

/** Why changing `before` into `after` would delete or replace stateful data, if it would. */
function dangerOfChange(before: any, after: any, paths: readonly string[]): string | undefined {
  if (isStateful(before.kind, before.metadata?.namespace)) {
    const lost = PROTECTIONS.filter((p) => {
      const read = (o: any) => o.metadata?.annotations?.[p.replace('metadata.annotations.', '')];
      return read(before) !== undefined && read(after) !== read(before);
    });
    if (lost.length > 0) return `changes ${lost.map((p) => p.replace('metadata.annotations.', '')).join(', ')}, which keeps its data from being pruned or deleted`;
    const fixed = touched(paths, GCP_IMMUTABLE[before.kind] ?? []);
    if (fixed.length > 0) return `changes ${fixed.join(', ')}, which Config Connector cannot change: forcing it means a new, empty GCP resource`;
  }
  if (before.kind === 'Deployment') {
    const stores = (o: any) => (o.spec?.template?.spec?.containers ?? []).flatMap((c: any) => (c.args ?? []).filter((a: string) => MLFLOW_STORES.test(a))).join(' ');
    if (stores(before) !== stores(after) && stores(before) !== '') return 'points MLflow at another database or bucket: its runs and registered models will look gone';
  }
  if (before.kind === 'ApplicationSet' && JSON.stringify(before.spec?.syncPolicy) !== JSON.stringify(after.spec?.syncPolicy)) {
    return 'changes what happens to a workspace\'s objects when its file is removed';
  }
  if (before.kind === 'PersistentVolumeClaim') {
    const fixed = touched(paths, PVC_IMMUTABLE);
    if (fixed.length > 0) return `changes ${fixed.join(', ')}, which a volume cannot change: it would be replaced by an empty one`;
    const was = bytes(before.spec?.resources?.requests?.storage);
    const now = bytes(after.spec?.resources?.requests?.storage);
    if (now < was) return 'shrinks the volume, which Kubernetes refuses; forcing it means a new, empty volume';
  }
  if (before.kind === 'Deployment' && paths.some((p) => p.startsWith('spec.selector'))) {
    return 'changes the selector, which cannot change: the Deployment would be deleted and created again';
  }
  return undefined;
}

/**
 * Compares the objects of one folder before and after a change: which are added,
 * changed (and how) or removed, and which of those delete or replace stateful data.
 */
export function diffObjects(before: readonly Manifest[], after: readonly Manifest[]): ObjectChange[] {
  const old = new Map(before.map((m) => [key(m), m]));
  const now = new Map(after.map((m) => [key(m), m]));
  const changes: ObjectChange[] = [];
  // A run added trains once merged: on GPUs, after its queue admits it. One that takes
  // the place of a removed run of the same id trains again (what it trains changed).
  const removedRuns = new Set(before.filter((m) => runOf(m) !== undefined && !now.has(key(m))).map((m) => `${m.metadata.namespace}/${runOf(m)}`));
  const runNote = (m: Manifest): string | undefined => {
    const run = runOf(m);
    if (run === undefined) return undefined;
    return removedRuns.has(`${m.metadata.namespace}/${run}`)
      ? `run '${run}' trains again: its config, base model or size changed`
      : `a new run '${run}': it trains once its queue admits it`;
  };
  for (const [k, m] of now) {
    const was = old.get(k);
    if (!was) {
      changes.push({ kind: m.kind, name: m.metadata.name, action: 'added', fields: [], note: runNote(m), traffic: trafficChange(undefined, m), danger: servingDanger(undefined, m, after) });
      continue;
    }
    const diffs: { path: string; line: string }[] = [];
    fieldChanges(was as unknown as Json, m as unknown as Json, '', diffs);
    if (diffs.length > 0) {
      changes.push({ kind: m.kind, name: m.metadata.name, action: 'changed', fields: diffs.map((d) => d.line), danger: dangerOfChange(was, m, diffs.map((d) => d.path)) ?? servingDanger(was, m, after), traffic: trafficChange(was, m) });
    }
  }
  for (const [k, m] of old) {
    if (!now.has(k)) {
      const danger = isStateful(m.kind, m.metadata.namespace) ? 'removes a stateful object from git: its data goes if anything deletes it' : undefined;
      changes.push({ kind: m.kind, name: m.metadata.name, action: 'removed', fields: [], danger });
    }
  }
  const order = { removed: 0, changed: 1, added: 2 };
  return changes.sort((a, b) => order[a.action] - order[b.action] || Number(!a.danger) - Number(!b.danger)
    || a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name));
}

/** How many changed fields of one object the report shows. */
const FIELDS_SHOWN = 6;

/** The report as text, compact enough for a pull request; dangerous lines in red when `color`. */
export function formatChanges(folders: readonly FolderChanges[], color: boolean): string {
  const red = (s: string) => (color ? `\u001b[31m${s}\u001b[0m` : s);
  const lines: string[] = [];
  let counts = { added: 0, changed: 0, removed: 0, danger: 0, serving: 0, runs: 0 };
  for (const { folder, changes } of folders) {
    if (changes.length === 0) continue;
    lines.push(`${folder}/`);
    // A folder that goes as a whole: its flagged objects, then a count of the rest.
    const whole = changes.length > 3 && changes.every((c) => c.action === 'removed');
    const shown = whole ? changes.filter((c) => c.danger) : changes;
    if (whole) counts = { ...counts, removed: counts.removed + changes.length - shown.length };
    if (whole) lines.push(`  - the whole folder: ${changes.length} objects`);
    for (const c of shown) {
      const serving = c.danger !== undefined && SERVING_KINDS.includes(c.kind);
      counts = { ...counts, [c.action]: counts[c.action] + 1, danger: counts.danger + (c.danger && !serving ? 1 : 0), serving: counts.serving + (serving ? 1 : 0) };
      const sign = { added: '+', changed: '~', removed: '-' }[c.action];
      const head = `  ${sign} ${c.kind} ${c.name}`;
      if (c.note) counts = { ...counts, runs: counts.runs + 1 };
      const told = [c.note, c.traffic].filter((t) => t !== undefined).map((t) => `  (${t})`).join('');
      lines.push(c.danger ? red(`${head}${told}  !! ${c.danger}`) : `${head}${told}`);
      for (const f of c.fields.slice(0, FIELDS_SHOWN)) lines.push(`      ${f}`);
      if (c.fields.length > FIELDS_SHOWN) lines.push(`      (${c.fields.length - FIELDS_SHOWN} more fields)`);
    }
  }
  if (lines.length === 0) return 'no changes to dist/\n';
  const summary = `${counts.added} added, ${counts.changed} changed, ${counts.removed} removed${counts.runs > 0 ? `; ${counts.runs} training run(s) will start` : ''}`;
  const flagged = [
    ...(counts.danger > 0 ? [`${counts.danger} would delete or replace stateful data`] : []),
    ...(counts.serving > 0 ? [`${counts.serving} would send requests to pods that are not there`] : []),
  ];
  lines.push('', flagged.length > 0 ? red(`${summary}; ${flagged.join('; ')}`) : summary);
  return `${lines.join('\n')}\n`;
}
