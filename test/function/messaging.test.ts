/**
 * Messaging in the composition: each region's queue and dead-letter queue, nothing that consumes
 * them, and in each region of a DR tier an alarm on the API's failed sends to the other region's
 * queue, on the metric and dimensions the API writes, notifying this region's topic by its ARN.
 */
import { compute } from "../../functions/src/blocks/compute.js";
import { events, QUEUE_VISIBILITY_TIMEOUT_SECONDS } from "../../functions/src/blocks/events.js";
import { monitoring } from "../../functions/src/blocks/monitoring.js";
import { FANOUT_FAILURE_METRIC } from "../../functions/lambda/lib/messaging-contract.js";
import { METRIC_NAMESPACE } from "../../functions/lambda/lib/metrics.js";
import { ACCOUNT, observedOf, ofKind, runBlock } from "../support/blocks.js";

const DR = { tier: "warm-standby", secondaryRegion: "us-west-2", messaging: { enabled: true } };
const REGION = { primary: "us-east-1", secondary: "us-west-2" } as const;
const topicArn = (region: string) => `arn:aws:sns:${region}:${ACCOUNT}:dr-alerts-prod01-9872f00b-${region}`;

describe("messaging", () => {
  it("composes a queue and a dead-letter queue per region and nothing that consumes them", () => {
    for (const role of ["primary", "secondary"] as const) {
      const { resources } = runBlock(events, "events", { spec: DR, role });
      expect(Object.keys(ofKind(resources, "Queue")).sort()).toEqual(["queue", "queue-dlq"]);
      expect(resources["queue"].spec.forProvider.visibilityTimeoutSeconds).toBe(QUEUE_VISIBILITY_TIMEOUT_SECONDS);
      // A consumer has six minutes before a message shows again: six one-minute attempts, as
      // Lambda's SQS guidance sizes it, where SQS's own default (30 s) redelivers mid-work.
      expect(QUEUE_VISIBILITY_TIMEOUT_SECONDS).toBe(360);
      // A message moved to the dead-letter queue keeps its first enqueue time, so the dead-letter
      // queue keeps messages the longest SQS allows (14 days), past the queue's own retention
      // (unset: SQS's default of 4 days).
      const dlq = resources["queue-dlq"].spec.forProvider;
      expect(dlq.messageRetentionSeconds).toBe(1_209_600);
      expect(dlq.messageRetentionSeconds).toBeGreaterThan(resources["queue"].spec.forProvider.messageRetentionSeconds ?? 345_600);
      expect(ofKind(resources, "EventSourceMapping")).toEqual({});
      const handlers = Object.keys(ofKind(runBlock(compute, "compute", { spec: DR, role }).resources, "Role"));
      expect(handlers.sort()).toEqual(role === "primary" ? ["role-api", "role-dr-check"] : ["role-api", "role-dr-check", "role-failover"]);
    }
  });

  it.each(["primary", "secondary"] as const)(
    "alarms in the %s on the API's failed sends to the other region, notifying its own topic by ARN",
    (role) => {
      const other = role === "primary" ? "secondary" : "primary";
      const observed = observedOf({ "alerts-topic": { arn: topicArn(REGION[role]) } }, role);
      const { resources } = runBlock(monitoring, "monitoring", { spec: DR, role, observed });
      const alarm = resources["alarm-queue-fanout-failures"].spec.forProvider;
      expect(alarm).toMatchObject({
        region: REGION[role],
        namespace: METRIC_NAMESPACE,
        metricName: FANOUT_FAILURE_METRIC,
        dimensions: { Region: REGION[role], TargetRegion: REGION[other] },
        statistic: "Sum",
        comparisonOperator: "GreaterThanOrEqualToThreshold",
        threshold: 1,
        treatMissingData: "notBreaching",
        alarmActions: [topicArn(REGION[role])],
      });
      // The dimensions are the ones the region's API writes: its own region and OTHER_QUEUE_REGION.
      const apiObserved = {
        ...observedOf({ queue: { url: `https://sqs.${REGION[role]}.amazonaws.com/${ACCOUNT}/q` } }, role),
        ...observedOf({ queue: { url: `https://sqs.${REGION[other]}.amazonaws.com/${ACCOUNT}/q` } }, other),
      };
      const api = runBlock(compute, "compute", { spec: DR, role, observed: apiObserved }).resources["function-api"];
      expect(api.spec.forProvider.environment.variables.OTHER_QUEUE_REGION).toBe(alarm.dimensions.TargetRegion);
      expect(api.spec.forProvider.region).toBe(alarm.dimensions.Region);
    },
  );

  it("waits for the topic's ARN, and has no fan-out alarm without messaging or without a second region", () => {
    const waiting = runBlock(monitoring, "monitoring", { spec: DR });
    expect(waiting.resources["alarm-queue-fanout-failures"]).toBeUndefined();
    expect(waiting.pending).toContainEqual({
      resource: "primary-alarm-queue-fanout-failures",
      reason: "waits for arn of primary-alerts-topic",
    });
    const observed = observedOf({ "alerts-topic": { arn: topicArn(REGION.primary) } });
    for (const spec of [
      { ...DR, messaging: { enabled: false } },
      { tier: "backup-restore", messaging: { enabled: true } },
    ]) {
      const { resources } = runBlock(monitoring, "monitoring", { spec, observed });
      expect({ spec, alarm: resources["alarm-queue-fanout-failures"] }).toEqual({ spec, alarm: undefined });
      expect(resources["alarm-aurora-cpu"]).toBeDefined();
    }
  });
});
