import { PlatformInputs } from '../lib/config/types';
import { Manifest } from '../lib/output/render';
import { crdProblems } from '../lib/policy/crd-schema';
import { diffObjects, formatChanges } from '../lib/review/manifest-diff';
import { synthShared, synthWorkspace } from '../lib/synth';
import { WorkspaceTestsChart } from '../lib/helm/test-charts';
import { synthChart } from '../lib/output/render';
import { all, container, env, find, podSpec, sandbox } from './helpers';

/*
 * A served model with a canary: two registered versions side by side, the gateway
 * splitting requests by weight. The route (dist/shared) and the Deployments
 * (dist/workspaces) sync as separate Applications, in no set order: each step of the way
 * is one edit that sends no request to a pod that is not there, and npm run diff flags a
 * step that would.
 */

const file = (lines: string) => `name: team-c
inference:
  models:
    - name: chat
      registeredModel: ft-chat
${lines}      gateway: { allowedClients: [app-search] }
`;

const NONE = file('      version: "3"\n');
const DARK = file('      version: "3"\n      canary: { version: "4" }\n');
const CANARY = file('      version: "3"\n      canary: { version: "4", weight: 10 }\n');
const HALF = file('      version: "3"\n      canary: { version: "4", weight: 50 }\n');
const PROMOTED = file('      version: "3"\n      canary: { version: "4", weight: 100 }\n');
const MOVED = file('      version: "4"\n      canary: { version: "4", weight: 100 }\n');
const BACK = file('      version: "4"\n      canary: { version: "4", weight: 0 }\n');
const DONE = file('      version: "4"\n');

function load(workspace: string): PlatformInputs {
  const box = sandbox({ 'team-c.yaml': workspace });
  try {
    return box.load();
  } finally {
    box.remove();
  }
}

function problemsOf(workspace: string): string[] {
  try {
    load(workspace);
  } catch (e) {
    return (e as Error).message.split('\n');
  }
  return [];
}

function render(workspace: string): { ws: Manifest[]; shared: Manifest[] } {
  const inputs = load(workspace);
  const ws = synthWorkspace(inputs.platform, inputs.workspaces[0]);
  // The gateway's objects of a model come with its workspace (in llm-shared), its keys with the shared layer.
  return { ws, shared: [...synthShared(inputs.platform, inputs.workspaces), ...ws.filter((o) => o.metadata.namespace === 'llm-shared')] };
}

const ns = 'llm-workspace-team-c';
const canary = render(CANARY);
const selects = (selector: Record<string, string>, labels: Record<string, string>) => Object.entries(selector).every(([k, v]) => labels[k] === v);
const modelUri = (objects: Manifest[], deployment: string) => env(container(podSpec(find(objects, 'Deployment', deployment, ns)), 'model-loader'), 'MODEL_URI');
const weights = (shared: Manifest[]) => Object.fromEntries(find(shared, 'AIGatewayRoute', 'model-chat').spec.rules[0].backendRefs.map((r: any) => [r.name, r.weight ?? 'all']));

