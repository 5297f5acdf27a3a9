import { Construct } from 'constructs';
import { appLabels, AppLabelsProps } from '../labels';
import { KubeObject } from '../kube-object';
import { AlertRule } from './alerts';

/** API of GKE Managed Prometheus's objects. */
export const GMP_API = 'monitoring.googleapis.com/v1';

/** Namespace of GKE Managed Prometheus's collectors, and their pods' label: they scrape the PodMonitorings' targets. */
export const GMP_NAMESPACE = 'gmp-system';
export const GMP_COLLECTOR = { 'app.kubernetes.io/name': 'collector' } as const;

/** How often the platform's targets are scraped. */
export const SCRAPE_INTERVAL = '30s';

/** Props of a {@link PodMonitoring}. */
export interface PodMonitoringProps {
  /** Its name: the scrape job's (`job` label), the Deployment's. */
  readonly name: string;
  /** The pods it scrapes: the Deployment's selector. */
  readonly selector: Record<string, string>;
  /** Container port of the metrics, by name or number. */
  readonly port: string | number;
  /** Namespace of the pods. @default the chart's */
  readonly namespace?: string;
  /** Path of the metrics. @default /metrics */
  readonly path?: string;
  readonly labels: AppLabelsProps;
}

/**
 * GKE Managed Prometheus scrapes a server's pods (`PodMonitoring`), in its namespace;
 * only running pods, each series labelled with its pod.
 * @see https://cloud.google.com/stackdriver/docs/managed-prometheus/setup-managed
 */
export class PodMonitoring extends Construct {
  public readonly resource: KubeObject;

  constructor(scope: Construct, id: string, props: PodMonitoringProps) {
    super(scope, id);
    this.resource = new KubeObject(this, 'Resource', {
      apiVersion: GMP_API,
      kind: 'PodMonitoring',
      metadata: { name: props.name, namespace: props.namespace, labels: appLabels(props.labels) },
      spec: {
        selector: { matchLabels: props.selector },
        endpoints: [{ port: props.port, path: props.path ?? '/metrics', interval: SCRAPE_INTERVAL }],
        filterRunning: true,
      },
    });
  }
}

/** Props of an {@link AlertRules}. */
export interface AlertRulesProps {
  readonly name: string;
  /** Groups of alerts, by group name (empty groups are left out). */
  readonly groups: Readonly<Record<string, readonly AlertRule[]>>;
  readonly labels: AppLabelsProps;
}

/**
 * Alerting rules GKE Managed Prometheus evaluates (`Rules`): over the series of their
 * own namespace only, so each workspace's alerts see its own servers and nothing else.
 * @see https://cloud.google.com/stackdriver/docs/managed-prometheus/rules-managed
 */
export class AlertRules extends Construct {
  constructor(scope: Construct, id: string, props: AlertRulesProps) {
    super(scope, id);
    const groups = Object.entries(props.groups).filter(([, rules]) => rules.length > 0)
      .map(([name, rules]) => ({ name, interval: SCRAPE_INTERVAL, rules }));
    if (groups.length === 0) return;
    new KubeObject(this, 'Resource', {
      apiVersion: GMP_API,
      kind: 'Rules',
      metadata: { name: props.name, labels: appLabels(props.labels) },
      spec: { groups },
    });
  }
}
