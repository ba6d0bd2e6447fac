/**
 * Safety-relevant fields that only a golden diff used to guard, asserted as behaviour: each row
 * names the resources it reads, the value the field must have for the claim below, and why. The
 * claim uses non-default values wherever a field follows the spec, so a block that ignores the
 * spec (and uses the default) fails here, not only in a regenerated golden file.
 */
import type { Claim } from "../../functions/src/render.js";
import { ofKind, settle, type Manifest, type Resources } from "../../tools/policy/index.js";

const SPEC = {
  environmentSuffix: "saf01",
  tier: "warm-standby",
  primaryRegion: "eu-west-1",
  secondaryRegion: "eu-central-1",
  database: { backupRetentionDays: 21 },
  failover: { healthCheckIntervalSeconds: 30, failureThreshold: 5, activeRegion: "primary" },
  dns: { hostedZoneId: "Z0123456789SAFETY00001", zoneName: "safety.example.com", hostname: "api.safety.example.com" },
  messaging: { enabled: true },
  alerts: { emails: ["oncall@example.com"] },
  protection: true,
};
const claim: Claim = {
  apiVersion: "dr.platform.io/v1alpha1",
  kind: "DisasterRecoveryEnvironment",
  metadata: { name: "safety", namespace: "team-safety", uid: "0b1c2d3e-0000-4000-8000-0000000000aa" },
  spec: SPEC,
};

const fp = (r: Manifest) => r.spec?.forProvider ?? {};
const role = (r: Manifest) => r.metadata?.labels?.["dr.platform.io/region-role"];

interface FieldRule {
  what: string;
  why: string;
  /** The resources the rule judges; it fails when there are none. */
  select: (res: Resources) => Array<[string, Manifest]>;
  /** The field's value for one resource, and the value it must have. */
  actual: (r: Manifest) => unknown;
  expected: (r: Manifest) => unknown;
}

const RULES: FieldRule[] = [
  {
    what: "the failover records are alias A records for spec.dns.hostname",
    why: "a record for another name, or a CNAME onto execute-api, leaves clients with nothing that serves the hostname",
    select: (res) => ofKind(res, "route53", "Record").filter(([, r]) => fp(r).failoverRoutingPolicy),
    actual: (r) => [fp(r).name, fp(r).type, typeof fp(r).alias?.name === "string", fp(r).ttl, fp(r).records],
    expected: () => [SPEC.dns.hostname, "A", true, undefined, undefined],
  },
  {
    what: "the failover records route the active region first and fail over on its health check",
    why: "a swapped role or a record without its health check never fails over",
    select: (res) => ofKind(res, "route53", "Record").filter(([, r]) => fp(r).failoverRoutingPolicy),
    actual: (r) => ({ policy: fp(r).failoverRoutingPolicy, checked: Boolean(fp(r).healthCheckIdSelector) }),
    expected: (r) => ({ policy: { type: role(r) === "primary" ? "PRIMARY" : "SECONDARY" }, checked: true }),
  },
  {
    what: "health checks probe at spec.failover.healthCheckIntervalSeconds and fail after failureThreshold",
    why: "the claim's detection time is what the recovery objectives are modeled on",
    select: (res) => ofKind(res, "route53", "HealthCheck"),
    actual: (r) => [fp(r).requestInterval, fp(r).failureThreshold, fp(r).type, fp(r).port],
    expected: () => [SPEC.failover.healthCheckIntervalSeconds, SPEC.failover.failureThreshold, "HTTPS", 443],
  },
  {
    what: "the health alarms treat missing data as not breaching",
    why: "they trigger a failover that may lose data: only failures the checkers saw may move the writer",
    select: (res) => ofKind(res, "cloudwatch", "MetricAlarm").filter(([, r]) => fp(r).namespace === "AWS/Route53"),
    actual: (r) => fp(r).treatMissingData,
    expected: () => "notBreaching",
  },
  {
    what: "every other alarm notifies the region's topic, on alarm and on recovery",
    why: "an alarm without actions pages nobody",
    select: (res) => ofKind(res, "cloudwatch", "MetricAlarm").filter(([, r]) => fp(r).namespace !== "AWS/Route53"),
    actual: (r) => [Boolean(fp(r).alarmActionsSelector ?? fp(r).alarmActions), Boolean(fp(r).okActionsSelector ?? fp(r).okActions)],
    expected: () => [true, true],
  },
  {
    what: "Aurora keeps automated backups for spec.database.backupRetentionDays",
    why: "point-in-time recovery reaches back only as far as the retention",
    select: (res) => ofKind(res, "rds", "Cluster").filter(([, r]) => role(r) === "primary"),
    actual: (r) => fp(r).backupRetentionPeriod,
    expected: () => SPEC.database.backupRetentionDays,
  },
  {
    what: "AWS Backup keeps recovery points (and their copies) for spec.database.backupRetentionDays",
    why: "a shorter lifecycle deletes the backups the claim asked to keep",
    select: (res) => ofKind(res, "backup", "Plan"),
    actual: (r) =>
      (fp(r).rule as Array<Record<string, any>>).flatMap((rule) => [
        rule.lifecycle?.deleteAfter,
        ...(rule.copyAction ?? []).map((c: Record<string, any>) => c.lifecycle?.deleteAfter),
      ]),
    expected: (r) =>
      (fp(r).rule as Array<Record<string, any>>).flatMap((rule) => [
        SPEC.database.backupRetentionDays,
        ...(rule.copyAction ?? []).map(() => SPEC.database.backupRetentionDays),
      ]),
  },
  {
    what: "the table streams new and old images",
    why: "the global table replica is fed from the stream",
    select: (res) => ofKind(res, "dynamodb", "Table"),
    actual: (r) => [fp(r).streamEnabled, fp(r).streamViewType],
    expected: () => [true, "NEW_AND_OLD_IMAGES"],
  },
  {
    what: "protected queues and their dead-letter queues are kept when the environment goes",
    why: "they hold messages not yet processed",
    select: (res) => ofKind(res, "sqs", "Queue"),
    actual: (r) => r.spec?.deletionPolicy,
    expected: () => "Orphan",
  },
  {
    what: "every queue's undeliverable messages go to the region's dead-letter queue",
    why: "a poisoned message would otherwise be retried until it expires, and be lost",
    select: (res) => ofKind(res, "sqs", "QueueRedrivePolicy"),
    actual: (r) => {
      const policy = JSON.parse(String(fp(r).redrivePolicy ?? "{}")) as { deadLetterTargetArn?: string; maxReceiveCount?: number };
      return [
        typeof policy.deadLetterTargetArn === "string" && policy.deadLetterTargetArn.startsWith("arn:aws:sqs:"),
        policy.maxReceiveCount! > 0,
      ];
    },
    expected: () => [true, true],
  },
];

let resources: Resources;
beforeAll(async () => {
  const settled = await settle(claim);
  expect(settled.fatal).toBeUndefined();
  resources = settled.resources;
});

describe.each(RULES.map((r) => [r.what, r] as const))("%s", (_what, rule) => {
  it(`holds on every resource it covers (${rule.why})`, () => {
    const selected = rule.select(resources);
    expect(selected.length).toBeGreaterThan(0);
    for (const [name, r] of selected) expect({ name, value: rule.actual(r) }).toEqual({ name, value: rule.expected(r) });
  });
});
