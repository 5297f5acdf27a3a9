import { Construct } from 'constructs';
import { addresses, METADATA_SERVER, NamespacePolicies, podsHere, podsIn, tcp } from '../components/network-policies';
import { PlatformConfig } from '../config/types';
import { KUBE, kube } from '../kube-object';
import { appLabels } from '../labels';
import { RUN_NAME_LABEL, TRAINING_APP } from '../training/training-run';
import { GMP_COLLECTOR, GMP_NAMESPACE } from '../monitoring/monitoring';
import {
  GATEWAY, INFERENCE_APP, INFERENCE_CANARY_APP, INFERENCE_NETWORK_POLICY, MLFLOW_CLIENT_LABEL, PORTS, PROBES_NAMESPACE, SHARED_APPS, SHARED_NAMESPACE, WORKSPACE_APPS,
} from '../names';

/** Props of a {@link NetworkIsolation}. */
export interface NetworkIsolationProps {
  /** Workspace name. */
  readonly workspace: string;
  /** Platform settings: Cloud SQL address, Google API ranges. */
  readonly platform: PlatformConfig;
  /** Whether a served model runs a canary (its pods get policies of their own). */
  readonly canaries?: boolean;
}

/**
 * A workspace's network: everything denied, in and out, then only the flows the
 * platform needs. Nothing from another workspace is ever allowed in, and the shared
 * layer only through the doors named here.
 *
 * | policy | pods | allows |
 * | --- | --- | --- |
 * | default-deny | all | nothing (both directions) |
 * | allow-dns | all | egress to kube-dns, NodeLocal DNSCache and the metadata server's DNS (Cloud DNS) on 53 |
 * | allow-google-apis | mlflow | egress to the metadata server (Workload Identity) and Google APIs on 443 (GCS artifacts, which MLflow serves to its clients) |
 * | allow-training-gcs | training | egress to the metadata server (Workload Identity) and Google APIs on 443: the data bucket (through the Cloud Storage FUSE sidecar), base models in, the trained model out |
 * | allow-inference-gcs | inference | the same: the model loader reads its model from GCS |
 * | allow-mlflow-clients | web UI, inference (model loader), training | egress to the workspace MLflow, and to mlflow-common-read (base models, read only) |
 * | allow-mlflow | mlflow | ingress on 5000 from the workspace's MLflow clients (the runs Airflow starts among them) and the checks of llm-probes |
 * | allow-mlflow-database | mlflow | egress to Cloud SQL |
 * | allow-only-gateway | inference | ingress on 8000 from the gateway's Envoy proxies (envoy-gateway-system) and the checks (guide 4.7) |
 * | allow-metrics-scrape | inference | ingress on 8000 from GKE Managed Prometheus's collectors (`gmp-system`): vLLM's /metrics |
 * | allow-only-gateway-canary, allow-metrics-scrape-canary, allow-inference-gcs-canary | a canary's inference pods | the same as the model's (only in a workspace with a canary) |
 * | allow-webui-probes | web UI | ingress on 7860 from the checks (people use port-forward, which policies do not see) |
 */
