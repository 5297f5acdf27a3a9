import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { PlatformConfig } from '../config/types';
import { imageRef } from '../images';
import { BACKUPS_APP } from '../names';
import { appLabels } from '../labels';
import { resourceRequirements, securedPodSpec, smallResources } from './pod-defaults';
import { WorkloadIdentityAccount } from './workload-identity-account';


/** Props of an {@link MlflowBackups}. */
export interface MlflowBackupsProps {
  readonly platform: PlatformConfig;
  /** The databases to export, one after the other. */
  readonly databases: readonly string[];
  /** Email of the GCP account the backups run as: it may export from Cloud SQL (the instance's own account writes the bucket). */
  readonly gcpServiceAccount: string;
}

/*
 * For each database, one after the other (Cloud SQL runs one operation per instance at a
 * time): export it to gs://<bucket>/<database>/<database>-<stamp>.sql.gz, then remove its
 * exports older than the retention. A failed export is reported and the others go on;
 * the Job fails at the end if any did.
 */
const BACKUP = `set -u
failed=0
cutoff=$(date -u -d "-$RETENTION_DAYS days" +%Y%m%d)
for database in $DATABASES; do
  stamp=$(date -u +%Y%m%d-%H%M%S)
  if ! gcloud sql export sql "$INSTANCE" "gs://$BUCKET/$database/$database-$stamp.sql.gz" --database="$database" --project="$PROJECT" --quiet; then
    echo "backup of $database FAILED"; failed=1; continue
  fi
  gcloud storage ls "gs://$BUCKET/$database/" | while read -r file; do
    day=$(basename "$file" | sed -E 's/.*-([0-9]{8})-[0-9]{6}[.]sql[.]gz$/\\1/')
    case "$day" in
      [0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]) if [ "$day" -lt "$cutoff" ]; then gcloud storage rm "$file"; fi ;;
    esac
  done
  echo "backup of $database done; exports older than $RETENTION_DAYS days removed"
done
exit $failed
`;

/**
 * Scheduled backups of every MLflow database (guide 7.4): `gcloud sql export sql` to the
 * platform's backup bucket, one database after the other, keeping
 * `backups.retentionDays` of exports. Artifacts are already in GCS. The Cloud SQL
 * instance's service account must be able to write the bucket, and the pod's GCP account
 * needs the right to export (`cloudsql.instances.export`) and to list and delete in it.
 * @see https://cloud.google.com/sql/docs/postgres/import-export/export-import-sql
 */
export class MlflowBackups extends Construct {
  constructor(scope: Construct, id: string, props: MlflowBackupsProps) {
    super(scope, id);
    const p = props.platform;
    const labelProps = { name: 'mlflow', instance: 'shared', component: 'backup' };
    const labels = appLabels(labelProps);
    // The ServiceAccount, bound to the backups' own GCP account, is named after the app.
    const account = new WorkloadIdentityAccount(this, 'ServiceAccount', { name: BACKUPS_APP, gcpServiceAccount: props.gcpServiceAccount, labels: labelProps });
    new k8s.KubeCronJob(this, 'Resource', {
      metadata: { name: 'mlflow-backups', labels },
      spec: {
        schedule: p.backups.schedule,
        concurrencyPolicy: 'Forbid',
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 3,
        jobTemplate: {
          spec: {
            backoffLimit: 1,
            ttlSecondsAfterFinished: 3 * 24 * 3600,
            template: {
              metadata: { labels: { ...labels, app: BACKUPS_APP } },
              spec: securedPodSpec({
                restartPolicy: 'Never',
                serviceAccountName: account.serviceAccount.name,
                containers: [{
                  name: 'backup',
                  image: imageRef(p, 'gcloud'),
                  command: ['bash', '-c', BACKUP],
                  env: [
                    { name: 'CLOUDSDK_CONFIG', value: '/tmp/gcloud' },
                    { name: 'PROJECT', value: p.project },
                    { name: 'INSTANCE', value: p.cloudSql.instance },
                    { name: 'DATABASES', value: props.databases.join(' ') },
                    { name: 'BUCKET', value: p.backups.bucket ?? `${p.project}-backups` },
                    { name: 'RETENTION_DAYS', value: String(p.backups.retentionDays) },
                  ],
                  resources: resourceRequirements(smallResources({ request: '100m', limit: '1' }, { request: '256Mi', limit: '1Gi' })),
                }],
              }),
            },
          },
        },
      },
    });
  }
}
