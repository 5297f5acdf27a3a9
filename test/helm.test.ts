import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse, parseAllDocuments } from 'yaml';
import { escapeForHelm } from '../lib/helm/escape';
import { version } from '../package.json';
import { readDist, ROOT } from './helpers';

/*
 * The chart is checked with a real helm (scripts/helm.ts finds or fetches it):
 * lint --strict, and template output compared with dist/.
 */

const CHART = path.join(ROOT, 'charts', 'llm-platform');
const workspaces = fs.readdirSync(path.join(CHART, 'charts')).sort();

function helm(...args: string[]): string {
  const bin = process.env.HELM_BIN;
  if (!bin) throw new Error('HELM_BIN is not set: jest globalSetup finds helm');
  const r = spawnSync(bin, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`helm ${args.join(' ')} failed:\n${r.stderr}`);
  return r.stdout;
}

/** Objects of a helm output, keyed `kind/namespace/name`. */
function objects(text: string): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const doc of parseAllDocuments(text)) {
    const o = doc.toJS();
    if (o) out.set(`${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`, o);
  }
  return out;
}

/** Objects of dist/ but the Argo CD ones, which the chart does not hold. */
function distObjects(filter: (file: string) => boolean = () => true): Map<string, unknown> {
  return new Map(readDist().filter((o) => !o.file.startsWith('dist/argocd/') && filter(o.file))
    .map(({ object: o }) => [`${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`, o]));
}

describe('helm lint --strict', () => {
  test('passes on the umbrella chart', () => {
    expect(helm('lint', '--strict', CHART)).toContain('1 chart(s) linted, 0 chart(s) failed');
  });

  test.each(workspaces)('passes on %s alone', (chart) => {
    expect(helm('lint', '--strict', path.join(CHART, 'charts', chart))).toContain('0 chart(s) failed');
  });
});

describe('helm template', () => {
  const rendered = helm('template', 'llm-platform', CHART, '--skip-tests');

  test('renders exactly the objects of dist/', () => {
    const fromHelm = objects(rendered);
    const fromDist = distObjects();
    expect([...fromHelm.keys()].sort()).toEqual([...fromDist.keys()].sort());
    for (const [key, o] of fromDist) expect({ key, o: fromHelm.get(key) }).toEqual({ key, o });
  });

  test('leaves out a workspace switched off, and only that one', () => {
    const [off, ...rest] = workspaces.map((w) => w.replace(/^workspace-/, ''));
    const fromHelm = objects(helm('template', 'llm-platform', CHART, '--skip-tests', '--set', `workspaces.${off}.enabled=false`));
    expect([...fromHelm.keys()].sort()).toEqual([...distObjects((f) => !f.startsWith(`dist/workspaces/${off}/`)).keys()].sort());
    expect(fromHelm.size).toBeLessThan(distObjects().size);
    expect(rest.length + 1).toBe(workspaces.length);
  });

  test.each(workspaces)('renders %s alone as exactly its dist/ folder', (chart) => {
    const name = chart.replace(/^workspace-/, '');
    const fromHelm = objects(helm('template', `ws-${name}`, path.join(CHART, 'charts', chart), '--skip-tests'));
    const fromDist = distObjects((f) => f.startsWith(`dist/workspaces/${name}/`));
    expect([...fromHelm.keys()].sort()).toEqual([...fromDist.keys()].sort());
    for (const [key, o] of fromDist) expect({ key, o: fromHelm.get(key) }).toEqual({ key, o });
  });

  test('fails on a switch for a workspace that does not exist (values schema)', () => {
    expect(() => helm('template', 'x', CHART, '--set', 'workspaces.no-such-team.enabled=false')).toThrow(/additional properties 'no-such-team' not allowed/);
  });
});

