/**
 * Monitoring, judged by what the alarms do: on a settled warm-standby environment (every resource
 * emitted once AWS has answered) each alarm watches a metric that is published, for resources the
 * environment composes, and CloudWatch's evaluation (test/support/cloudwatch-alarm.ts) puts it in
 * ALARM for the failure it names and keeps it OK while healthy. The topic the alarms notify, its
 * key, the subscriptions and the dashboard are checked for what AWS needs of them.
 */
import type { Claim } from "../../functions/src/render.js";
import type { ObservedResource } from "../../functions/src/environment.js";
import { ROUTE53_METRICS_REGION } from "../../functions/src/blocks/dns.js";
import { monitoring, PRIMARY_DOWN_MINUTES } from "../../functions/src/blocks/monitoring.js";
import { primaryHealthAlarmPattern, events } from "../../functions/src/blocks/events.js";
import { METRIC_NAMESPACE } from "../../functions/lambda/lib/metrics.js";
import { FANOUT_FAILURE_METRIC } from "../../functions/lambda/lib/messaging-contract.js";
import { externalName, forProvider, ofKind, selects, settle, type Manifest, type Resources } from "../../tools/policy/index.js";
import { alarmState, steady, type Minutes } from "../support/cloudwatch-alarm.js";
import { ACCOUNT, observedOf, runBlock } from "../support/blocks.js";
import { PLANNING_FIGURES } from "../../src/recovery.js";
import { shortHash } from "../../src/naming.js";

const REGIONS = { primary: "eu-west-1", secondary: "eu-central-1" } as const;
const EMAILS = ["oncall@example.com", "Backup.Oncall@example.com"];
const claim: Claim = {
  apiVersion: "dr.platform.io/v1alpha1",
  kind: "DisasterRecoveryEnvironment",
  metadata: { name: "watch", namespace: "team-watch", uid: "0b1c2d3e-0000-4000-8000-0000000000cc" },
  spec: {
    environmentSuffix: "mon01",
    tier: "warm-standby",
    primaryRegion: REGIONS.primary,
    secondaryRegion: REGIONS.secondary,
    messaging: { enabled: true },
    alerts: { emails: EMAILS },
  },
};

const role = (r: Manifest) => r.metadata?.labels?.["dr.platform.io/region-role"] as "primary" | "secondary";
const logical = (r: Manifest) => r.metadata?.labels?.["dr.platform.io/resource"] ?? "";
const regionOf = (r: Manifest) => REGIONS[role(r)];
const otherRole = (r: Manifest) => (role(r) === "primary" ? "secondary" : "primary");
const inRole = (res: Resources, group: string, kind: string, r: string) => ofKind(res, group, kind).filter(([, m]) => role(m) === r);

let resources: Resources;
let observed: Record<string, ObservedResource>;
beforeAll(async () => {
  const settled = await settle(claim);
  expect(settled.fatal).toBeUndefined();
  resources = settled.resources;
  observed = settled.observed;
});

/** The environment's alarms on its own resources (the Route 53 health alarms are the dns block's, in us-east-1). */
const alarms = () => ofKind(resources, "cloudwatch", "MetricAlarm").filter(([, r]) => forProvider(r).namespace !== "AWS/Route53");
const alarm = (r: "primary" | "secondary", id: string) => {
  const found = alarms().find(([, m]) => role(m) === r && logical(m) === `alarm-${id}`);
  if (!found) throw new Error(`no alarm-${id} in the ${r}`);
  return forProvider(found[1]);
};

/**
 * The metrics the alarms may watch and the dimensions each is published with: AWS's (its
 * services' metric documentation) and the handlers' own (dr-check's canary in the secondary,
 * the API's failed sends to the other region's queue).
 */
