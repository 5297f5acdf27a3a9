import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse } from 'yaml';
import { MAX_TEMPLATE_BYTES, SHARED_CHART_NAME, splitTemplate, workspaceChartName } from '../lib/helm/chart-files';
import { escapeForHelm } from '../lib/helm/escape';
import { GCP_STATEFUL_KINDS, isStateful } from '../lib/lifecycle';
import { Manifest } from '../lib/output/render';
import { version } from '../package.json';
import { helmMajor } from '../scripts/helm';
import { fixture, manifestKey as key, manifestDifferences as differences, manifestsOf as objects, RenderedObject, ROOT, runName } from './helpers';

/*
 * The chart of the fixtures, checked with a real helm (scripts/helm.ts finds or fetches
 * it; Helm 3 and Helm 4 both pass, so messages are compared by meaning, not wording):
 * lint --strict, and template output compared with dist/.
 */

const { chart: CHART, dist, inputs } = fixture();
const names = inputs.workspaces.map((w) => w.name);

/** Runs helm; a failure is returned, not thrown. */
function helmRun(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const bin = process.env.HELM_BIN;
  if (!bin) throw new Error('HELM_BIN is not set: jest globalSetup finds helm');
  const r = spawnSync(bin, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function helm(...args: string[]): string {
  const r = helmRun(...args);
  if (r.status !== 0) throw new Error(`helm ${args.join(' ')} failed:\n${r.stderr}`);
  return r.stdout;
}

/** Whether a dist/ object belongs to workspace `name` (its boundary or its own objects). */
const ofWorkspace = (name: string) => (o: RenderedObject) => o.file.startsWith(`dist/workspaces/${name}/`) || o.file.startsWith(`dist/workspace-boundaries/${name}/`);

/** Objects of dist/ but the Argo CD ones, which the chart does not hold. */
function distObjects(filter: (o: RenderedObject) => boolean = () => true): Map<string, Manifest> {
  return new Map(dist.filter((o) => !o.file.startsWith('dist/argocd/') && filter(o)).map(({ object }) => [key(object), object]));
}

const SHARED_CHART = path.join(path.dirname(CHART), SHARED_CHART_NAME);

describe('helm lint --strict', () => {
  test('passes on the umbrella chart, on each workspace chart alone and on the shared chart', () => {
    const charts = [CHART, ...names.map((n) => path.join(CHART, 'charts', workspaceChartName(n))), SHARED_CHART];
    expect(helm('lint', '--strict', ...charts)).toContain(`${charts.length} chart(s) linted, 0 chart(s) failed`);
  });
});

describe('helm template', () => {
  test('renders exactly the objects of dist/', () => {
    expect(differences(distObjects(), objects(helm('template', 'llm-platform', CHART, '--skip-tests')))).toEqual([]);
  });

  test('leaves out a workspace switched off, and only that one', () => {
    const [off] = names;
    const rendered = objects(helm('template', 'llm-platform', CHART, '--skip-tests', '--set', `workspaces.${off}.enabled=false`));
    expect(differences(distObjects((o) => !ofWorkspace(off)(o)), rendered)).toEqual([]);
  });

  test('renders each workspace chart alone as exactly its dist/ folders (its boundary and its own objects)', () => {
    const wrong = names.flatMap((n) => differences(
      distObjects(ofWorkspace(n)),
      objects(helm('template', `ws-${n}`, path.join(CHART, 'charts', workspaceChartName(n)), '--skip-tests')),
    ));
    expect(wrong).toEqual([]);
  });

  test('renders the shared chart as exactly the shared layer of dist/', () => {
    expect(differences(distObjects((o) => o.file.startsWith('dist/shared/')), objects(helm('template', 'llm-platform-shared', SHARED_CHART, '--skip-tests')))).toEqual([]);
  });

  test('fails, naming it, on a switch for a workspace that does not exist (values schema)', () => {
    const r = helmRun('template', 'x', CHART, '--set', 'workspaces.no-such-team.enabled=false');
    expect(r.status).not.toBe(0);
    // Helm 3: "Additional property no-such-team is not allowed"; Helm 4: "additional properties 'no-such-team' not allowed".
    expect(r.stderr).toMatch(/additional propert(y|ies) '?no-such-team'? (is )?not allowed/i);
  });

  test('fails on a value the chart does not read, instead of ignoring it', () => {
    // The unknown key is named: Helm 3 one per line, Helm 4 several in one line, in any order.
    for (const [set, unknown] of [['images.api.tag=v2', 'images'], [`${workspaceChartName(names[0])}.replicas=3`, 'replicas']]) {
      const r = helmRun('template', 'x', CHART, '--set', set);
      expect({ set, status: r.status }).toEqual({ set, status: 1 });
      expect(r.stderr).toMatch(new RegExp(`additional propert(y|ies) [^\\n]*\\b${unknown}\\b[^\\n]*not allowed`, 'i'));
    }
  });

  test('carries a `{{` of generated content (a training config\'s) escaped, and renders it back unchanged', () => {
    const template = fs.readFileSync(path.join(CHART, 'charts', 'workspace-team-alpha', 'templates', 'manifests.yaml'), 'utf8');
    expect(template).toContain('{{ "{{" }}query}}');
    const config = (o: Manifest | undefined) => (o as any)?.data['train_config_v1.yaml'];
    const rendered = objects(helm('template', 'x', CHART, '--skip-tests', '--show-only', 'charts/workspace-team-alpha/templates/manifests.yaml'));
    const key = 'ConfigMap/llm-workspace-team-alpha/training-configs';
    expect(config(rendered.get(key))).toBe(config(distObjects().get(key)));
    expect(config(rendered.get(key))).toContain('{{query}}');
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
    expect(chart.dependencies).toEqual(names.map((n) => ({ name: workspaceChartName(n), version, condition: `workspaces.${n}.enabled` })));
  });
});

describe('helm test', () => {
  const hooks = [...objects(helm('template', 'llm-platform', CHART)).values()].filter((o: any) => o.metadata.annotations?.['helm.sh/hook'] === 'test') as any[];
  const urls = hooks.map((h) => h.spec.containers[0].args.at(-1));

  test('checks everything the guide\'s verification script checks, for every workspace', () => {
    const expected = [
      'http://mlflow-common.llm-shared.svc.cluster.local:5000/health',
      'http://llm-gateway.envoy-gateway-system.svc.cluster.local:8080/v1/models',
      ...inputs.workspaces.filter((w) => w.state === 'active').flatMap((w) => {
        const ns = `llm-workspace-${w.name}`;
        const services = w.inference.models.length === 1 ? ['llama-inference-internal'] : w.inference.models.map((m) => `llama-inference-${m.name}`);
        return [
          `http://mlflow.${ns}.svc.cluster.local:5000/health`,
          ...(w.webui.enabled ? [`http://llama-factory-webui.${ns}.svc.cluster.local:7860`] : []),
          ...services.map((s) => `http://${s}.${ns}.svc.cluster.local:8000/v1/models`),
        ];
      }),
    ];
    expect(urls).toEqual(expect.arrayContaining(expected));
    // The guide's workspace, by name: the check derives nothing from the code under test.
    expect(urls).toContain('http://llama-inference-internal.llm-workspace-team-alpha.svc.cluster.local:8000/v1/models');
    expect(urls.filter((u) => u.includes('llama-factory-webui.llm-workspace-team-beta'))).toEqual([]);
  });

  test('run the small test image, restricted, and are cleaned up', () => {
    for (const h of hooks) {
      expect(h.kind).toBe('Pod');
      expect(h.metadata.annotations['helm.sh/hook-delete-policy']).toBe('before-hook-creation,hook-succeeded');
      expect(h.spec.containers[0].image).toBe('docker.io/curlimages/curl:8.11.1');
      expect(h.spec.restartPolicy).toBe('Never');
    }
  });

  test('every check runs in llm-probes, the one namespace the servers\' policies admit checks from', () => {
    expect(hooks.length).toBe(urls.length);
    expect(hooks.filter((p) => p.metadata.namespace !== 'llm-probes').map((p) => p.metadata.name)).toEqual([]);
  });
});

describe('NOTES.txt', () => {
  const notes = [path.join(CHART, 'templates', 'NOTES.txt'), ...names.map((n) => path.join(CHART, 'charts', workspaceChartName(n), 'templates', 'NOTES.txt'))];
  const KINDS: Record<string, string> = { svc: 'Service', deploy: 'Deployment', job: 'Job' };

  test('every kubectl line names an object the chart installs', () => {
    const installed = new Set(dist.map(({ object: o }) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`));
    const lines = notes.flatMap((f) => fs.readFileSync(f, 'utf8').split('\n').filter((l) => l.includes('kubectl ')));
    const named = lines.flatMap((l) => [...l.matchAll(/kubectl -n (\S+) .*?\b(svc|deploy|job)\/([a-z0-9-]+)/g)].map(([, ns, kind, name]) => ({ line: l.trim(), object: `${KINDS[kind]}/${ns}/${name}` })));
    expect(named.filter((n) => !n.object.includes('$')).length).toBeGreaterThan(5);
    expect(named.filter((n) => !n.object.includes('$') && !installed.has(n.object))).toEqual([]);
  });

  test('a workspace\'s notes name its training Jobs, and a workspace without runs names none', () => {
    for (const ws of inputs.workspaces) {
      const text = fs.readFileSync(path.join(CHART, 'charts', workspaceChartName(ws.name), 'templates', 'NOTES.txt'), 'utf8');
      const jobs = [...text.matchAll(/job\/(\S+)/g)].map((m) => m[1]);
      expect({ ws: ws.name, jobs }).toEqual({ ws: ws.name, jobs: ws.training.runs.map((r) => runName(fixture().objects, `llm-workspace-${ws.name}`, r.id)) });
    }
  });
});

describe('data survives helm uninstall', () => {
  test('every PVC, namespace and GCP object holding data carries helm.sh/resource-policy: keep', () => {
    const stateful = [...distObjects().values()].filter((o) => isStateful(o.kind, o.metadata.namespace));
    expect(stateful.filter((o) => ['PersistentVolumeClaim', 'Namespace'].includes(o.kind)).length).toBe(2 * names.length + 3);
    expect(stateful.filter((o) => GCP_STATEFUL_KINDS.includes(o.kind)).length).toBeGreaterThanOrEqual(6 * names.length);
    expect(stateful.filter((o) => (o.metadata.annotations as any)?.['helm.sh/resource-policy'] !== 'keep').map(key)).toEqual([]);
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
    expect(templates.length).toBe(2 + 3 * names.length);
    expect(templates.filter((t) => fs.readFileSync(t, 'utf8').split('{{ "{{" }}').join('').includes('{{'))).toEqual([]);
  });
});

describe('finding helm', () => {
  test('fails with a plain message, no stack trace, when the helm it is told to use does not run', () => {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'build', 'scripts', 'helm.js')], { encoding: 'utf8', env: { ...process.env, HELM_BIN: '/no/such/helm' } });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('helm: HELM_BIN=/no/such/helm does not run; unset it or point it at a helm binary\n');
  });

  test('reports the major version of the helm in use, 3 or 4', () => {
    expect([3, 4]).toContain(helmMajor(process.env.HELM_BIN!));
  });
});

describe('a template too large for Helm', () => {
  test('is cut between documents into parts Helm takes, which together are the text', () => {
    const doc = (i: number) => `---\n# ConfigMap c${i}\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c${i}\ndata:\n  x: "${'y'.repeat(100)}"\n`;
    const text = `# header\n${Array.from({ length: 50 }, (_, i) => doc(i)).join('')}`;
    const parts = splitTemplate(text, 1000);
    expect(parts.length).toBeGreaterThan(5);
    expect(parts.join('')).toBe(text);
    expect(parts.every((p) => Buffer.byteLength(p) <= 1000)).toBe(true);
    expect(parts.slice(1).every((p) => p.startsWith('---\n# ConfigMap '))).toBe(true);
    expect(splitTemplate(text)).toEqual([text]);
    expect(MAX_TEMPLATE_BYTES).toBeLessThan(5 * 1024 * 1024);
  });
});
