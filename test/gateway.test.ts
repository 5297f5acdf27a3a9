import * as fs from 'fs';
import * as path from 'path';
import { PlatformInputs, WorkspaceConfig } from '../lib/config/types';
import { gatewayRecords } from '../lib/shared/model-registry-sync';
import { ArgoCdChart } from '../lib/argocd/argocd-chart';
import { Manifest, synthChart } from '../lib/output/render';
import { crdProblems } from '../lib/policy/crd-schema';
import { synthShared, synthWorkspace } from '../lib/synth';
import { all, container, env, find, FIXTURES, podSpec, ROOT, sandbox } from './helpers';

/*
 * The LLM gateway (Envoy AI Gateway on Envoy Gateway), from workspace files of this test's
 * own: which models are routed, to where, who may call them, and how much.
 */

const PLATFORM = fs.readFileSync(path.join(FIXTURES, 'platform.yaml'), 'utf8')
  .replace('clients: [app-search, app-assistant]', 'clients: [app-search, app-assistant, prompt-console, app-idle]');

const WORKSPACES = {
  // Two models: each has its own Service; one with a token limit.
  'team-a.yaml': `name: team-a
inference:
  models:
    - name: chat
      gateway: { rateLimit: 60, tokensPerMinute: 20000, allowedClients: [app-search, prompt-console] }
    - name: embed
      gateway: { rateLimit: 600, allowedClients: [app-search, app-assistant] }
`,
  // A model taken off the gateway.
  'team-b.yaml': `name: team-b
inference:
  models:
    - name: coder
      gateway: { enabled: false, allowedClients: [app-assistant] }
`,
  // A suspended workspace serves nothing.
  'team-c.yaml': `name: team-c
state: suspended
inference:
  models:
    - name: old-bot
      gateway: { allowedClients: [app-search] }
`,
};

function load(platform = PLATFORM, edit: (workspaceFile: string) => string = (t) => t): PlatformInputs {
  const box = sandbox(Object.fromEntries(Object.entries(WORKSPACES).map(([f, t]) => [f, edit(t)])));
  try {
    box.write('platform.yaml', platform);
    return box.load();
  } finally {
    box.remove();
  }
}

const inputs = load();
// The shared layer, and each workspace's objects: a model's route and limits come with its workspace.
const shared = [...synthShared(inputs.platform, inputs.workspaces), ...inputs.workspaces.flatMap((w) => synthWorkspace(inputs.platform, w))];
const byName = (kind: string, name: string) => find(shared, kind, name, 'llm-shared');

/** Who may call which model, read off the SecurityPolicy's rules. */
function authorized(policy: any): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const rule of policy.spec.authorization.rules ?? []) {
    expect(rule.action).toBe('Allow');
    // Both headers in one principal: all must match (the client AND the model).
    expect(rule.principal.headers.map((h: any) => h.name)).toEqual(['x-llm-client', 'x-ai-eg-model']);
    expect(rule.principal.headers[0].values).toHaveLength(1);
    const client = rule.principal.headers[0].values[0];
    out[client] = [...(out[client] ?? []), ...rule.principal.headers[1].values].sort();
  }
  return out;
}