const PUBLISHED: Record<string, Record<string, string[]>> = {
  "AWS/RDS": {
    CPUUtilization: ["DBClusterIdentifier"],
    FreeableMemory: ["DBClusterIdentifier"],
    AuroraGlobalDBReplicationLag: ["DBClusterIdentifier"],
  },
  "AWS/Lambda": { Errors: ["FunctionName"], Throttles: ["FunctionName"] },
  "AWS/DynamoDB": { ReadThrottleEvents: ["TableName"], WriteThrottleEvents: ["TableName"] },
  "AWS/ApiGateway": { "5XXError": ["ApiName", "Stage"], Latency: ["ApiName", "Stage"] },
  "AWS/S3": {
    ReplicationLatency: ["DestinationBucket", "RuleId", "SourceBucket"],
    OperationsFailedReplication: ["DestinationBucket", "RuleId", "SourceBucket"],
  },
  "AWS/SQS": { ApproximateNumberOfMessagesVisible: ["QueueName"] },
  [METRIC_NAMESPACE]: {
    PrimaryDatabaseAvailable: ["PrimaryRegion", "Region"],
    DynamoDBReplicationLag: ["PrimaryRegion", "Region"],
    S3ReplicationLag: ["PrimaryRegion", "Region"],
    ReplicationCheckFailures: ["PrimaryRegion", "Region"],
    [FANOUT_FAILURE_METRIC]: ["Region", "TargetRegion"],
  },
};

/** What each dimension value must name: a resource of this environment, in the alarm's region. */
function dimensionProblems(name: string, a: Manifest): string[] {
  const fp = forProvider(a);
  const here = role(a);
  const names = (group: string, kind: string, r = here, field?: string) =>
    inRole(resources, group, kind, r).map(([, m]) => (field ? forProvider(m)[field] : externalName(m)));
  const expected: Record<string, string[]> = {
    DBClusterIdentifier: names("rds", "Cluster"),
    FunctionName: names("lambda", "Function"),
    TableName: [...names("dynamodb", "Table", "primary")],
    ApiName: names("apigateway", "RestAPI", here, "name"),
    Stage: names("apigateway", "Stage", here, "stageName"),
    QueueName: inRole(resources, "sqs", "Queue", here)
      .filter(([, q]) => logical(q) === "queue-dlq")
      .map(([, q]) => forProvider(q).name),
    SourceBucket: inRole(resources, "s3", "Bucket", here)
      .filter(([, b]) => logical(b) === "bucket")
      .map(([, b]) => externalName(b)!),
    DestinationBucket: inRole(resources, "s3", "Bucket", otherRole(a))
      .filter(([, b]) => logical(b) === "bucket")
      .map(([, b]) => externalName(b)!),
    RuleId: inRole(resources, "s3", "BucketReplicationConfiguration", here).flatMap(([, c]) =>
      forProvider(c).rule.map((r: { id: string }) => r.id),
    ),
    Region: [regionOf(a)],
    TargetRegion: [REGIONS[otherRole(a)]],
    PrimaryRegion: [REGIONS.primary],
  };
  return Object.entries(fp.dimensions as Record<string, string>)
    .filter(([key, value]) => !(expected[key] ?? []).includes(value))
    .map(([key, value]) => `${name}: dimension ${key}=${value} names nothing this environment composes in ${regionOf(a)}`);
}