describe('Chart.yaml', () => {
  const chart = parse(fs.readFileSync(path.join(CHART, 'Chart.yaml'), 'utf8'));

  test('has a fixed name, the package version and the metadata operators look for', () => {
    expect(chart).toMatchObject({ apiVersion: 'v2', name: 'llm-platform', version, appVersion: version, kubeVersion: '>=1.28.0-0' });
    expect(chart.version).toMatch(/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/);
    expect(chart.home).toMatch(/^https:\/\//);
    expect(chart.sources).toEqual([chart.home]);
  });

  test('lists every workspace as a subchart with its switch', () => {
    expect(chart.dependencies).toEqual(workspaces.map((w) => ({ name: w, version, condition: `workspaces.${w.replace(/^workspace-/, '')}.enabled` })));
  });
});

describe('helm test', () => {
  const tests = objects(helm('template', 'llm-platform', CHART)).values();
  const hooks = [...tests].filter((o: any) => o.metadata.annotations?.['helm.sh/hook'] === 'test') as any[];
  const urls = hooks.map((h) => h.spec.containers[0].args.at(-1));

  test('checks everything the guide verification script checks', () => {
    expect(urls).toContain('http://mlflow-common.llm-shared.svc.cluster.local:5000/health');
    expect(urls).toContain('http://llm-gateway.llm-shared.svc.cluster.local/healthz');
    for (const ws of workspaces.map((w) => w.replace(/^workspace-/, ''))) {
      expect(urls).toContain(`http://mlflow.llm-workspace-${ws}.svc.cluster.local:5000/health`);
    }
    expect(urls).toContain('http://llama-factory-webui.llm-workspace-team-alpha.svc.cluster.local:7860');
    expect(urls).toContain('http://llama-inference-internal.llm-workspace-team-alpha.svc.cluster.local:8000/v1/models');
    expect(urls).toContain('http://llama-inference-support-bot.llm-workspace-team-beta.svc.cluster.local:8000/v1/models');
    expect(urls).toContain('http://llama-inference-code-review.llm-workspace-team-beta.svc.cluster.local:8000/v1/models');
    expect(urls.filter((u) => u.includes('llama-factory-webui.llm-workspace-team-beta'))).toEqual([]);
  });

  test('run the small test image, restricted, and are cleaned up', () => {
    for (const h of hooks) {
      expect(h.kind).toBe('Pod');
      expect(h.metadata.annotations['helm.sh/hook-delete-policy']).toBe('before-hook-creation,hook-succeeded');
      expect(h.spec.containers[0].image).toBe('docker.io/curlimages/curl:8.11.1');
      expect(h.spec.containers[0].securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } });
      expect(h.spec.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      expect(h.spec.restartPolicy).toBe('Never');
    }
  });

  test('workspace checks run where the workspace policies admit them: llm-shared, with the probe label', () => {
    const probes = hooks.filter((h) => h.metadata.labels['app.kubernetes.io/instance'] !== 'shared');
    expect(probes.length).toBe(6);
    for (const p of probes) {
      expect(p.metadata.namespace).toBe('llm-shared');
      expect(p.metadata.labels['llm-platform/health-probe']).toBe('true');
    }
    const policy = [...distObjects().values()].find((o: any) => o.kind === 'NetworkPolicy' && o.metadata.name === 'allow-only-gateway') as any;
    expect(policy.spec.ingress).toContainEqual({
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'llm-shared' } }, podSelector: { matchLabels: { 'llm-platform/health-probe': 'true' } } }],
      ports: [{ port: 8000, protocol: 'TCP' }],
    });
  });
});

describe('data survives helm uninstall', () => {
  test('every PVC and namespace carries helm.sh/resource-policy: keep', () => {
    const stateful = [...distObjects().values()].filter((o: any) => ['PersistentVolumeClaim', 'Namespace'].includes(o.kind)) as any[];
    expect(stateful.length).toBe(2 * workspaces.length + 1);
    for (const o of stateful) expect({ o: `${o.kind}/${o.metadata.name}`, keep: o.metadata.annotations?.['helm.sh/resource-policy'] }).toEqual({ o: `${o.kind}/${o.metadata.name}`, keep: 'keep' });
  });
});

describe('helm-safe content', () => {
  test('text with {{ survives helm unchanged once escaped', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'escape-'));
    try {
      const text = 'namespace=\'llm-workspace-{{ dag_run.conf["workspace"] }}\'\n{{- end }} {{{ x }}} }} {{';
      fs.mkdirSync(path.join(dir, 'templates'));
      fs.writeFileSync(path.join(dir, 'Chart.yaml'), 'apiVersion: v2\nname: escape\nversion: 0.1.0\n');
      fs.writeFileSync(path.join(dir, 'templates', 'cm.yaml'), escapeForHelm(`apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  dag: ${JSON.stringify(text)}\n`));
      expect(parse(helm('template', 'x', dir)).data.dag).toBe(text);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('no template action is left in the generated templates but the escapes', () => {
    const templates: string[] = [];
    const walk = (d: string) => fs.readdirSync(d, { withFileTypes: true }).forEach((e) => {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (p.includes(`${path.sep}templates${path.sep}`) && p.endsWith('.yaml')) templates.push(p);
    });
    walk(CHART);
    expect(templates.length).toBe(2 + 2 * workspaces.length);
    for (const t of templates) expect(fs.readFileSync(t, 'utf8').split('{{ "{{" }}').join('')).not.toContain('{{');
  });
});