describe('routes', () => {
  test('every enabled model of an active workspace is routed by its id to its own Service; a disabled or suspended one is not', () => {
    const routes = all(shared, 'AIGatewayRoute');
    const target = (route: any) => {
      expect(route.spec.parentRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'llm-gateway' }]);
      expect(route.spec.rules).toHaveLength(1);
      const [rule] = route.spec.rules;
      expect(rule.matches).toEqual([{ headers: [{ type: 'Exact', name: 'x-ai-eg-model', value: expect.any(String) }] }]);
      const backend = byName('AIServiceBackend', rule.backendRefs[0].name);
      expect(backend.spec.schema).toEqual({ name: 'OpenAI' });
      expect(backend.spec.backendRef).toMatchObject({ group: 'gateway.envoyproxy.io', kind: 'Backend' });
      const endpoints = byName('Backend', backend.spec.backendRef.name).spec.endpoints;
      expect(endpoints).toHaveLength(1);
      return [rule.matches[0].headers[0].value, `${endpoints[0].fqdn.hostname}:${endpoints[0].fqdn.port}`];
    };
    expect(Object.fromEntries(routes.map(target))).toEqual({
      chat: 'llama-inference-chat.llm-workspace-team-a.svc.cluster.local:8000',
      embed: 'llama-inference-embed.llm-workspace-team-a.svc.cluster.local:8000',
    });
    // Nothing is left of a model off the gateway: no backend to reach it either.
    for (const kind of ['Backend', 'AIServiceBackend', 'AIGatewayRoute', 'BackendTrafficPolicy']) {
      expect(all(shared, kind).filter((o) => /coder|old-bot/.test(o.metadata.name))).toEqual([]);
    }
  });

  test('a route\'s Service is the one its workspace renders for the model', () => {
    const teamA = synthWorkspace(inputs.platform, inputs.workspaces.find((w) => w.name === 'team-a')!);
    for (const route of all(shared, 'AIGatewayRoute')) {
      const model = route.spec.rules[0].matches[0].headers[0].value;
      const { hostname, port } = byName('Backend', byName('AIServiceBackend', route.spec.rules[0].backendRefs[0].name).spec.backendRef.name).spec.endpoints[0].fqdn;
      const [service, namespace] = hostname.split('.');
      const svc = find(teamA, 'Service', service, namespace);
      expect(svc.spec.ports.map((p: any) => p.port)).toContain(port);
      // The Service's pods serve the model under the id the route matches.
      const deployment = all(teamA, 'Deployment').find((d) => Object.entries(svc.spec.selector).every(([k, v]) => d.spec.template.metadata.labels[k] === v));
      expect(JSON.stringify(podSpec(deployment).containers[0])).toContain(`--served-model-name=${model}`);
    }
  });

  test('each model\'s limits apply per client to the HTTPRoute the AI Gateway makes of its route: requests, and tokens when declared', () => {
    const policies = all(shared, 'BackendTrafficPolicy');
    expect(policies.map((p) => p.metadata.name).sort()).toEqual(['model-chat-limits', 'model-embed-limits']);
    const perClient = [{ headers: [{ name: 'x-llm-client', type: 'Distinct' }] }];
    const limits = Object.fromEntries(policies.map((p) => {
      const route = all(shared, 'AIGatewayRoute').find((r) => r.metadata.name === p.spec.targetRefs[0].name);
      expect(p.spec.targetRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: route.metadata.name }]);
      expect(p.spec.rateLimit.type).toBe('Global');
      const rules = p.spec.rateLimit.global.rules;
      for (const r of rules) expect(r.clientSelectors).toEqual(perClient);
      const tokens = rules.filter((r: any) => r.cost);
      for (const t of tokens) {
        // Charged from the answer's token count, which the route must record under the same key.
        expect(t.cost).toEqual({ request: { from: 'Number', number: 0 }, response: { from: 'Metadata', metadata: { namespace: 'io.envoy.ai_gateway', key: 'llm_total_token' } } });
        expect(route.spec.llmRequestCosts).toContainEqual({ metadataKey: t.cost.response.metadata.key, type: 'TotalToken' });
      }
      return [route.spec.rules[0].matches[0].headers[0].value, {
        requests: rules.filter((r: any) => !r.cost).map((r: any) => `${r.limit.requests}/${r.limit.unit}`),
        tokens: tokens.map((r: any) => `${r.limit.requests}/${r.limit.unit}`),
      }];
    }));
    expect(limits).toEqual({
      chat: { requests: ['60/Minute'], tokens: ['20000/Minute'] },
      embed: { requests: ['600/Minute'], tokens: [] },
    });
  });
});