describe("every alarm of a settled warm-standby environment", () => {
  it("watches a published metric, with the dimensions it is published with, in its own region", () => {
    expect(alarms().length).toBeGreaterThan(20);
    for (const [name, a] of alarms()) {
      const fp = forProvider(a);
      expect({ name, region: fp.region }).toEqual({ name, region: regionOf(a) });
      const dims = PUBLISHED[fp.namespace]?.[fp.metricName];
      expect({ name, metric: `${fp.namespace} ${fp.metricName}`, dims: Object.keys(fp.dimensions ?? {}).sort() }).toEqual({
        name,
        metric: `${fp.namespace} ${fp.metricName}`,
        dims: dims ?? "a metric nobody publishes",
      });
    }
  });

  it("is named for its purpose and its owner, in its region", () => {
    for (const [name, a] of alarms()) {
      const id = logical(a).replace(/^alarm-/, "");
      expect({ name, aws: externalName(a) }).toEqual({
        name,
        aws: expect.stringMatching(new RegExp(`^dr-${id}-mon01-[0-9a-f]{8}-${regionOf(a)}$`)),
      });
    }
  });

  it("names this environment's own resources in its dimensions", () => {
    expect(alarms().flatMap(([name, a]) => dimensionProblems(name, a))).toEqual([]);
  });

  it("notifies its region's topic, by ARN on alarm and by reference on recovery", () => {
    for (const [name, a] of alarms()) {
      const fp = forProvider(a);
      const [[, topic]] = inRole(resources, "sns", "Topic", role(a));
      expect({ name, actions: fp.alarmActions }).toEqual({
        name,
        actions: [expect.stringMatching(new RegExp(`^arn:aws:sns:${regionOf(a)}:\\d{12}:`))],
      });
      const ok = fp.okActions ?? [];
      expect({ name, recovery: ok.length > 0 ? ok : selects(fp.okActionsSelector, topic) }).toEqual({
        name,
        recovery: ok.length > 0 ? fp.alarmActions : true,
      });
    }
  });
});

/** A failure each alarm exists for, and a healthy picture it must stay quiet on: samples per minute, oldest first. */
interface Scenario {
  id: string;
  roles: Array<"primary" | "secondary">;
  failing: Minutes;
  /** Within the threshold, and where the alarm sustains, a breach shorter than that. */
  healthy: Minutes[];
}
const MiB = 1024 ** 2;
const GiB = 1024 ** 3;
const SCENARIOS: Scenario[] = [
  { id: "aurora-cpu", roles: ["primary", "secondary"], failing: steady(3, 95), healthy: [steady(3, 80), [[60], [60], [95]]] },
  {
    id: "aurora-freeable-memory",
    roles: ["primary", "secondary"],
    failing: steady(3, 100 * MiB),
    healthy: [steady(3, 256 * MiB), [[GiB], [GiB], [100 * MiB]]],
  },
  { id: "lambda-api-errors", roles: ["primary", "secondary"], failing: [[0, 1]], healthy: [[[0, 0, 0]]] },
  { id: "lambda-api-throttles", roles: ["primary", "secondary"], failing: [[1]], healthy: [[[0]]] },
  { id: "lambda-dr-check-errors", roles: ["primary", "secondary"], failing: [[1]], healthy: [[[0]]] },
  { id: "lambda-dr-check-throttles", roles: ["primary", "secondary"], failing: [[1]], healthy: [[[0]]] },
  { id: "lambda-failover-errors", roles: ["secondary"], failing: [[1]], healthy: [[[0]]] },
  { id: "dynamodb-read-throttles", roles: ["primary", "secondary"], failing: [[1]], healthy: [[[0]]] },
  { id: "dynamodb-write-throttles", roles: ["primary", "secondary"], failing: [[0, 1]], healthy: [[[0]]] },
  { id: "api-5xx", roles: ["primary", "secondary"], failing: [[1, 1, 1, 1, 1]], healthy: [[[1, 1, 1, 1, 0]]] },
  {
    id: "api-latency-p99",
    roles: ["primary", "secondary"],
    // 2 of 100 requests slow: the p99 is slow, the average is not.
    failing: steady(3, undefined).map(() => [...Array(98).fill(100), 2500, 2500]),
    healthy: [steady(3, undefined).map(() => [...Array(99).fill(100), 5000]), [[100], [100], [2500]]],
  },
  // The modeled RPO is 1 s: half a second of lag is within it.
  {
    id: "aurora-global-replication-lag",
    roles: ["primary", "secondary"],
    failing: steady(5, 1500),
    healthy: [steady(5, 500), [...steady(4, 500), [1500]]],
  },
  // Replication Time Control promises 15 minutes; ten minutes is within it. Judged over five minutes.
  { id: "s3-replication-latency", roles: ["primary", "secondary"], failing: [[1000], ...steady(4, 60)], healthy: [steady(5, 600)] },
  { id: "s3-replication-failures", roles: ["primary", "secondary"], failing: [[1], ...steady(4, 0)], healthy: [steady(5, 0)] },
  { id: "queue-dead-letters", roles: ["primary", "secondary"], failing: [[0, 1]], healthy: [[[0]]] },
  { id: "queue-fanout-failures", roles: ["primary", "secondary"], failing: [[1]], healthy: [[[0]]] },
  // The canary in the secondary: lag allowances of one canary run beyond what replication promises.
  { id: "canary-dynamodb-lag", roles: ["secondary"], failing: steady(3, 200), healthy: [steady(3, 170), [[170], [170], [200]]] },
  { id: "canary-s3-lag", roles: ["secondary"], failing: steady(3, 1100), healthy: [steady(3, 950), [[950], [950], [1100]]] },
  { id: "canary-check-failures", roles: ["secondary"], failing: steady(3, 1), healthy: [steady(3, 0), [[0], [0], [1]]] },
];

