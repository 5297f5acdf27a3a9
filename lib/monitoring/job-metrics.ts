import { Construct } from 'constructs';
import { addresses, tcp } from '../components/network-policies';
import { resourceRequirements, securedPodSpec, smallResources } from '../components/pod-defaults';
import { PlatformConfig } from '../config/types';
import { imageRef, imageTag } from '../images';
import { intOrString, KUBE, kube } from '../kube-object';
import { appLabels } from '../labels';
import { SHARED_NAMESPACE } from '../names';
import { PRIORITY_CLASSES } from '../training/kueue';
import { RUN_PREFIX } from '../training/run-name';
import { AlertRules, GMP_COLLECTOR, GMP_NAMESPACE, PodMonitoring } from './monitoring';
import { AlertRule, alertRule } from './alerts';
import { JOB_METRICS } from './metrics';

/** Deployment, ServiceAccount, Role and `app` label of the platform's own kube-state-metrics. */
export const JOB_METRICS_APP = 'llm-job-metrics';

/** Its metrics port, and the port of its own health. */
const PORT = 8080;
const TELEMETRY_PORT = 8081;

/** Name of the shared layer's alerting rules: training runs and backups. */
export const PLATFORM_ALERTS = 'llm-platform-alerts';

/** The backup CronJob's name (lib/components/mlflow-backup.ts). */
const BACKUP_CRONJOB = 'mlflow-backups';

/** Hours without a successful backup before it alerts: a day and two hours of slack. */
export const BACKUP_MISSING_HOURS = 26;

/** How long a failed run or backup keeps its alert firing (the Job stays failed for days). */
const FAILED_WINDOW = '2h';

/**
 * The alerts of training runs and backups, over kube-state-metrics' series (each labelled
 * with the Job's namespace as `exported_namespace`): a run that failed (declared or
 * started by Airflow: every run's Job is `llama-fine-tune-...`, a JobSet's Jobs too), a
 * backup that failed, and no successful backup for 26 hours. A Job that failed fires for
 * two hours, then stays quiet while it is kept.
 */
export function platformAlerts(): Record<string, AlertRule[]> {
  const failedRecently = (selector: string) =>
    `(${JOB_METRICS.jobFailed}{condition="true",${selector}} == 1) unless (${JOB_METRICS.jobFailed}{condition="true",${selector}} offset ${FAILED_WINDOW} == 1)`;
  return {
    training: [
      alertRule('TrainingRunFailed', failedRecently(`exported_namespace=~"llm-workspace-.+",job_name=~"${RUN_PREFIX}-.+"`), '0m', 'ticket',
        'Training run {{ $labels.job_name }} of {{ $labels.exported_namespace }} failed'),
    ],
    backups: [
      alertRule('BackupFailed', failedRecently(`exported_namespace="${SHARED_NAMESPACE}",job_name=~"${BACKUP_CRONJOB}-.+"`), '0m', 'page',
        'A backup of the MLflow databases failed ({{ $labels.job_name }})'),
      alertRule('BackupMissing',
        `time() - max(${JOB_METRICS.cronJobLastSuccess}{exported_namespace="${SHARED_NAMESPACE}",cronjob="${BACKUP_CRONJOB}"}) > ${BACKUP_MISSING_HOURS} * 3600`
        + ` or (absent(${JOB_METRICS.cronJobLastSuccess}{exported_namespace="${SHARED_NAMESPACE}",cronjob="${BACKUP_CRONJOB}"}) and time() - max(${JOB_METRICS.cronJobCreated}{exported_namespace="${SHARED_NAMESPACE}",cronjob="${BACKUP_CRONJOB}"}) > ${BACKUP_MISSING_HOURS} * 3600)`,
        '15m', 'page', `No backup of the MLflow databases has succeeded for ${BACKUP_MISSING_HOURS} hours`),
    ],
  };
}

/** Props of a {@link JobMetrics}. */
export interface JobMetricsProps {
  readonly platform: PlatformConfig;
  /** The workspaces' namespaces, whose Jobs it watches (besides llm-shared's). */
  readonly namespaces: readonly string[];
}

/**
 * The state of training runs and backups as metrics: GKE's managed kube-state-metrics
 * exports no Jobs or CronJobs, so the platform runs its own, for those two kinds only, in
 * the namespaces that hold them (llm-shared and each workspace, each granting it
 * list and watch there: no cluster-wide role). Managed Prometheus scrapes it, and
 * `llm-platform-alerts` alerts on it. It is the platform's one pod with a token (a policy
 * exception): it reads the Kubernetes API.
 */
