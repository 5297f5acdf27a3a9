import { Construct } from 'constructs';
import { PlatformConfig, ResourcesConfig } from '../config/types';
import { imageRef, imageTag } from '../images';
import { MLFLOW_DB_SECRET, PORTS } from '../names';
import { ExternalSecret } from './external-secret';
import { WebServer } from './web-server';

/** Recommended labels of MLflow's objects, but the instance. */
export const MLFLOW_LABELS = { name: 'mlflow', component: 'tracking-server' } as const;

/** Props of an {@link MlflowServer}. */
export interface MlflowServerProps {
  /** Name of the Deployment, Service and `app` label: `mlflow-common` or `mlflow`. */
  readonly name: string;
  /** `app.kubernetes.io/instance`: the workspace name, or `shared`. */
  readonly instance: string;
  /** Platform settings: image, Cloud SQL host, secret store. */
  readonly platform: PlatformConfig;
  /** PostgreSQL database of the backend store. */
  readonly database: string;
  /** GCS bucket of the artifacts, without gs://. */
  readonly artifactBucket: string;
  /** Secret Manager secret (without prefix) holding `{"username": ..., "password": ...}` of the database. */
  readonly databaseSecretKey: string;
  /** The namespace's SecretStore, which reads that secret. */
  readonly secretStore: string;
  /** ServiceAccount with GCS access through Workload Identity. */
  readonly serviceAccountName: string;
  /** CPU and memory. */
  readonly resources: ResourcesConfig;
  /** Replicas. @default 1 */
  readonly replicas?: number;
}

/**
 * An MLflow tracking server on Cloud SQL for PostgreSQL with artifacts in GCS, as the
 * guide runs it for the shared layer (`mlflow-common`) and for every workspace
 * (`mlflow`). The database credentials come from Secret Manager; artifacts live in GCS
 * at gs:// URIs that clients read and write directly (the server proxies only those of
 * experiments created before it did so).
 * @see https://mlflow.org/docs/latest/tracking/server.html
 */
export class MlflowServer extends Construct {
  public readonly server: WebServer;

  constructor(scope: Construct, id: string, props: MlflowServerProps) {
    super(scope, id);
    const labels = { ...MLFLOW_LABELS, instance: props.instance };
    const sql = props.platform.cloudSql;

    new ExternalSecret(this, 'DatabaseSecret', {
      name: MLFLOW_DB_SECRET,
      labels,
      platform: props.platform,
      store: props.secretStore,
      data: [
        { secretKey: 'POSTGRES_USER', remoteKey: props.databaseSecretKey, property: 'username' },
        { secretKey: 'POSTGRES_PASSWORD', remoteKey: props.databaseSecretKey, property: 'password' },
      ],
    });

    const fromSecret = (key: string) => ({ name: key, valueFrom: { secretKeyRef: { name: MLFLOW_DB_SECRET, key } } });
    this.server = new WebServer(this, 'Server', {
      name: props.name,
      labels: { ...labels, version: imageTag(props.platform, 'mlflow') },
      serviceAccountName: props.serviceAccountName,
      replicas: props.replicas ?? 1,
      container: {
        name: 'mlflow',
        image: imageRef(props.platform, 'mlflow'),
        port: PORTS.mlflow,
        command: ['mlflow', 'server'],
        args: [
          '--host=0.0.0.0',
          `--port=${PORTS.mlflow}`,
          `--backend-store-uri=postgresql://$(POSTGRES_USER):$(POSTGRES_PASSWORD)@${sql.host}:${sql.port}/${props.database}`,
          // New experiments keep their artifacts at gs:// URIs: clients (model loaders,
          // training) move the bytes to and from GCS themselves, as their workspace's
          // identity; the server keeps runs and the registry, never a model's bytes (it
          // would be a 2-CPU proxy with gunicorn's 30 s worker timeout on every file).
          `--default-artifact-root=gs://${props.artifactBucket}/artifacts`,
          // Experiments created before that, whose artifacts are mlflow-artifacts:/ URIs,
          // still go through the server.
          '--serve-artifacts',
          `--artifacts-destination=gs://${props.artifactBucket}/artifacts`,
        ],
        env: [fromSecret('POSTGRES_USER'), fromSecret('POSTGRES_PASSWORD')],
        resources: props.resources,
        // The first start migrates the database schema.
        probe: { path: '/health', startupSeconds: 300 },
      },
    });
  }
}