describe.each(SCENARIOS.map((s) => [s.id, s] as const))("alarm-%s", (id, scenario) => {
  it.each(scenario.roles)("in the %s alarms on its failure and stays OK while healthy", (r) => {
    const fields = alarm(r, id);
    expect({ id, failing: alarmState(fields, scenario.failing) }).toEqual({ id, failing: "ALARM" });
    for (const healthy of scenario.healthy)
      expect({ id, healthy, state: alarmState(fields, healthy) }).toEqual({ id, healthy, state: "OK" });
    // Missing data is no failure: a quiet period (no requests, no messages) keeps these alarms OK.
    expect({ id, quiet: alarmState(fields, steady(10, undefined), "ALARM") }).toEqual({ id, quiet: "OK" });
  });
});

describe("the primary-down alarm the orchestrator acts on", () => {
  const down = () => alarm("secondary", "primary-database-down");

  it("alarms only after the canary saw the primary database down for the sustained minutes, every one of them", () => {
    expect(down().period * down().evaluationPeriods).toBe(PLANNING_FIGURES.automaticPromotionSustainSeconds);
    expect(PRIMARY_DOWN_MINUTES * 60).toBe(PLANNING_FIGURES.automaticPromotionSustainSeconds);
    expect(alarmState(down(), steady(PRIMARY_DOWN_MINUTES, 0))).toBe("ALARM");
    expect(alarmState(down(), [...steady(PRIMARY_DOWN_MINUTES - 1, 0), [1]])).toBe("OK");
    expect(alarmState(down(), [[1], ...steady(PRIMARY_DOWN_MINUTES - 1, 0)])).toBe("OK");
    expect(alarmState(down(), steady(PRIMARY_DOWN_MINUTES, 1))).toBe("OK");
  });

  it("takes a canary that stopped reporting as no evidence either way: never OK, never ALARM", () => {
    expect(alarmState(down(), steady(PRIMARY_DOWN_MINUTES, undefined), "ALARM")).toBe("INSUFFICIENT_DATA");
  });

  it("is the alarm the secondary's EventBridge rule hands to the orchestrator, and exists only there", () => {
    const [[, secondary]] = ofKind(resources, "cloudwatch", "MetricAlarm").filter(
      ([, a]) => role(a) === "secondary" && logical(a) === "alarm-primary-database-down",
    );
    const [[, rule]] = inRole(resources, "cloudwatchevents", "Rule", "secondary").filter(
      ([, r]) => logical(r) === "rule-primary-health-alarm",
    );
    const pattern = JSON.parse(forProvider(rule).eventPattern);
    expect(pattern.detail.alarmName).toEqual([externalName(secondary)]);
    expect(pattern.detail.state.value).toEqual(["ALARM"]);
    expect(
      alarms()
        .filter(([, a]) => logical(a) === "alarm-primary-database-down")
        .map(([, a]) => role(a)),
    ).toEqual(["secondary"]);
    expect(alarms().filter(([, a]) => logical(a).startsWith("alarm-canary-") && role(a) !== "secondary")).toEqual([]);
  });
});