describe('clients', () => {
  test('every request needs a declared client\'s key, checked on the whole Gateway, from a Secret the store fills from Secret Manager', () => {
    const policy = byName('SecurityPolicy', 'llm-gateway-auth');
    // On the Gateway, not on routes: the key is checked before the model is read from the body.
    expect(policy.spec.targetRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'llm-gateway' }]);
    expect(all(shared, 'SecurityPolicy')).toHaveLength(1);
    const auth = policy.spec.apiKeyAuth;
    expect(auth.extractFrom).toEqual([{ headers: ['authorization'] }]);
    expect(auth.forwardClientIDHeader).toBe('x-llm-client');
    expect(auth.sanitize).toBe(true);
    expect(auth.credentialRefs).toHaveLength(1);
    const keys = byName('ExternalSecret', auth.credentialRefs[0].name);
    expect(keys.spec.target.name).toBe(auth.credentialRefs[0].name);
    expect(keys.spec.secretStoreRef).toEqual({ kind: 'SecretStore', name: 'gcp-secret-manager' });
    expect(Object.fromEntries(keys.spec.data.map((d: any) => [d.secretKey, d.remoteRef.key]))).toEqual({
      'app-search': 'llm-platform-client-app-search-api-key',
      'app-assistant': 'llm-platform-client-app-assistant-api-key',
      'prompt-console': 'llm-platform-client-prompt-console-api-key',
      'app-idle': 'llm-platform-client-app-idle-api-key',
    });
  });

  test('each key is generated into Secret Manager and only the shared store may read it', () => {
    for (const client of inputs.platform.clients) {
      const secret = all(shared, 'SecretManagerSecret').find((s) => s.spec.resourceID === `llm-platform-client-${client}-api-key`);
      expect(secret).toBeDefined();
      const version = all(shared, 'SecretManagerSecretVersion').find((v) => v.spec.secretRef.name === secret.metadata.name);
      const generator = find(shared, 'ExternalSecret', version.spec.secretData.valueFrom.secretKeyRef.name, 'llm-gcp');
      expect(generator.spec.dataFrom[0].sourceRef.generatorRef.kind).toBe('Password');
      const readers = all(shared, 'IAMPolicyMember').filter((m) => m.spec.resourceRef.name === secret.metadata.name).map((m) => `${m.spec.role} ${m.spec.memberFrom?.serviceAccountRef?.name ?? m.spec.member}`);
      expect(readers).toEqual(['roles/secretmanager.secretAccessor shared-secrets-identity']);
    }
  });

  test('a client reaches exactly the models whose allowedClients name it; anything else is denied', () => {
    const policy = byName('SecurityPolicy', 'llm-gateway-auth');
    expect(policy.spec.authorization.defaultAction).toBe('Deny');
    expect(authorized(policy)).toEqual({ 'app-search': ['chat', 'embed'], 'app-assistant': ['embed'], 'prompt-console': ['chat'] });
  });

  test('a client allowed more models than one rule may list gets several rules, each within the CRD\'s bound', () => {
    const template = inputs.workspaces.find((w) => w.name === 'team-a')!;
    const many: WorkspaceConfig[] = [0, 1, 2].map((t) => ({
      ...template,
      name: `team-many-${t}`,
      inference: { ...template.inference, models: Array.from({ length: 100 }, (_, i) => ({ ...template.inference.models[1], name: `m-${t}-${i}`, gateway: { ...template.inference.models[1].gateway, allowedClients: ['app-search'] } })) },
    }));
    const objects = synthShared(inputs.platform, many);
    const policy = find(objects, 'SecurityPolicy', 'llm-gateway-auth');
    expect(policy.spec.authorization.rules.map((r: any) => [r.name, r.principal.headers[1].values.length])).toEqual([['client-app-search-1', 256], ['client-app-search-2', 44]]);
    expect(authorized(policy)['app-search']).toHaveLength(300);
    expect(crdProblems(policy)).toEqual([]);
  });

  test('without clients there is no key, and the gateway refuses every request', () => {
    const none = load(PLATFORM.replace('clients: [app-search, app-assistant, prompt-console, app-idle]', 'clients: []'), (t) => t.replace(/allowedClients: \[[^\]]*\]/g, 'allowedClients: []'));
    const objects = synthShared(none.platform, none.workspaces);
    const policy = find(objects, 'SecurityPolicy', 'llm-gateway-auth');
    expect(policy.spec.apiKeyAuth).toBeUndefined();
    expect(policy.spec.authorization).toEqual({ defaultAction: 'Deny' });
    expect(all(objects, 'ExternalSecret').filter((e) => e.metadata.name === 'llm-client-api-keys')).toEqual([]);
  });

  test('the console calls the gateway with its own key only when platform.yaml lists it as a client', () => {
    const streamlit = (objects: Manifest[]) => container(podSpec(find(objects, 'Deployment', 'prompt-console')), 'streamlit');
    expect(env(streamlit(shared), 'GATEWAY_API_KEY')).toEqual({ secretKeyRef: { name: 'llm-client-api-keys', key: 'prompt-console' } });
    const without = load(PLATFORM.replace(', prompt-console,', ','), (t) => t.replace(', prompt-console]', ']'));
    expect(streamlit(synthShared(without.platform, without.workspaces)).env.map((e: any) => e.name)).not.toContain('GATEWAY_API_KEY');
  });
});