export class JobMetrics extends Construct {
  constructor(scope: Construct, id: string, props: JobMetricsProps) {
    super(scope, id);
    const p = props.platform;
    const labelProps = { name: 'kube-state-metrics', instance: 'shared', component: 'job-metrics' };
    const labels = appLabels(labelProps);
    const selector = { app: JOB_METRICS_APP };
    kube(this, 'ServiceAccount', KUBE.ServiceAccount, { metadata: { name: JOB_METRICS_APP, labels } });
    new JobMetricsAccess(this, 'Access', { namespace: SHARED_NAMESPACE, instance: 'shared' });
    const namespaces = [SHARED_NAMESPACE, ...props.namespaces];
    const check = { httpGet: { path: '/healthz', port: intOrString(PORT) }, periodSeconds: 20, timeoutSeconds: 5 };
    kube(this, 'Deployment', KUBE.Deployment, {
      metadata: { name: JOB_METRICS_APP, labels },
      spec: {
        replicas: 1,
        revisionHistoryLimit: 5,
        selector: { matchLabels: selector },
        template: {
          metadata: { labels: { ...appLabels({ ...labelProps, version: imageTag(p, 'jobMetrics') }), ...selector } },
          spec: {
            ...securedPodSpec({
              serviceAccountName: JOB_METRICS_APP,
              priorityClassName: PRIORITY_CLASSES.services,
              containers: [{
                name: 'kube-state-metrics',
                image: imageRef(p, 'jobMetrics'),
                args: [
                  `--port=${PORT}`,
                  `--telemetry-port=${TELEMETRY_PORT}`,
                  '--resources=jobs,cronjobs',
                  `--namespaces=${namespaces.join(',')}`,
                  `--metric-allowlist=${Object.values(JOB_METRICS).join(',')}`,
                ],
                ports: [{ name: 'http', containerPort: PORT, protocol: 'TCP' }],
                resources: resourceRequirements(smallResources({ request: '50m', limit: '500m' }, { request: '64Mi', limit: '512Mi' })),
                startupProbe: { ...check, failureThreshold: 12, periodSeconds: 5 },
                readinessProbe: { ...check, failureThreshold: 3 },
                livenessProbe: { ...check, failureThreshold: 3 },
              }],
            }),
            // It lists Jobs and CronJobs through the API: the one pod of the platform with a token.
            automountServiceAccountToken: true,
          },
        },
      },
    });
    new PodMonitoring(this, 'Metrics', { name: JOB_METRICS_APP, selector, port: 'http', labels: labelProps });
    kube(this, 'Network', KUBE.NetworkPolicy, {
      metadata: { name: `allow-${JOB_METRICS_APP}`, labels: appLabels({ name: 'network-policy', instance: 'shared', component: 'network' }) },
      spec: {
        podSelector: { matchLabels: selector },
        policyTypes: ['Ingress', 'Egress'],
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': GMP_NAMESPACE } }, podSelector: { matchLabels: GMP_COLLECTOR } }], ports: [tcp(PORT)] }],
        egress: [{ to: addresses(p.network.kubernetesApiCidrs), ports: [tcp(443)] }],
      },
    });
    new AlertRules(this, 'Alerts', { name: PLATFORM_ALERTS, groups: platformAlerts(), labels: { name: 'llm-platform', instance: 'shared', component: 'alerts' } });
  }
}

/** What the platform's kube-state-metrics may do in a namespace: list and watch Jobs and CronJobs, nothing else. */
export class JobMetricsAccess extends Construct {
  constructor(scope: Construct, id: string, props: { readonly namespace?: string; readonly instance: string }) {
    super(scope, id);
    const labels = appLabels({ name: 'kube-state-metrics', instance: props.instance, component: 'rbac' });
    kube(this, 'Role', KUBE.Role, {
      metadata: { name: JOB_METRICS_APP, namespace: props.namespace, labels },
      rules: [{ apiGroups: ['batch'], resources: ['jobs', 'cronjobs'], verbs: ['list', 'watch'] }],
    });
    kube(this, 'Binding', KUBE.RoleBinding, {
      metadata: { name: JOB_METRICS_APP, namespace: props.namespace, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: JOB_METRICS_APP },
      subjects: [{ kind: 'ServiceAccount', name: JOB_METRICS_APP, namespace: SHARED_NAMESPACE }],
    });
  }
}