describe('a canary', () => {
  test('serves its version from a Deployment and Service of its own, under the same model id', () => {
    expect(modelUri(canary.ws, 'llama-factory-inference')).toBe('models:/ft-chat/3');
    expect(modelUri(canary.ws, 'llama-factory-inference-canary')).toBe('models:/ft-chat/4');
    const args = container(podSpec(find(canary.ws, 'Deployment', 'llama-factory-inference-canary', ns)), 'inference').args;
    expect(args).toContain('--served-model-name=chat');
  });

  test('its pods are its own: the main Deployment and Service select none of them, and its Service none of the main ones', () => {
    const main = find(canary.ws, 'Deployment', 'llama-factory-inference', ns);
    const second = find(canary.ws, 'Deployment', 'llama-factory-inference-canary', ns);
    const [mainPods, canaryPods] = [main, second].map((d) => d.spec.template.metadata.labels);
    expect(selects(main.spec.selector.matchLabels, canaryPods)).toBe(false);
    expect(selects(second.spec.selector.matchLabels, mainPods)).toBe(false);
    expect(selects(find(canary.ws, 'Service', 'llama-inference-internal', ns).spec.selector, canaryPods)).toBe(false);
    expect(selects(find(canary.ws, 'Service', 'llama-inference-internal-canary', ns).spec.selector, mainPods)).toBe(false);
    expect(selects(find(canary.ws, 'Service', 'llama-inference-internal-canary', ns).spec.selector, canaryPods)).toBe(true);
  });

  test('the gateway splits the model\'s requests by weight, 90/10, between the two Services', () => {
    expect(weights(canary.shared)).toEqual({ 'model-chat': 90, 'model-chat-canary': 10 });
    const host = (backend: string) => find(canary.shared, 'Backend', find(canary.shared, 'AIServiceBackend', backend).spec.backendRef.name).spec.endpoints[0].fqdn.hostname;
    expect(host('model-chat')).toBe(`llama-inference-internal.${ns}.svc.cluster.local`);
    expect(host('model-chat-canary')).toBe(`llama-inference-internal-canary.${ns}.svc.cluster.local`);
    const gateway = canary.shared.filter((o) => /envoyproxy\.io|gateway\.networking/.test(o.apiVersion));
    expect(gateway.flatMap((o) => crdProblems(o))).toEqual([]);
  });

  test('its pods get the inference pods\' network paths under policies of their own, and only those', () => {
    const policies = all(canary.ws, 'NetworkPolicy');
    const canaryPods = find(canary.ws, 'Deployment', 'llama-factory-inference-canary', ns).spec.template.metadata.labels;
    const own = policies.filter((p) => Object.keys(p.spec.podSelector.matchLabels ?? {}).length > 0 && selects(p.spec.podSelector.matchLabels, canaryPods)).map((p) => p.metadata.name).sort();
    expect(own).toEqual(['allow-inference-gcs-canary', 'allow-metrics-scrape-canary', 'allow-mlflow-clients', 'allow-only-gateway-canary']);
    const byName = (name: string) => policies.find((p) => p.metadata.name === name);
    expect(byName('allow-only-gateway-canary').spec.ingress).toEqual(byName('allow-only-gateway').spec.ingress);
    expect(byName('allow-metrics-scrape-canary').spec.ingress).toEqual(byName('allow-metrics-scrape').spec.ingress);
    expect(byName('allow-inference-gcs-canary').spec.egress).toEqual(byName('allow-inference-gcs').spec.egress);
    // Without a canary, none of these.
    expect(all(render(DONE).ws, 'NetworkPolicy').filter((p) => p.metadata.name.endsWith('-canary'))).toEqual([]);
  });

  test('it is scraped, alerts when it does not run, and helm test checks it', () => {
    expect(find(canary.ws, 'PodMonitoring', 'llama-factory-inference-canary', ns).spec.selector.matchLabels).toEqual({ 'app': 'llama-infer-canary', 'llm-platform/model': 'chat' });
    const groups = find(canary.ws, 'Rules', 'llm-workspace-alerts', ns).spec.groups;
    const group = groups.find((g: any) => g.name === 'model-chat-canary');
    expect(group.rules.map((r: any) => [r.alert, r.expr])).toEqual([['ModelNotReady', 'sum(up{job="llama-factory-inference-canary"}) == 0 or absent(up{job="llama-factory-inference-canary"})']]);
    const inputs = load(CANARY);
    const checks = synthChart((app) => new WorkspaceTestsChart(app, 'tests', { platform: inputs.platform, workspace: inputs.workspaces[0] }));
    expect(JSON.stringify(checks)).toContain(`http://llama-inference-internal-canary.${ns}.svc.cluster.local:8000/v1/models`);
  });

  test('the quota counts its replicas, and training gets what is left', () => {
    expect(problemsOf(CANARY.replace('name: team-c\n', 'name: team-c\nquota: { gpus: 1 }\n'))).toEqual([
      "workspaces/team-c.yaml:2:16 'quota.gpus' is 1, but the servers ask for 2 GPUs (inference 'chat' 2x1); raise 'quota.gpus' or ask for fewer",
    ]);
  });

  test('bad canaries are refused with the line to fix', () => {
    expect(problemsOf(file('      version: "3"\n      canary: { version: latest }\n'))).toEqual([
      "workspaces/team-c.yaml:7:26 'inference.models[0].canary.version' must be a version number like '4', got 'latest'",
    ]);
    expect(problemsOf(file('      version: "3"\n      canary: { version: "4" }\n      autoscaling: { min: 0, max: 1 }\n'))).toEqual([
      "workspaces/team-c.yaml:7:15 'inference.models[0].canary' needs the main version up to share its requests, but 'autoscaling.min' is 0; set min to 1 or more while the canary runs",
    ]);
  });
});

