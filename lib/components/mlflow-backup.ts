import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { PlatformConfig } from '../config/types';
import { imageRef } from '../images';
import { appLabels } from '../labels';
import { securedPodSpec } from './pod-defaults';

/** Props of an {@link MlflowBackup}. */
export interface MlflowBackupProps {
  /** `app.kubernetes.io/instance`: the workspace name, or `shared`. */
  readonly instance: string;
  readonly platform: PlatformConfig;
  /** The database to export. */
  readonly database: string;
  /** ServiceAccount whose GCP account may export from Cloud SQL and write the backup bucket. */
  readonly serviceAccountName: string;
}

/*
 * Export the database to gs://<bucket>/<database>/<database>-<stamp>.sql.gz, then remove
 * the exports of this database older than the retention.
 */
const BACKUP = `set -eu
stamp=$(date -u +%Y%m%d-%H%M%S)
gcloud sql export sql "$INSTANCE" "gs://$BUCKET/$DATABASE/$DATABASE-$stamp.sql.gz" --database="$DATABASE" --project="$PROJECT" --quiet
cutoff=$(date -u -d "-$RETENTION_DAYS days" +%Y%m%d)
gcloud storage ls "gs://$BUCKET/$DATABASE/" | while read -r file; do
  day=$(basename "$file" | sed -E 's/.*-([0-9]{8})-[0-9]{6}[.]sql[.]gz$/\\1/')
  case "$day" in
    [0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]) if [ "$day" -lt "$cutoff" ]; then gcloud storage rm "$file"; fi ;;
  esac
done
echo "backup of $DATABASE done; exports older than $RETENTION_DAYS days removed"
`;

/**
 * A scheduled backup of one MLflow database (guide 7.4): `gcloud sql export sql` to the
 * platform's backup bucket, keeping `backups.retentionDays` of exports. Artifacts are
 * already in GCS. The Cloud SQL instance's service account must be able to write the
 * bucket, and the pod's GCP account needs `roles/cloudsql.viewer` and the right to
 * export (`roles/cloudsql.client` is not enough; `cloudsql.instances.export`).
 * @see https://cloud.google.com/sql/docs/postgres/import-export/export-import-sql
 */
export class MlflowBackup extends Construct {
  constructor(scope: Construct, id: string, props: MlflowBackupProps) {
    super(scope, id);
    const p = props.platform;
    const labels = appLabels({ name: 'mlflow', instance: props.instance, component: 'backup' });
    new k8s.KubeCronJob(this, 'Resource', {
      metadata: { name: 'mlflow-backup', labels },
      spec: {
        schedule: p.backups.schedule,
        concurrencyPolicy: 'Forbid',
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 3,
        jobTemplate: {
          spec: {
            backoffLimit: 2,
            ttlSecondsAfterFinished: 3 * 24 * 3600,
            template: {
              metadata: { labels },
              spec: securedPodSpec({
                restartPolicy: 'Never',
                serviceAccountName: props.serviceAccountName,
                containers: [{
                  name: 'backup',
                  image: imageRef(p, 'gcloud'),
                  command: ['bash', '-c', BACKUP],
                  env: [
                    { name: 'CLOUDSDK_CONFIG', value: '/tmp/gcloud' },
                    { name: 'PROJECT', value: p.project },
                    { name: 'INSTANCE', value: p.cloudSql.instance },
                    { name: 'DATABASE', value: props.database },
                    { name: 'BUCKET', value: p.backups.bucket ?? `${p.project}-backups` },
                    { name: 'RETENTION_DAYS', value: String(p.backups.retentionDays) },
                  ],
                  resources: {
                    requests: { cpu: k8s.Quantity.fromString('100m'), memory: k8s.Quantity.fromString('256Mi') },
                    limits: { cpu: k8s.Quantity.fromString('1'), memory: k8s.Quantity.fromString('1Gi') },
                  },
                }],
              }),
            },
          },
        },
      },
    });
  }
}
