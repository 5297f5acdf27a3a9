import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { PlatformConfig } from '../config/types';
import { AUTOSCALED_LABEL, GATEWAY, GCP_NAMESPACE, KEDA, PROBES_NAMESPACE, SHARED_NAMESPACE, workspaceNamespace } from '../names';
import { BOUNDARIES_FOLDER, TENANT_KINDS } from '../workspace/boundary';
import { appLabels } from '../labels';
import {
  AI_GATEWAY_RELEASES, aiGatewayValues, airflowValues, CHART_REPOS, envoyGatewayValues, EXTERNAL_SECRETS_NAMESPACE, externalSecretsValues, JOBSET_NAMESPACE, jobsetValues,
  kedaHttpValues, kedaValues, KUEUE_NAMESPACE, kueueValues,
} from '../operators';
import { AIRFLOW_RELEASE } from '../shared/airflow';
import { KubeObject } from '../kube-object';

/** Folder of dist/ that holds these objects; applied once by hand, then synced from git. */
export const ARGOCD_FOLDER = 'argocd';

/**
 * What a workspace ApplicationSet's git directories generator watches: each rendered
 * folder `dist/<folder>/<name>` (`workspaces` or `workspace-boundaries`) becomes one
 * Application of workspace `<name>`.
 *
 * Not the workspace files themselves: a git files generator on `workspaces/*.yaml`
 * matches greedily by default (`*` crosses `/`, so `workspaces/<name>/training/*.yaml`
 * would become Applications too, and fail the whole set for want of a `name`), and
 * matches one segment only when the install turns on the new globbing. The directories
 * generator matches with Go's `path.Match` (`*` stays in one segment) in either mode,
 * and only folders synth writes are under `dist/workspaces/`: one per valid workspace
 * file, fresh by `npm run check`. The exclusion of deeper folders keeps that true even
 * if a matcher ever let `*` cross `/`.
 * @see https://argo-cd.readthedocs.io/en/stable/operator-manual/applicationset/Generators-Git/#git-generator-directories
 * @see https://argo-cd.readthedocs.io/en/stable/operator-manual/applicationset/Generators-Git-File-Globbing/
 */
export function workspaceDirectories(folder: string): { path: string; exclude?: boolean }[] {
  return [{ path: `dist/${folder}/*` }, { path: `dist/${folder}/*/*`, exclude: true }];
}

/** The AppProject of a workspace's own objects. */
export function workspaceProject(workspace: string): string {
  return `workspace-${workspace}`;
}

/** The cluster Argo CD runs in. */
const IN_CLUSTER = 'https://kubernetes.default.svc';

/** AppProjects. */
export const PROJECTS = {
  bootstrap: 'llm-platform-bootstrap',
  platform: 'llm-platform',
  operators: 'llm-platform-operators',
} as const;

/**
 * Differences that real clusters make and Argo CD must not fight: `kubectl rollout
 * restart` stamps the pod template, and the External Secrets API server fills in
 * defaults of fields it adds over time.
 * @see https://argo-cd.readthedocs.io/en/stable/user-guide/diffing/
 */
export const IGNORE_DIFFERENCES = [
  // An autoscaled Deployment's replicas are its autoscaler's: they are kept as they are
  // live (a Deployment that leaves 'replicas' for 'autoscaling' would otherwise drop to one).
  { group: 'apps', kind: 'Deployment', jqPathExpressions: ['.spec.template.metadata.annotations."kubectl.kubernetes.io/restartedAt"', `select(.metadata.labels."${AUTOSCALED_LABEL}" == "true") | .spec.replicas`] },
  { group: 'external-secrets.io', kind: 'ExternalSecret', jqPathExpressions: ['.spec.data[].remoteRef.conversionStrategy', '.spec.data[].remoteRef.decodingStrategy', '.spec.data[].remoteRef.metadataPolicy', '.spec.data[].remoteRef.nullBytePolicy'] },
  // A Job's pod template cannot change: once a run started, an image upgrade applies to new runs only.
  // Kueue starts a run by setting suspend to false: the declared true must not undo it.
  { group: 'batch', kind: 'Job', jqPathExpressions: ['.spec.template', '.spec.suspend'] },
  { group: 'jobset.x-k8s.io', kind: 'JobSet', jqPathExpressions: ['.spec.replicatedJobs', '.spec.suspend'] },
];

