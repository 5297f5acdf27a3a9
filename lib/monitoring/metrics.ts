/**
 * The metrics the platform's alerts and dashboard read, by where they come from. Names
 * are those of the releases the platform runs: a test parses every expression and checks
 * that it names only these.
 */

/**
 * vLLM's own metrics, as vLLM 0.8.x exports them on `/metrics` of `vllm serve` (the API
 * image's vLLM: LLaMA-Factory 0.9.3 installs `vllm<=0.8.6`), each labelled `model_name`
 * (the served model's name). vLLM 0.9.2 renames `gpu_cache_usage_perc` to
 * `kv_cache_usage_perc`; 0.11 renames `time_per_output_token_seconds`: an image with a
 * newer vLLM needs these names changed here.
 * @see https://docs.vllm.ai/en/v0.8.5/serving/metrics.html
 */
export const VLLM_METRICS = {
  /** Gauge: requests waiting for a slot. */
  requestsWaiting: 'vllm:num_requests_waiting',
  /** Gauge: requests being generated. */
  requestsRunning: 'vllm:num_requests_running',
  /** Gauge: the fraction (0 to 1) of the GPU KV cache in use. */
  kvCacheUsage: 'vllm:gpu_cache_usage_perc',
  /** Histogram: seconds to the first token. */
  timeToFirstToken: 'vllm:time_to_first_token_seconds',
  /** Histogram: seconds per output token after the first. */
  timePerOutputToken: 'vllm:time_per_output_token_seconds',
  /** Histogram: seconds from request to last token. */
  e2eLatency: 'vllm:e2e_request_latency_seconds',
  /** Counter: prompt tokens processed. */
  promptTokens: 'vllm:prompt_tokens_total',
  /** Counter: tokens generated. */
  generationTokens: 'vllm:generation_tokens_total',
} as const;

/** Series every scrape target has: whether its last scrape succeeded. */
export const SCRAPE_METRICS = { up: 'up' } as const;

/** GPU metrics of GKE's managed DCGM collection (the dashboard's GPU panels), labelled with the pod's namespace. */
export const DCGM_METRICS = { gpuUtilization: 'DCGM_FI_DEV_GPU_UTIL' } as const;

/**
 * kube-state-metrics' (v2.13, the platform's own `llm-job-metrics`): Jobs and CronJobs,
 * labelled with the object's `job_name` or `cronjob` and its namespace as
 * `exported_namespace` (Managed Prometheus keeps `namespace` for the scraped pod's).
 * @see https://github.com/kubernetes/kube-state-metrics/blob/v2.13.0/docs/metrics/workload/job-metrics.md
 */
export const JOB_METRICS = {
  /** Gauge: 1 for the Job's condition `Failed` with `condition="true"`. */
  jobFailed: 'kube_job_failed',
  /** Gauge: Unix time of a CronJob's last successful run. */
  cronJobLastSuccess: 'kube_cronjob_status_last_successful_time',
  /** Gauge: Unix time a CronJob was created. */
  cronJobCreated: 'kube_cronjob_created',
} as const;

/** Every metric name the platform's expressions may use. */
export const KNOWN_METRICS: ReadonlySet<string> = new Set([
  ...Object.values(VLLM_METRICS).flatMap((m) => (/_seconds$/.test(m) ? [`${m}_bucket`, `${m}_count`, `${m}_sum`] : [m])),
  ...Object.values(SCRAPE_METRICS), ...Object.values(DCGM_METRICS), ...Object.values(JOB_METRICS),
]);
