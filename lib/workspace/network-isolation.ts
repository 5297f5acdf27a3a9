import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { PlatformConfig } from '../config/types';
import { appLabels } from '../labels';
import {
  HEALTH_PROBE_LABEL, INFERENCE_APP, INFERENCE_NETWORK_POLICY, MLFLOW_CLIENT_LABEL, PORTS, SHARED_APPS, SHARED_NAMESPACE, WORKSPACE_APPS,
} from '../names';

/** Label that Airflow's KubernetesPodOperator puts on the pods it starts (training tasks). */
export const AIRFLOW_TASK_LABEL = 'kubernetes_pod_operator';

/** Private address ranges, kept out of "any public address". */
const PRIVATE_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'];

/** GKE's metadata server, which Workload Identity answers through (port 988 on Dataplane V2). */
const METADATA_SERVER = [{ cidr: '169.254.169.254/32', port: 80 }, { cidr: '169.254.169.252/32', port: 988 }];

/** NodeLocal DNSCache's address on GKE. */
const NODE_LOCAL_DNS = '169.254.20.10/32';

/** Props of a {@link NetworkIsolation}. */
export interface NetworkIsolationProps {
  /** Workspace name. */
  readonly workspace: string;
  /** Platform settings: Cloud SQL address, Google API ranges. */
  readonly platform: PlatformConfig;
}

type Peer = k8s.NetworkPolicyPeer;
type Port = k8s.NetworkPolicyPort;

const tcp = (port: number): Port => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) });
const inShared = (labels: Record<string, string>): Peer => ({
  namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': SHARED_NAMESPACE } },
  podSelector: { matchLabels: labels },
});
const probes: Peer = inShared({ [HEALTH_PROBE_LABEL]: 'true' });

/**
 * A workspace's network: everything denied, in and out, then only the flows the
 * platform needs. Nothing from another workspace is ever allowed in.
 *
 * | policy | pods | allows |
 * | --- | --- | --- |
 * | default-deny | all | nothing (both directions) |
 * | allow-dns | all | egress to kube-dns, NodeLocal DNSCache and the metadata server's DNS (Cloud DNS) on 53 |
 * | allow-google-apis | mlflow | egress to the metadata server (Workload Identity) and Google APIs on 443 (GCS artifacts, which MLflow serves to its clients) |
 * | allow-mlflow-clients | web UI, inference (model loader), training | egress to the workspace MLflow and mlflow-common on 5000 |
 * | allow-airflow-tasks | pods Airflow starts | the same egress as MLflow clients |
 * | allow-mlflow | mlflow | ingress on 5000 from the workspace's MLflow clients, Airflow tasks and the helm test probes |
 * | allow-mlflow-database | mlflow | egress to Cloud SQL |
 * | allow-only-gateway | inference | ingress on 8000 from llm-gateway and the probes (guide 4.7) |
 * | allow-webui-probes | web UI | ingress on 7860 from the probes (people use port-forward, which policies do not see) |
 *
 * @see https://kubernetes.io/docs/concepts/services-networking/network-policies/
 */
export class NetworkIsolation extends Construct {
  constructor(scope: Construct, id: string, props: NetworkIsolationProps) {
    super(scope, id);
    const labels = appLabels({ name: 'network-policy', instance: props.workspace, component: 'network' });
    const policy = (pid: string, name: string, podSelector: Record<string, string>, spec: { ingress?: k8s.NetworkPolicyIngressRule[]; egress?: k8s.NetworkPolicyEgressRule[] }) =>
      new k8s.KubeNetworkPolicy(this, pid, {
        metadata: { name, labels },
        spec: {
          podSelector: { matchLabels: podSelector },
          policyTypes: [...(spec.ingress ? ['Ingress'] : []), ...(spec.egress ? ['Egress'] : [])],
          ...spec,
        },
      });
    const mlflowEgress: k8s.NetworkPolicyEgressRule[] = [
      { to: [{ podSelector: { matchLabels: { app: WORKSPACE_APPS.mlflow } } }], ports: [tcp(PORTS.mlflow)] },
      { to: [inShared({ app: SHARED_APPS.mlflow })], ports: [tcp(PORTS.mlflow)] },
    ];
    const googleApis = props.platform.network.googleApiCidrs.map((cidr): Peer =>
      ({ ipBlock: { cidr, ...(cidr === '0.0.0.0/0' ? { except: PRIVATE_RANGES } : {}) } }));
    const sql = props.platform.cloudSql;

    policy('DefaultDeny', 'default-deny', {}, { ingress: [], egress: [] });
    policy('Dns', 'allow-dns', {}, {
      egress: [{
        to: [
          { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } },
          { ipBlock: { cidr: NODE_LOCAL_DNS } },
          // GKE with Cloud DNS answers pods from the metadata server's address.
          { ipBlock: { cidr: '169.254.169.254/32' } },
        ],
        ports: [{ protocol: 'UDP', port: k8s.IntOrString.fromNumber(53) }, tcp(53)],
      }],
    });
    policy('GoogleApis', 'allow-google-apis', { app: WORKSPACE_APPS.mlflow }, {
      egress: [
        ...METADATA_SERVER.map((m) => ({ to: [{ ipBlock: { cidr: m.cidr } }], ports: [tcp(m.port)] })),
        { to: googleApis, ports: [tcp(443)] },
      ],
    });
    policy('MlflowClients', 'allow-mlflow-clients', { [MLFLOW_CLIENT_LABEL]: 'true' }, { egress: mlflowEgress });
    policy('AirflowTasks', 'allow-airflow-tasks', { [AIRFLOW_TASK_LABEL]: 'True' }, { egress: mlflowEgress });
    policy('Mlflow', 'allow-mlflow', { app: WORKSPACE_APPS.mlflow }, {
      ingress: [{
        from: [
          { podSelector: { matchLabels: { [MLFLOW_CLIENT_LABEL]: 'true' } } },
          { podSelector: { matchLabels: { [AIRFLOW_TASK_LABEL]: 'True' } } },
          probes,
        ],
        ports: [tcp(PORTS.mlflow)],
      }],
    });
    policy('MlflowDatabase', 'allow-mlflow-database', { app: WORKSPACE_APPS.mlflow }, {
      egress: [{ to: [{ ipBlock: { cidr: `${sql.host}/32` } }], ports: [tcp(sql.port)] }],
    });
    policy('Inference', INFERENCE_NETWORK_POLICY, { app: INFERENCE_APP }, {
      ingress: [
        { from: [inShared({ app: SHARED_APPS.gateway })], ports: [tcp(PORTS.inference)] },
        { from: [probes], ports: [tcp(PORTS.inference)] },
      ],
    });
    policy('WebuiProbes', 'allow-webui-probes', { app: WORKSPACE_APPS.webui }, {
      ingress: [{ from: [probes], ports: [tcp(PORTS.webui)] }],
    });
  }
}
