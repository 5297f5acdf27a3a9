import { Construct } from 'constructs';
import { appLabels } from '../labels';
import { SHARED_NAMESPACE } from '../names';
import { KUBE, kube } from '../kube-object';
import { RUN_TEMPLATE_CONFIG_MAP } from '../training/run-template';

/** ServiceAccount of Airflow's task pods (the official chart's `airflow-worker`), which run the DAG's tasks. */
export const AIRFLOW_WORKER_ACCOUNT = 'airflow-worker';

/** Name of Airflow's Role (and RoleBinding) in a workspace. */
export const AIRFLOW_ROLE = 'airflow-run-launcher';

/** Props of an {@link AirflowAccess}. */
export interface AirflowAccessProps {
  /** Workspace name. */
  readonly workspace: string;
}

/**
 * What Airflow may do in a workspace: read the template its runs start from, create a
 * run's Job and watch it (what the Job may be is the admission policy's part,
 * `llm-platform-airflow-jobs`). No pods, no other ConfigMap, nothing else; only here,
 * through one RoleBinding per workspace; Airflow gets no cluster-wide role.
 * @see https://kubernetes.io/docs/reference/access-authn-authz/rbac/
 */
export class AirflowAccess extends Construct {
  constructor(scope: Construct, id: string, props: AirflowAccessProps) {
    super(scope, id);
    const labels = appLabels({ name: 'airflow', instance: props.workspace, component: 'rbac' });
    const role = kube(this, 'Role', KUBE.Role, {
      metadata: { name: AIRFLOW_ROLE, labels },
      rules: [
        { apiGroups: [''], resources: ['configmaps'], resourceNames: [RUN_TEMPLATE_CONFIG_MAP], verbs: ['get'] },
        { apiGroups: ['batch'], resources: ['jobs'], verbs: ['create', 'get'] },
        { apiGroups: ['batch'], resources: ['jobs/status'], verbs: ['get'] },
      ],
    });
    kube(this, 'Binding', KUBE.RoleBinding, {
      metadata: { name: AIRFLOW_ROLE, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.name },
      subjects: [{ kind: 'ServiceAccount', name: AIRFLOW_WORKER_ACCOUNT, namespace: SHARED_NAMESPACE }],
    });
  }
}