describe('the guide\'s model record, field by field', () => {
  // What enforces each field of a record (guide 4.8) on the gateway; docs/serving.md has the same table.
  const record = gatewayRecords(inputs.workspaces).find((r) => r.model_id === 'chat')!;
  const enforcement: Record<keyof typeof record, () => void> = {
    model_id: () => expect(byName('AIGatewayRoute', 'model-chat').spec.rules[0].matches[0].headers[0]).toEqual({ type: 'Exact', name: 'x-ai-eg-model', value: record.model_id }),
    workspace: () => expect(byName('Backend', 'model-chat').spec.endpoints[0].fqdn.hostname).toContain(`.llm-workspace-${record.workspace}.`),
    endpoint: () => {
      const { hostname, port } = byName('Backend', 'model-chat').spec.endpoints[0].fqdn;
      expect(`http://${hostname}:${port}`).toBe(record.endpoint);
    },
    enabled: () => {
      expect(record.enabled).toBe(true);
      expect(gatewayRecords(inputs.workspaces).filter((r) => !r.enabled).map((r) => r.model_id).sort()).toEqual(['coder', 'old-bot']);
      expect(all(shared, 'AIGatewayRoute').map((r) => r.spec.rules[0].matches[0].headers[0].value).sort()).toEqual(gatewayRecords(inputs.workspaces).filter((r) => r.enabled).map((r) => r.model_id).sort());
    },
    rate_limit: () => expect(byName('BackendTrafficPolicy', 'model-chat-limits').spec.rateLimit.global.rules[0].limit).toEqual({ requests: record.rate_limit, unit: 'Minute' }),
    allowed_clients: () => expect(Object.entries(authorized(byName('SecurityPolicy', 'llm-gateway-auth'))).filter(([, models]) => models.includes('chat')).map(([c]) => c).sort()).toEqual([...record.allowed_clients].sort()),
  };

  test.each(Object.keys(enforcement))('%s', (field) => {
    enforcement[field as keyof typeof record]();
  });

  test('every field of a record has a row in the docs\' table', () => {
    const doc = fs.readFileSync(path.join(ROOT, 'docs', 'serving.md'), 'utf8');
    expect(Object.keys(record).filter((field) => !new RegExp(`^\\| \`${field}\` \\|`, 'm').test(doc))).toEqual([]);
  });
});

