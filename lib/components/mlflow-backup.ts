import { Construct } from 'constructs';
import { PlatformConfig } from '../config/types';
import { imageRef } from '../images';
import { BACKUPS_APP } from '../names';
import { backupBucketName } from '../gcp/gcp-names';
import { appLabels } from '../labels';
import { resourceRequirements, securedPodSpec, smallResources } from './pod-defaults';
import { WorkloadIdentityAccount } from './workload-identity-account';
import { KUBE, kube } from '../kube-object';


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
 * time): export it to gs://<bucket>/<database>/<database>-<stamp>.sql.gz. A failed export
 * is reported and the others go on; the Job fails at the end if any did. Old exports are
 * deleted by the bucket's lifecycle rule, not here: the backups' account may export, and
 * nothing else.
 */
const BACKUP = `set -u
failed=0
for database in $DATABASES; do
  stamp=$(date -u +%Y%m%d-%H%M%S)
  if ! gcloud sql export sql "$INSTANCE" "gs://$BUCKET/$database/$database-$stamp.sql.gz" --database="$database" --project="$PROJECT" --quiet; then
    echo "backup of $database FAILED"; failed=1; continue
  fi
  echo "backup of $database done"
done
exit $failed
`;

/**
 * Scheduled backups of every MLflow database (guide 7.4): `gcloud sql export sql` to the
 * platform's backup bucket, one database after the other. Artifacts are already in GCS.
 * The bucket keeps `backups.retentionDays` of exports (a lifecycle rule), the Cloud SQL
 * instance's own account writes them there, and the backups' account may only start the
 * export (lib/gcp/shared-gcp.ts).
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
    kube(this, 'Resource', KUBE.CronJob, {
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
                    { name: 'BUCKET', value: backupBucketName(p) },
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
