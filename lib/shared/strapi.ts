import { Construct } from 'constructs';
import { ExternalSecret } from '../components/external-secret';
import { WebServer } from '../components/web-server';
import { PlatformConfig } from '../config/types';
import { imageRef, imageTag } from '../images';
import { PORTS, SHARED_APPS, STRAPI_APP_SECRET, STRAPI_TOKEN_SECRET } from '../names';
import { STRAPI_TOKEN_ENV } from './strapi-token';

/** Props of a {@link Strapi}. */
export interface StrapiProps {
  /** Platform settings: image, Cloud SQL host, secret store, sizing. */
  readonly platform: PlatformConfig;
}

/** PostgreSQL database of Strapi on the platform's Cloud SQL instance. */
export const STRAPI_DATABASE = 'strapi';

/** Keys of Strapi's Secret read from one JSON secret in Secret Manager that an operator sets once. */
const STRAPI_SECRET_KEYS = ['APP_KEYS', 'API_TOKEN_SALT', 'ADMIN_JWT_SECRET', 'TRANSFER_TOKEN_SALT', 'JWT_SECRET'];

/**
 * Strapi, the model registry (port 1337): one record per served model, read by the
 * gateway and the console with the API token in Secret `strapi-api-token`. Its database
 * is on Cloud SQL; its keys and the token come from Secret Manager.
 * @see https://docs.strapi.io/cms/configurations/environment
 */
export class Strapi extends Construct {
  public readonly server: WebServer;

  constructor(scope: Construct, id: string, props: StrapiProps) {
    super(scope, id);
    const labels = { name: 'strapi', instance: 'shared', component: 'model-registry' };
    const sql = props.platform.cloudSql;

    new ExternalSecret(this, 'AppSecret', {
      name: STRAPI_APP_SECRET,
      labels,
      platform: props.platform,
      store: props.platform.secretStore.name,
      data: [
        ...STRAPI_SECRET_KEYS.map((key) => ({ secretKey: key, remoteKey: 'strapi-app', property: key })),
        // The database user and its password, generated in the cluster (lib/gcp/shared-gcp.ts).
        { secretKey: 'DATABASE_USERNAME', remoteKey: 'strapi-db', property: 'username' },
        { secretKey: 'DATABASE_PASSWORD', remoteKey: 'strapi-db', property: 'password' },
      ],
    });
    new ExternalSecret(this, 'ApiToken', {
      name: STRAPI_TOKEN_SECRET,
      labels,
      platform: props.platform,
      store: props.platform.secretStore.name,
      data: [{ secretKey: STRAPI_TOKEN_ENV, remoteKey: 'strapi-api-token' }],
    });

    this.server = new WebServer(this, 'Server', {
      name: SHARED_APPS.strapi,
      labels: { ...labels, version: imageTag(props.platform, 'strapi') },
      container: {
        name: 'strapi',
        image: imageRef(props.platform, 'strapi'),
        port: PORTS.strapi,
        env: [
          { name: 'NODE_ENV', value: 'production' },
          { name: 'HOST', value: '0.0.0.0' },
          { name: 'PORT', value: String(PORTS.strapi) },
          { name: 'DATABASE_CLIENT', value: 'postgres' },
          { name: 'DATABASE_HOST', value: sql.host },
          { name: 'DATABASE_PORT', value: String(sql.port) },
          { name: 'DATABASE_NAME', value: STRAPI_DATABASE },
          { name: 'STRAPI_TELEMETRY_DISABLED', value: 'true' },
        ],
        envFrom: [{ secretRef: { name: STRAPI_APP_SECRET } }],
        // Strapi writes build caches and uploads under its app folder; the root filesystem is read-only.
        volumeMounts: [
          { name: 'strapi-cache', mountPath: '/opt/app/.tmp' },
          { name: 'strapi-uploads', mountPath: '/opt/app/public/uploads' },
        ],
        resources: props.platform.shared.strapi,
        probe: { path: '/_health', startupSeconds: 180 },
      },
      volumes: [
        { name: 'strapi-cache', emptyDir: {} },
        { name: 'strapi-uploads', emptyDir: {} },
      ],
    });
  }
}