describe("the alerts topic", () => {
  it("is encrypted with a rotated key of its own, which CloudWatch and EventBridge may use and the account administers", () => {
    for (const r of ["primary", "secondary"] as const) {
      const [[, key]] = inRole(resources, "kms", "Key", r).filter(([, k]) => logical(k) === "alerts-key");
      const [[, alias]] = inRole(resources, "kms", "Alias", r).filter(([, k]) => logical(k) === "alerts-key-alias");
      const [[, topic]] = inRole(resources, "sns", "Topic", r);
      expect(forProvider(key)).toMatchObject({ region: REGIONS[r], enableKeyRotation: true, deletionWindowInDays: 30 });
      expect(selects(forProvider(alias).targetKeyIdSelector, key)).toBe(true);
      expect(forProvider(alias).region).toBe(REGIONS[r]);
      expect(forProvider(topic)).toMatchObject({ region: REGIONS[r], kmsMasterKeyId: `alias/${externalName(alias)}` });
      expect(externalName(alias)).toMatch(new RegExp(`^dr-alerts-mon01-[0-9a-f]{8}-${REGIONS[r]}$`));
      expect(externalName(topic)).toBe(externalName(alias));

      const policy = JSON.parse(forProvider(key).policy) as { Statement: Array<Record<string, any>> };
      const allows = (principal: Record<string, unknown>, action: string) =>
        policy.Statement.some(
          (s) =>
            s.Effect === "Allow" &&
            Object.entries(principal).every(([k, v]) => [s.Principal?.[k]].flat().includes(v)) &&
            [s.Action].flat().some((a: string) => a === action || (a.endsWith("*") && action.startsWith(a.slice(0, -1)))) &&
            s.Resource === "*",
        );
      expect(allows({ AWS: `arn:aws:iam::${ACCOUNT}:root` }, "kms:PutKeyPolicy")).toBe(true);
      for (const service of ["cloudwatch.amazonaws.com", "events.amazonaws.com"]) {
        expect({ service, decrypt: allows({ Service: service }, "kms:Decrypt") }).toEqual({ service, decrypt: true });
        expect({ service, dataKey: allows({ Service: service }, "kms:GenerateDataKey") }).toEqual({ service, dataKey: true });
      }
      expect(allows({ Service: "cloudwatch.amazonaws.com" }, "kms:PutKeyPolicy")).toBe(false);
    }
  });

  it("keeps AWS's default key policy until the account id is observed, and then names that account", () => {
    const before = runBlock(monitoring, "monitoring").resources["alerts-key"].spec.forProvider;
    expect(before.policy).toBeUndefined();
    const withoutAccount = observedOf({ vpc: { arn: "arn:aws:ec2:us-east-1::vpc/vpc-1" } });
    expect(
      runBlock(monitoring, "monitoring", { observed: withoutAccount }).resources["alerts-key"].spec.forProvider.policy,
    ).toBeUndefined();
    const observed = observedOf({ vpc: { arn: "arn:aws:ec2:us-east-1:210987654321:vpc/vpc-1" } });
    const policy = JSON.parse(runBlock(monitoring, "monitoring", { observed }).resources["alerts-key"].spec.forProvider.policy);
    expect(policy.Statement[0].Principal).toEqual({ AWS: "arn:aws:iam::210987654321:root" });
  });

  it("has one email subscription per address, named by the address whatever its case or place in the list", () => {
    for (const r of ["primary", "secondary"] as const) {
      const [[, topic]] = inRole(resources, "sns", "Topic", r);
      const subs = inRole(resources, "sns", "TopicSubscription", r).map(([, s]) => forProvider(s));
      expect(subs.map((s) => s.endpoint).sort()).toEqual([...EMAILS].sort());
      for (const s of subs) {
        expect(s).toMatchObject({ region: REGIONS[r], protocol: "email" });
        expect(selects(s.topicArnSelector, topic)).toBe(true);
      }
    }
    const keys = (emails: string[]) =>
      Object.keys(runBlock(monitoring, "monitoring", { spec: { alerts: { emails } } }).resources).filter((k) =>
        k.startsWith("alerts-subscription-"),
      );
    expect(keys([...EMAILS].reverse()).sort()).toEqual(keys(EMAILS).sort());
    expect(keys(["OnCall@Example.com"])).toEqual(keys(["oncall@example.com"]));
    expect(new Set(keys(EMAILS)).size).toBe(2);
    // The composed name of an existing subscription never changes: a new one would ask to be confirmed again.
    expect(keys(["oncall@example.com"])).toEqual([`alerts-subscription-${shortHash("oncall@example.com")}`]);
  });

  it("is what every alarm waits for: no alarm until its ARN is observed", () => {
    const waiting = runBlock(monitoring, "monitoring");
    expect(Object.values<any>(waiting.resources).filter((r) => r.kind === "MetricAlarm")).toEqual([]);
    expect(waiting.pending).toContainEqual({ resource: "primary-alarm-aurora-cpu", reason: "waits for arn of primary-alerts-topic" });
    const canary = runBlock(monitoring, "monitoring", { spec: { tier: "pilot-light", secondaryRegion: "us-west-2" }, role: "secondary" });
    expect(canary.pending).toContainEqual({
      resource: "secondary-alarm-primary-database-down",
      reason: "waits for arn of secondary-alerts-topic",
    });
    expect(canary.resources["alarm-primary-database-down"]).toBeUndefined();
  });
});