export class NetworkIsolation extends Construct {
  constructor(scope: Construct, id: string, props: NetworkIsolationProps) {
    super(scope, id);
    const policies = new NamespacePolicies(this, 'Policies', { instance: props.workspace });
    const probes = podsIn(PROBES_NAMESPACE);
    const mlflowEgress = [
      { to: [podsHere({ app: WORKSPACE_APPS.mlflow })], ports: [tcp(PORTS.mlflow)] },
      { to: [podsIn(SHARED_NAMESPACE, { app: SHARED_APPS.mlflowRead })], ports: [tcp(PORTS.mlflowRead)] },
    ];
    const sql = props.platform.cloudSql;

    policies.allow('GoogleApis', 'allow-google-apis', { app: WORKSPACE_APPS.mlflow }, {
      egress: [...METADATA_SERVER, { to: addresses(props.platform.network.googleApiCidrs), ports: [tcp(443)] }],
    });
    // Model weights move between GCS and the pods that need them, as the workspace's own
    // identity (which may not read its secrets): training (its data, its base model in, its
    // model out) and inference (its model loader); MLflow keeps runs and the registry only.
    const gcs = { egress: [...METADATA_SERVER, { to: addresses(props.platform.network.googleApiCidrs), ports: [tcp(443)] }] };
    policies.allow('TrainingGcs', 'allow-training-gcs', { app: TRAINING_APP }, gcs);
    policies.allow('InferenceGcs', 'allow-inference-gcs', { app: INFERENCE_APP }, gcs);
    policies.allow('MlflowClients', 'allow-mlflow-clients', { [MLFLOW_CLIENT_LABEL]: 'true' }, { egress: mlflowEgress });
    policies.allow('Mlflow', 'allow-mlflow', { app: WORKSPACE_APPS.mlflow }, {
      ingress: [{
        from: [podsHere({ [MLFLOW_CLIENT_LABEL]: 'true' }), probes],
        ports: [tcp(PORTS.mlflow)],
      }],
    });
    policies.allow('MlflowDatabase', 'allow-mlflow-database', { app: WORKSPACE_APPS.mlflow }, {
      egress: [{ to: [{ ipBlock: { cidr: `${sql.host}/32` } }], ports: [tcp(sql.port)] }],
    });
    policies.allow('Inference', INFERENCE_NETWORK_POLICY, { app: INFERENCE_APP }, {
      ingress: [{ from: [podsIn(GATEWAY.namespace, GATEWAY.proxyLabels), probes], ports: [tcp(PORTS.inference)] }],
    });
    // GKE Managed Prometheus's collectors scrape the inference servers' vLLM metrics.
    policies.allow('Metrics', 'allow-metrics-scrape', { app: INFERENCE_APP }, {
      ingress: [{ from: [podsIn(GMP_NAMESPACE, GMP_COLLECTOR)], ports: [tcp(PORTS.inference)] }],
    });
    // A canary's pods (app llama-infer-canary) get what inference pods get, under their own policies.
    if (props.canaries) {
      policies.allow('CanaryGcs', 'allow-inference-gcs-canary', { app: INFERENCE_CANARY_APP }, gcs);
      policies.allow('CanaryInference', `${INFERENCE_NETWORK_POLICY}-canary`, { app: INFERENCE_CANARY_APP }, {
        ingress: [{ from: [podsIn(GATEWAY.namespace, GATEWAY.proxyLabels), probes], ports: [tcp(PORTS.inference)] }],
      });
      policies.allow('CanaryMetrics', 'allow-metrics-scrape-canary', { app: INFERENCE_CANARY_APP }, {
        ingress: [{ from: [podsIn(GMP_NAMESPACE, GMP_COLLECTOR)], ports: [tcp(PORTS.inference)] }],
      });
    }
    policies.allow('WebuiProbes', 'allow-webui-probes', { app: WORKSPACE_APPS.webui }, {
      ingress: [{ from: [probes], ports: [tcp(PORTS.webui)] }],
    });
  }
}

/** Props of {@link RunPeers}. */
export interface RunPeersProps {
  readonly workspace: string;
  /** The run's name (its pods' `llm-platform/run-name`). */
  readonly name: string;
}

/**
 * NetworkPolicy `<run>-peers`: the pods of one multi-node run reach each other, on any
 * port (the rendezvous on MASTER_PORT, then NCCL's own ports), and no other pod; pods of
 * other runs, or of another workspace, stay out.
 */
export class RunPeers extends Construct {
  constructor(scope: Construct, id: string, props: RunPeersProps) {
    super(scope, id);
    const peers = { [RUN_NAME_LABEL]: props.name };
    kube(this, 'Resource', KUBE.NetworkPolicy, {
      metadata: { name: `${props.name}-peers`, labels: appLabels({ name: 'network-policy', instance: props.workspace, component: 'network' }) },
      spec: {
        podSelector: { matchLabels: peers },
        policyTypes: ['Ingress', 'Egress'],
        ingress: [{ from: [podsHere(peers)] }],
        egress: [{ to: [podsHere(peers)] }],
      },
    });
  }
}