describe('each step is one edit, and no request goes to a pod that is not there', () => {
  const steps = [NONE, DARK, CANARY, HALF, PROMOTED, MOVED, BACK, DONE].map(render);
  const report = (before: Manifest[], after: Manifest[]) => formatChanges([{ folder: 'dist/shared', changes: diffObjects(before, after) }], false);

  test('the splits: none, dark (weight 0 by default), 10, 50, promoted (100), the main version moved under no requests, back to it, done', () => {
    expect(steps.map((x) => weights(x.shared))).toEqual([
      { 'model-chat': 'all' },
      { 'model-chat': 100, 'model-chat-canary': 0 },
      { 'model-chat': 90, 'model-chat-canary': 10 },
      { 'model-chat': 50, 'model-chat-canary': 50 },
      { 'model-chat': 0, 'model-chat-canary': 100 },
      { 'model-chat': 0, 'model-chat-canary': 100 },
      { 'model-chat': 100, 'model-chat-canary': 0 },
      { 'model-chat': 'all' },
    ]);
    // Promoting is one edit (weight 100): the canary, already serving, takes every request; nothing restarts.
    expect(find(steps[4].ws, 'Deployment', 'llama-factory-inference-canary', ns)).toEqual(find(steps[3].ws, 'Deployment', 'llama-factory-inference-canary', ns));
    expect(find(steps[4].ws, 'Deployment', 'llama-factory-inference', ns)).toEqual(find(steps[3].ws, 'Deployment', 'llama-factory-inference', ns));
    // The main replicas restart on the new version while the canary takes everything.
    expect(modelUri(steps[5].ws, 'llama-factory-inference')).toBe('models:/ft-chat/4');
  });

  test('npm run diff flags no step of that way, and names each split', () => {
    for (let i = 1; i < steps.length; i++) expect(diffObjects(steps[i - 1].shared, steps[i].shared).filter((c) => c.danger).map((c) => c.danger)).toEqual([]);
    expect(report(steps[2].shared, steps[3].shared)).toContain([
      '  ~ AIGatewayRoute model-chat  (traffic: model-chat 90% -> 50%, model-chat-canary 10% -> 50%)',
      '      spec.rules[0].backendRefs[name=model-chat].weight: 90 -> 50',
      '      spec.rules[0].backendRefs[name=model-chat-canary].weight: 10 -> 50',
    ].join('\n'));
    expect(report(steps[3].shared, steps[4].shared)).toContain('(traffic: model-chat 50% -> 0%, model-chat-canary 50% -> 100%)');
    expect(report(steps[6].shared, steps[7].shared)).toContain('(traffic: model-chat 100% -> 100%, model-chat-canary 0% -> none)');
  });

  test('and flags each shortcut that would: a canary added with requests, removed with requests, a version changed under requests', () => {
    const dangers = (a: string, b: string) => diffObjects(render(a).shared, render(b).shared).filter((c) => c.danger).map((c) => `${c.kind} ${c.name}: ${c.danger}`);
    expect(dangers(NONE, CANARY)).toEqual([
      "AIGatewayRoute model-chat: sends 10% of the model's requests to model-chat-canary, whose pods are not ready yet (the route and the workspace sync apart): add it at weight 0, raise the weight once it is ready",
    ]);
    expect(dangers(CANARY, NONE)).toEqual([
      "AIGatewayRoute model-chat: removes model-chat-canary while it takes 10% of the model's requests: set its weight to 0 first",
    ]);
    expect(dangers(CANARY, file('      version: "4"\n      canary: { version: "4", weight: 10 }\n'))).toEqual([
      "AIServiceBackend model-chat: restarts model-chat on version 4 while it takes 90% of the model's requests: move them to the other version first (weight 0 or 100)",
    ]);
    expect(report(render(NONE).shared, render(CANARY).shared)).toContain('  ~ AIGatewayRoute model-chat  (traffic: model-chat 100% -> 90%, model-chat-canary none -> 10%)  !! sends 10%');
  });
});