describe("the dashboard", () => {
  interface Widget {
    type: string;
    x: number;
    y: number;
    width: number;
    height: number;
    properties: {
      title: string;
      region: string;
      view: string;
      stat: string;
      metrics: string[][];
      annotations: { horizontal: Array<{ value: number }> };
    };
  }
  const widgetsOf = (r: "primary" | "secondary") => {
    const [[, dashboard]] = inRole(resources, "cloudwatch", "Dashboard", r);
    expect(forProvider(dashboard).region).toBe(REGIONS[r]);
    expect(externalName(dashboard)).toMatch(new RegExp(`^dr-dashboard-mon01-[0-9a-f]{8}-${REGIONS[r]}$`));
    return JSON.parse(forProvider(dashboard).dashboardBody).widgets as Widget[];
  };

  it.each(["primary", "secondary"] as const)(
    "in the %s graphs each regional alarm's metric, statistic and threshold, on the grid without overlap",
    (r) => {
      const widgets = widgetsOf(r);
      const regional = alarms().filter(([, a]) => role(a) === r && !forProvider(a).datapointsToAlarm);
      expect(widgets.length).toBe(regional.length);
      const cells = new Set<string>();
      for (const w of widgets) {
        expect(w).toMatchObject({ type: "metric", properties: { region: REGIONS[r], view: "timeSeries" } });
        // CloudWatch's grid is 24 columns wide.
        expect([w.x, w.y, w.width, w.height].every(Number.isInteger)).toBe(true);
        expect(w.x >= 0 && w.width > 0 && w.x + w.width <= 24 && w.y >= 0 && w.height > 0).toBe(true);
        for (let x = w.x; x < w.x + w.width; x++)
          for (let y = w.y; y < w.y + w.height; y++) {
            expect(cells.has(`${x},${y}`)).toBe(false);
            cells.add(`${x},${y}`);
          }
        const match = regional.map(([, a]) => forProvider(a)).find((a) => a.alarmDescription === w.properties.title);
        expect(match).toBeDefined();
        expect(w.properties.metrics).toEqual([[match!.namespace, match!.metricName, ...Object.entries(match!.dimensions).flat()]]);
        expect(w.properties.stat).toBe(match!.extendedStatistic ?? match!.statistic);
        expect(w.properties.annotations.horizontal).toEqual([{ value: match!.threshold, label: "alarm" }]);
      }
      // Two to a row, in the alarms' order: every row but the last is full, and no row is left empty.
      const rows = [...new Set(widgets.map((w) => w.y))].sort((a, b) => a - b);
      expect(rows.length).toBe(Math.ceil(widgets.length / 2));
      rows.slice(0, -1).forEach((y, i) => {
        expect(widgets.filter((w) => w.y === y).map((w) => w.properties.title)).toEqual([
          widgets[2 * i].properties.title,
          widgets[2 * i + 1].properties.title,
        ]);
      });
      expect(rows.every((y, i) => i === 0 || y === rows[i - 1] + widgets[0].height)).toBe(true);
    },
  );
});