describe('every gateway object is valid', () => {
  const gatewayObjects = shared.filter((o) => /(^|\.)(gateway\.networking\.k8s\.io|gateway\.envoyproxy\.io|aigateway\.envoyproxy\.io)\//.test(o.apiVersion));

  test('against the CRDs of Gateway API v1.6.1, Envoy Gateway v1.9.0 and Envoy AI Gateway v0.7.0, every kind the gateway uses', () => {
    expect([...new Set(gatewayObjects.map((o) => o.kind))].sort()).toEqual(['AIGatewayRoute', 'AIServiceBackend', 'Backend', 'BackendTrafficPolicy', 'EnvoyProxy', 'Gateway', 'GatewayClass', 'SecurityPolicy']);
    expect(gatewayObjects.flatMap((o) => crdProblems(o).map((p) => `${o.kind}/${o.metadata.name}: ${p}`))).toEqual([]);
  });

  test('the check refuses what the API server would: a misspelt field of each of the gateway\'s own kinds', () => {
    const policy = JSON.parse(JSON.stringify(byName('SecurityPolicy', 'llm-gateway-auth')));
    policy.spec.apiKeyAuth.forwardClientIdHeader = 'x';
    expect(crdProblems(policy)).toEqual(["/spec/apiKeyAuth must NOT have additional properties 'forwardClientIdHeader'"]);
    const route = JSON.parse(JSON.stringify(byName('AIGatewayRoute', 'model-chat')));
    route.spec.rules[0].timeout = '1s';
    expect(crdProblems(route)).toEqual(["/spec/rules/0 must NOT have additional properties 'timeout'"]);
  });

  test('the listener admits routes of llm-shared only: a team cannot attach a route of its own', () => {
    expect(byName('Gateway', 'llm-gateway').spec.listeners).toEqual([{ name: 'http', protocol: 'HTTP', port: 8080, allowedRoutes: { namespaces: { from: 'Same' } } }]);
  });
});

describe('installation', () => {
  const argocd = synthChart((app) => new ArgoCdChart(app, 'argocd', { platform: inputs.platform, workspaces: inputs.workspaces.map((w) => w.name) }));
  const app = (name: string) => find(argocd, 'Application', name).spec;

  test('Envoy Gateway and Envoy AI Gateway come from their official charts, pinned as one set, before the shared layer', () => {
    expect(app('envoy-gateway').source).toMatchObject({ repoURL: 'oci://registry-1.docker.io/envoyproxy/gateway-helm', targetRevision: 'v1.9.0', path: '.' });
    expect(app('ai-gateway-crds').source).toMatchObject({ repoURL: 'oci://registry-1.docker.io/envoyproxy/ai-gateway-crds-helm', targetRevision: 'v0.7.0' });
    expect(app('ai-gateway').source).toMatchObject({ repoURL: 'oci://registry-1.docker.io/envoyproxy/ai-gateway-helm', targetRevision: 'v0.7.0' });
    const wave = (name: string) => Number(find(argocd, 'Application', name).metadata.annotations['argocd.argoproj.io/sync-wave']);
    expect(Math.max(wave('envoy-gateway'), wave('ai-gateway-crds'))).toBeLessThan(wave('ai-gateway'));
    expect(wave('ai-gateway')).toBeLessThan(wave('llm-shared'));
  });

  test('Envoy Gateway is set up as the AI Gateway needs: Backends on, the AI Gateway\'s controller as its extension, counters in the platform\'s Redis', () => {
    const values = app('envoy-gateway').source.helm.valuesObject.config.envoyGateway;
    expect(values.extensionApis).toEqual({ enableBackend: true });
    const controller = find(argocd, 'Application', 'ai-gateway');
    const fullname = controller.spec.source.helm.valuesObject.controller.fullnameOverride;
    expect(values.extensionManager.service.fqdn).toEqual({ hostname: `${fullname}.${controller.spec.destination.namespace}.svc.cluster.local`, port: 1063 });
    const store = find(shared, 'Service', 'llm-gateway-ratelimit');
    expect(values.rateLimit.backend).toEqual({ type: 'Redis', redis: { url: `${store.metadata.name}.${store.metadata.namespace}.svc.cluster.local:${store.spec.ports[0].port}` } });
  });

  test('Argo CD leaves alone the webhook certificate the AI Gateway chart makes at each render', () => {
    expect(app('ai-gateway').ignoreDifferences).toEqual(expect.arrayContaining([
      { group: '', kind: 'Secret', name: 'self-signed-cert-for-mutating-webhook', jsonPointers: ['/data'] },
      { group: 'admissionregistration.k8s.io', kind: 'MutatingWebhookConfiguration', jqPathExpressions: ['.webhooks[]?.clientConfig.caBundle'] },
    ]));
    expect(app('ai-gateway').syncPolicy.syncOptions).toContain('RespectIgnoreDifferences=true');
  });
});