/**
 * Automated sync with self-heal and pruning of what left git (stateful objects opt out
 * with Prune=false,Delete=false), retrying while a dependency such as the External
 * Secrets CRDs is not there yet.
 * @see https://argo-cd.readthedocs.io/en/stable/user-guide/auto_sync/
 */
function syncPolicy(extraOptions: string[] = []) {
  return {
    automated: { prune: true, selfHeal: true },
    syncOptions: ['RespectIgnoreDifferences=true', 'ApplyOutOfSyncOnly=true', ...extraOptions],
    // Automated sync does not retry a failed revision by itself: keep retrying, for hours,
    // while an operator or a secret the objects need is still coming up.
    retry: { limit: 100, backoff: { duration: '10s', factor: 2, maxDuration: '10m' } },
  };
}

/**
 * What Argo CD must leave alone in the External Secrets chart: the CA bundles its cert
 * controller injects into its webhook and CRDs.
 */
const OPERATOR_IGNORE_DIFFERENCES = [
  { group: 'admissionregistration.k8s.io', kind: 'ValidatingWebhookConfiguration', jqPathExpressions: ['.webhooks[]?.clientConfig.caBundle'] },
  { group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition', jqPathExpressions: ['.spec.conversion.webhook.clientConfig.caBundle'] },
];

/**
 * What Argo CD must leave alone in Envoy AI Gateway's chart: its webhook certificate is
 * made with Helm's `lookup`, which Argo CD does not run, so each render makes a new one;
 * the first stays (the controller puts its CA into the webhook itself).
 */
const AI_GATEWAY_IGNORE_DIFFERENCES = [
  { group: '', kind: 'Secret', name: 'self-signed-cert-for-mutating-webhook', jsonPointers: ['/data'] },
  { group: 'admissionregistration.k8s.io', kind: 'MutatingWebhookConfiguration', jqPathExpressions: ['.webhooks[]?.clientConfig.caBundle'] },
];

/** The order the Applications come up in (with Argo CD's Application health check; see the README). */
export const APPLICATION_WAVES = { externalSecrets: -10, kueue: -10, gateway: -10, keda: -10, aiGateway: -9, kedaHttp: -9, shared: -5, airflow: 0 } as const;

/** Props of the {@link ArgoCdChart}. */
export interface ArgoCdChartProps {
  readonly platform: PlatformConfig;
  /** Names of the workspaces: each gets an AppProject of its own. */
  readonly workspaces: readonly string[];
}

/**
 * The Argo CD objects that make git the way in (dist/argocd/): AppProjects, an
 * Application for the shared layer, Applications of the official External Secrets and
 * Airflow charts, the ApplicationSet that turns every committed `workspaces/<name>.yaml`
 * into an Application of `dist/workspaces/<name>/`, and an Application of this folder
 * itself, so that after one `kubectl apply` everything flows from git.
 * @see https://argo-cd.readthedocs.io/en/stable/operator-manual/applicationset/Generators-Git/
 */
export class ArgoCdChart extends Chart {
  constructor(scope: Construct, id: string, props: ArgoCdChartProps) {
    const platform = props.platform;
    super(scope, id, { namespace: platform.argocd.namespace, disableResourceNameHashes: true });
    const repo = platform.repository;
    const labels = (component: string) => appLabels({ name: 'argocd', instance: 'platform', component });
    const object = (oid: string, kind: string, name: string, spec: Record<string, unknown>, meta: Record<string, unknown> = {}) =>
      new KubeObject(this, oid, { apiVersion: 'argoproj.io/v1alpha1', kind, metadata: { name, labels: labels(kind.toLowerCase()), ...meta }, spec });
    const dest = (namespace: string) => ({ server: IN_CLUSTER, namespace });

    object('BootstrapProject', 'AppProject', PROJECTS.bootstrap, {
      description: 'The Argo CD objects of the LLM platform (dist/argocd), synced from git.',
      sourceRepos: [repo.url],
      destinations: [dest(platform.argocd.namespace)],
      clusterResourceWhitelist: [],
      namespaceResourceWhitelist: [
        { group: 'argoproj.io', kind: 'AppProject' },
        { group: 'argoproj.io', kind: 'Application' },
        { group: 'argoproj.io', kind: 'ApplicationSet' },
      ],
    });
    object('PlatformProject', 'AppProject', PROJECTS.platform, {
      description: 'The shared layer and the team workspaces of the LLM platform: only their namespaces, only this repository.',
      sourceRepos: [repo.url],
      // Envoy Gateway's namespace for the gateway proxies' own NetworkPolicy and PodMonitoring;
      // KEDA's for the interceptor's.
      destinations: [dest(SHARED_NAMESPACE), dest(PROBES_NAMESPACE), dest(GCP_NAMESPACE), dest(GATEWAY.namespace), dest(KEDA.namespace), dest('llm-workspace-*')],
      // The cluster-scoped kinds the manifests hold: their namespaces, and the admission
      // policy that limits what Airflow may start in a workspace.
      clusterResourceWhitelist: [
        { group: '', kind: 'Namespace' },
        { group: 'admissionregistration.k8s.io', kind: 'ValidatingAdmissionPolicy' },
        { group: 'admissionregistration.k8s.io', kind: 'ValidatingAdmissionPolicyBinding' },
        // The training queues: the servers' and runs' priorities, the accelerators, each team's queue.
        { group: 'scheduling.k8s.io', kind: 'PriorityClass' },
        { group: 'kueue.x-k8s.io', kind: 'ResourceFlavor' },
        { group: 'kueue.x-k8s.io', kind: 'WorkloadPriorityClass' },
        { group: 'kueue.x-k8s.io', kind: 'ClusterQueue' },
        // The gateway's class, bound to its EnvoyProxy settings.
        { group: 'gateway.networking.k8s.io', kind: 'GatewayClass' },
      ],
      // Secrets come from the stores; nothing in git may be one, or send one out.
      namespaceResourceBlacklist: [{ group: '', kind: 'Secret' }, { group: 'external-secrets.io', kind: 'PushSecret' }],
      orphanedResources: { warn: true },
    });
    // Each workspace's own objects: only its namespace, only the kinds a workspace's
    // Application holds (no Secret, SecretStore, PushSecret, Role or RoleBinding), and
    // nothing cluster-scoped. Its boundary comes through the platform's project.
    for (const ws of props.workspaces) {
      object(`Project-${ws}`, 'AppProject', workspaceProject(ws), {
        description: `The objects of workspace ${ws}, confined to namespace ${workspaceNamespace(ws)}.`,
        sourceRepos: [repo.url],
        destinations: [dest(workspaceNamespace(ws))],
        clusterResourceWhitelist: [],
        namespaceResourceWhitelist: TENANT_KINDS.map((k) => ({ group: k.group, kind: k.kind })),
        orphanedResources: { warn: true },
      });
    }
    object('OperatorsProject', 'AppProject', PROJECTS.operators, {
      description: 'Third-party services of the LLM platform, from their official Helm charts.',
      sourceRepos: [CHART_REPOS.externalSecrets, CHART_REPOS.airflow, CHART_REPOS.kueue, CHART_REPOS.jobset, CHART_REPOS.envoyGateway, CHART_REPOS.aiGatewayCrds, CHART_REPOS.aiGateway, CHART_REPOS.keda],
      destinations: [dest(EXTERNAL_SECRETS_NAMESPACE), dest(SHARED_NAMESPACE), dest(KUEUE_NAMESPACE), dest(JOBSET_NAMESPACE), dest(GATEWAY.namespace), dest(GATEWAY.aiNamespace), dest(KEDA.namespace),
        // KEDA's metrics server reads the API server's authentication settings: its chart binds a role in kube-system.
        dest('kube-system')],
      // What the operators' charts install cluster-wide: their namespaces, CRDs, RBAC and
      // webhooks, and Kueue's visibility API.
      clusterResourceWhitelist: [
        { group: '', kind: 'Namespace' },
        { group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition' },
        { group: 'rbac.authorization.k8s.io', kind: 'ClusterRole' },
        { group: 'rbac.authorization.k8s.io', kind: 'ClusterRoleBinding' },
        { group: 'admissionregistration.k8s.io', kind: 'ValidatingWebhookConfiguration' },
        { group: 'admissionregistration.k8s.io', kind: 'MutatingWebhookConfiguration' },
        { group: 'apiregistration.k8s.io', kind: 'APIService' },
      ],
    });

    object('Bootstrap', 'Application', 'llm-platform-bootstrap', {
      project: PROJECTS.bootstrap,
      source: { repoURL: repo.url, targetRevision: repo.revision, path: `dist/${ARGOCD_FOLDER}` },
      destination: dest(platform.argocd.namespace),
      // Never prune Argo CD objects: removing one from git must not cascade into a platform.
      syncPolicy: { ...syncPolicy(), automated: { prune: false, selfHeal: true } },
    });
    const wave = (w: number) => ({ annotations: { 'argocd.argoproj.io/sync-wave': String(w) } });
    object('ExternalSecrets', 'Application', 'external-secrets', {
      project: PROJECTS.operators,
      source: {
        repoURL: CHART_REPOS.externalSecrets,
        chart: 'external-secrets',
        targetRevision: platform.operators.externalSecrets.chartVersion,
        helm: { releaseName: 'external-secrets', valuesObject: externalSecretsValues() },
      },
      destination: dest(EXTERNAL_SECRETS_NAMESPACE),
      // The CRDs are too large for client-side apply's annotation.
      syncPolicy: syncPolicy(['CreateNamespace=true', 'ServerSideApply=true']),
      ignoreDifferences: OPERATOR_IGNORE_DIFFERENCES,
    }, wave(APPLICATION_WAVES.externalSecrets));
    // Kueue and JobSet before the shared layer and the workspaces, which hold their kinds:
    // OCI charts (Argo CD's native OCI source, whose chart is the artifact's root).
    const ociOperator = (oid: string, name: string, repoURL: string, version: string, values: Record<string, unknown>, namespace: string, w: number = APPLICATION_WAVES.kueue, ignore: object[] = []) => object(oid, 'Application', name, {
      project: PROJECTS.operators,
      source: { repoURL, path: '.', targetRevision: version, helm: { releaseName: name, valuesObject: values } },
      destination: dest(namespace),
      syncPolicy: syncPolicy(['CreateNamespace=true', 'ServerSideApply=true']),
      ignoreDifferences: [...OPERATOR_IGNORE_DIFFERENCES, ...ignore],
    }, wave(w));
    ociOperator('Kueue', 'kueue', CHART_REPOS.kueue, platform.operators.kueue.chartVersion, kueueValues(), KUEUE_NAMESPACE);
    ociOperator('JobSet', 'jobset', CHART_REPOS.jobset, platform.operators.jobset.chartVersion, jobsetValues(), JOBSET_NAMESPACE);
    // The gateway: Envoy Gateway (with the Gateway API CRDs), then Envoy AI Gateway's CRDs
    // and controller, all before the shared layer that holds their objects.
    const gw = platform.operators;
    ociOperator('EnvoyGateway', 'envoy-gateway', CHART_REPOS.envoyGateway, gw.envoyGateway.chartVersion, envoyGatewayValues(), GATEWAY.namespace, APPLICATION_WAVES.gateway);
    ociOperator('AiGatewayCrds', AI_GATEWAY_RELEASES.crds, CHART_REPOS.aiGatewayCrds, gw.aiGateway.chartVersion, {}, GATEWAY.aiNamespace, APPLICATION_WAVES.gateway);
    ociOperator('AiGateway', AI_GATEWAY_RELEASES.controller, CHART_REPOS.aiGateway, gw.aiGateway.chartVersion, aiGatewayValues(), GATEWAY.aiNamespace, APPLICATION_WAVES.aiGateway, AI_GATEWAY_IGNORE_DIFFERENCES);
    // KEDA and its HTTP add-on: models that autoscale, and the wake-up path of those that scale to zero.
    const helmOperator = (oid: string, name: string, chart: string, version: string, values: Record<string, unknown>, w: number) => object(oid, 'Application', name, {
      project: PROJECTS.operators,
      source: { repoURL: CHART_REPOS.keda, chart, targetRevision: version, helm: { releaseName: name, valuesObject: values } },
      destination: dest(KEDA.namespace),
      syncPolicy: syncPolicy(['CreateNamespace=true', 'ServerSideApply=true']),
      ignoreDifferences: OPERATOR_IGNORE_DIFFERENCES,
    }, wave(w));
    helmOperator('Keda', 'keda', 'keda', gw.keda.chartVersion, kedaValues(platform), APPLICATION_WAVES.keda);
    helmOperator('KedaHttp', 'keda-add-ons-http', 'keda-add-ons-http', gw.kedaHttp.chartVersion, kedaHttpValues(), APPLICATION_WAVES.kedaHttp);
    // The shared layer comes before Airflow: it holds Airflow's namespace and secrets.
    object('Shared', 'Application', 'llm-shared', {
      project: PROJECTS.platform,
      source: { repoURL: repo.url, targetRevision: repo.revision, path: 'dist/shared' },
      destination: dest(SHARED_NAMESPACE),
      // Server-side: client-side apply keeps a copy of each object in an annotation of at
      // most 256 KiB, and the gateway's routes grow with the workspaces (310 KB at 1000).
      syncPolicy: syncPolicy(['ServerSideApply=true']),
      ignoreDifferences: IGNORE_DIFFERENCES,
    }, wave(APPLICATION_WAVES.shared));
    object('Airflow', 'Application', 'airflow', {
      project: PROJECTS.operators,
      source: {
        repoURL: CHART_REPOS.airflow,
        chart: 'airflow',
        targetRevision: platform.operators.airflow.chartVersion,
        helm: { releaseName: AIRFLOW_RELEASE, valuesObject: airflowValues() },
      },
      destination: dest(SHARED_NAMESPACE),
      syncPolicy: syncPolicy(),
      ignoreDifferences: IGNORE_DIFFERENCES,
    }, wave(APPLICATION_WAVES.airflow));

    // Two Applications per workspace: its boundary, which the platform owns, and its own
    // objects, confined by the workspace's project (see lib/workspace/boundary.ts). The
    // second retries until the first has made the namespace and the identities.
    const workspaceSet = (oid: string, name: string, folder: string, app: string, project: string) => object(oid, 'ApplicationSet', name, {
      goTemplate: true,
      goTemplateOptions: ['missingkey=error'],
      generators: [{ git: { repoURL: repo.url, revision: repo.revision, directories: workspaceDirectories(folder) } }],
      // Removing a workspace file deletes its Applications but nothing they made: no outage
      // and no lost model from a mistaken commit. Decommissioning is `state: suspended`.
      syncPolicy: { preserveResourcesOnDeletion: true },
      template: {
        metadata: {
          name: app,
          labels: { 'app.kubernetes.io/part-of': 'llm-platform', 'llm-platform/workspace': '{{ .path.basename }}' },
        },
        spec: {
          project,
          source: { repoURL: repo.url, targetRevision: repo.revision, path: '{{ .path.path }}' },
          destination: dest('llm-workspace-{{ .path.basename }}'),
          syncPolicy: syncPolicy(),
          ignoreDifferences: IGNORE_DIFFERENCES,
        },
      },
    });
    workspaceSet('WorkspaceBoundaries', 'llm-workspace-boundaries', BOUNDARIES_FOLDER, 'workspace-{{ .path.basename }}-boundary', PROJECTS.platform);
    workspaceSet('Workspaces', 'llm-workspaces', 'workspaces', 'workspace-{{ .path.basename }}', workspaceProject('{{ .path.basename }}'));
  }
}