describe("a single-region environment", () => {
  it("has no alarm on replication or on a canary: there is no replica to fall behind", () => {
    const observed = observedOf({ "alerts-topic": { arn: `arn:aws:sns:us-east-1:${ACCOUNT}:alerts` } });
    const { resources } = runBlock(monitoring, "monitoring", { spec: { messaging: { enabled: true } }, observed });
    const ids = Object.keys(resources).filter((k) => k.startsWith("alarm-"));
    expect(ids).toContain("alarm-aurora-cpu");
    expect(ids.filter((k) => /replication|canary|primary-database|fanout/.test(k))).toEqual([]);
  });
});

describe("the events block and the alarms agree", () => {
  it("on the primary-down alarm's name in every DR tier", () => {
    for (const tier of ["pilot-light", "warm-standby"]) {
      const spec = { tier, secondaryRegion: "us-west-2" };
      const observed = observedOf({ "alerts-topic": { arn: `arn:aws:sns:us-west-2:${ACCOUNT}:alerts` } }, "secondary");
      const mon = runBlock(monitoring, "monitoring", { spec, role: "secondary", observed });
      const ev = runBlock(events, "events", { spec, role: "secondary" });
      const name = mon.resources["alarm-primary-database-down"].metadata.annotations["crossplane.io/external-name"];
      expect(JSON.parse(ev.resources["rule-primary-health-alarm"].spec.forProvider.eventPattern)).toEqual(
        primaryHealthAlarmPattern(ev.scope),
      );
      expect(primaryHealthAlarmPattern(ev.scope)).toMatchObject({ detail: { alarmName: [name] } });
    }
  });
});

describe("the Route 53 health alarms (dns block)", () => {
  const healthAlarms = () => ofKind(resources, "cloudwatch", "MetricAlarm").filter(([, a]) => logical(a) === "health-check-alarm");

  it("watch each region's own health check where Route 53 publishes its metrics", () => {
    expect(
      healthAlarms()
        .map(([, a]) => role(a))
        .sort(),
    ).toEqual(["primary", "secondary"]);
    for (const [name, a] of healthAlarms()) {
      const [[checkName]] = inRole(resources, "route53", "HealthCheck", role(a));
      expect({ name, fp: forProvider(a) }).toMatchObject({
        name,
        fp: {
          region: ROUTE53_METRICS_REGION,
          namespace: "AWS/Route53",
          metricName: "HealthCheckStatus",
          dimensions: { HealthCheckId: observed[checkName].status?.atProvider?.id },
        },
      });
      expect(externalName(a)).toMatch(new RegExp(`^dr-health-mon01-[0-9a-f]{8}-${regionOf(a)}$`));
    }
  });

  it("alarm within a minute of the checkers seeing GET /health fail, stay OK while it answers and while no data comes", () => {
    for (const [name, a] of healthAlarms()) {
      const fields = forProvider(a);
      // HealthCheckStatus is 1 (healthy) or 0 per checker report.
      expect({ name, state: alarmState(fields, [[1, 1, 0, 1]]) }).toEqual({ name, state: "ALARM" });
      expect({ name, state: alarmState(fields, [[1, 1, 1, 1]]) }).toEqual({ name, state: "OK" });
      expect({ name, state: alarmState(fields, [[0], [1, 1]]) }).toEqual({ name, state: "OK" });
      expect({ name, state: alarmState(fields, steady(5, undefined), "ALARM") }).toEqual({ name, state: "OK" });
      // No actions: the topics may be in other regions; EventBridge carries the state change.
      expect({ name, actions: fields.alarmActions ?? fields.alarmActionsSelector }).toEqual({ name, actions: undefined });
    }
  });
});
