/**
 * CloudWatch Embedded Metric Format: a JSON log line that CloudWatch Logs turns into metrics,
 * so a handler reports a metric without a PutMetricData call (and without its permission).
 * Free of SDK imports: the composition reads the namespace to alarm on these metrics.
 */

/** Namespace of the handlers' own metrics. */
export const METRIC_NAMESPACE = "DisasterRecovery";

/** One EMF document: metric values as top-level members, described under `_aws`. */
export function emfLine(
  namespace: string,
  dimensions: Record<string, string>,
  metrics: Record<string, { value: number; unit: string }>,
  timestamp: number,
) {
  return {
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [
        {
          Namespace: namespace,
          Dimensions: [Object.keys(dimensions)],
          Metrics: Object.entries(metrics).map(([Name, m]) => ({ Name, Unit: m.unit })),
        },
      ],
    },
    ...dimensions,
    ...Object.fromEntries(Object.entries(metrics).map(([name, m]) => [name, m.value])),
  };
}
