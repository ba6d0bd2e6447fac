import { events, RULES } from "../../functions/src/blocks/events.js";
import { PRIMARY_DOWN_ALARM } from "../../functions/src/blocks/names.js";
import { INSTANCE_CREATED_EVENT } from "../../functions/lambda/lib/failover-contract.js";
import { parseTrigger, writerInstanceId } from "../../functions/lambda/failover.js";
import { matches } from "../support/event-pattern.js";
import { api } from "../../functions/src/blocks/api.js";
import { ACCOUNT, observedOf, ofKind, runBlock } from "../support/blocks.js";

const FUNCTION_ARN = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:dr-dr-check-prod01-9872f00b-us-east-1`;
const ruleArn = (id: string) => `arn:aws:events:us-east-1:${ACCOUNT}:rule/dr-${id}-prod01-9872f00b-us-east-1`;
/** The primary runs the DR check's rules only; the failover rules are the secondary's. */
const DR_CHECK_RULES = RULES.filter((r) => r.target === "dr-check");
/** A single-region environment (the default claim here) has no per-minute probe of a primary. */
const PRIMARY_RULES = DR_CHECK_RULES.filter((r) => r.id !== "dr-check-probe");
const OBSERVED = {
  "function-dr-check": { arn: FUNCTION_ARN },
  ...Object.fromEntries(PRIMARY_RULES.map((r) => [`rule-${r.id}`, { arn: ruleArn(r.id) }])),
};

describe("events block", () => {
  it("runs the DR check on the claim's schedule", () => {
    const { resources } = runBlock(events, "events", { spec: { events: { schedule: "cron(0/15 * * * ? *)" } } });
    expect(resources["rule-dr-check-schedule"].spec.forProvider).toMatchObject({
      scheduleExpression: "cron(0/15 * * * ? *)",
      state: "ENABLED",
    });
    expect(resources["rule-dr-check-schedule"].metadata.annotations["crossplane.io/external-name"]).toBe(
      "dr-dr-check-schedule-prod01-9872f00b-us-east-1",
    );
    expect(runBlock(events, "events").resources["rule-dr-check-schedule"].spec.forProvider.scheduleExpression).toBe("rate(5 minutes)");
  });

  it("reacts to this environment's Aurora cluster events and to AWS Health issues", () => {
    const { resources } = runBlock(events, "events");
    const aurora = JSON.parse(resources["rule-aurora-events"].spec.forProvider.eventPattern);
    expect(aurora).toMatchObject({ source: ["aws.rds"], detail: { SourceIdentifier: ["dr-aurora-prod01-9872f00b-us-east-1"] } });
    expect(JSON.parse(resources["rule-health-events"].spec.forProvider.eventPattern).source).toEqual(["aws.health"]);
    for (const rule of Object.values<any>(ofKind(resources, "Rule"))) {
      expect(rule.spec.forProvider.scheduleExpression === undefined).not.toBe(rule.spec.forProvider.eventPattern === undefined);
      expect(rule.spec.forProvider.tags).toMatchObject({ "dr.platform.io/environment": "prod01", Name: expect.stringContaining("prod01") });
    }
  });

  it("waits for the function's and rules' ARNs before targets and permissions exist", () => {
    const { resources, pending } = runBlock(events, "events");
    expect(ofKind(resources, "Target")).toEqual({});
    expect(ofKind(resources, "Permission")).toEqual({});
    expect(pending.map((p) => p.resource)).toEqual(
      expect.arrayContaining(["primary-rule-dr-check-schedule-target", "primary-rule-dr-check-schedule-permission"]),
    );
  });

  it("targets the function and lets each rule, and only that rule, invoke it", () => {
    const { resources } = runBlock(events, "events", { observed: observedOf(OBSERVED) });
    for (const rule of PRIMARY_RULES) {
      const target = resources[`rule-${rule.id}-target`].spec.forProvider;
      expect(target).toMatchObject({
        arn: FUNCTION_ARN,
        targetId: "dr-check",
        ruleSelector: { matchLabels: { "dr.platform.io/resource": `rule-${rule.id}` } },
      });
      expect(resources[`rule-${rule.id}-permission`].spec.forProvider).toMatchObject({
        principal: "events.amazonaws.com",
        action: "lambda:InvokeFunction",
        sourceArn: ruleArn(rule.id),
        functionNameSelector: { matchLabels: { "dr.platform.io/resource": "function-dr-check" } },
      });
    }
  });

  it("composes only rules whose handler the region runs", () => {
    const spec = { tier: "pilot-light", secondaryRegion: "us-west-2" };
    const { resources } = runBlock(events, "events", { spec, role: "secondary" });
    // Every failover rule lives in the secondary itself: nothing in us-east-1 or the primary's region.
    expect(Object.keys(ofKind(resources, "Rule")).sort()).toEqual(RULES.map((r) => `rule-${r.id}`).sort());
    for (const rule of Object.values<any>(ofKind(resources, "Rule"))) expect(rule.spec.forProvider.region).toBe("us-west-2");
    expect(Object.keys(ofKind(runBlock(events, "events", { spec }).resources, "Rule")).sort()).toEqual(
      DR_CHECK_RULES.map((r) => `rule-${r.id}`).sort(),
    );
    expect(Object.keys(ofKind(runBlock(events, "events").resources, "Rule")).sort()).toEqual(
      PRIMARY_RULES.map((r) => `rule-${r.id}`).sort(),
    );
  });
});

describe("Lambda permissions across blocks", () => {
  it("never make a function publicly invocable: each names a service principal and a source ARN", () => {
    const observed = observedOf({
      ...OBSERVED,
      "rest-api": { executionArn: `arn:aws:execute-api:us-east-1:${ACCOUNT}:a1b2c3d4e5` },
    });
    const permissions = [events, api].flatMap((block) =>
      Object.values<any>(ofKind(runBlock(block, block.name, { observed }).resources, "Permission")),
    );
    expect(permissions.length).toBe(PRIMARY_RULES.length + 2);
    for (const { spec } of permissions) {
      expect(spec.forProvider.principal).toMatch(/^(apigateway|events)\.amazonaws\.com$/);
      expect(spec.forProvider.sourceArn).toMatch(new RegExp(`^arn:aws:(execute-api|events):us-east-1:${ACCOUNT}:`));
      expect(spec.forProvider.sourceArn).not.toMatch(/:\*$/);
    }
  });

  it("give each function's grants distinct statement ids that Lambda accepts", () => {
    const observed = observedOf({
      ...OBSERVED,
      "rest-api": { executionArn: `arn:aws:execute-api:us-east-1:${ACCOUNT}:a1b2c3d4e5` },
    });
    const byFunction = new Map<string, string[]>();
    for (const block of [events, api])
      for (const { spec } of Object.values<any>(ofKind(runBlock(block, block.name, { observed }).resources, "Permission"))) {
        const fn = JSON.stringify(spec.forProvider.functionNameSelector);
        byFunction.set(fn, [...(byFunction.get(fn) ?? []), spec.forProvider.statementId]);
      }
    expect(byFunction.size).toBeGreaterThan(1);
    for (const ids of byFunction.values()) {
      // AddPermission: StatementId matches ([a-zA-Z0-9-_]+), 1-100 characters, and one already in
      // the function's policy is a ResourceConflictException.
      for (const id of ids) expect(id).toMatch(/^[a-zA-Z0-9_-]{1,100}$/);
      expect(new Set(ids).size).toBe(ids.length);
    }
  });
});

/**
 * The rules judged by the events they match (EventBridge's matching, test/support/event-pattern.ts),
 * in the events' shape as AWS sends them, and the failover rules by what the orchestrator makes of
 * what they let through (its own parseTrigger).
 */
describe("event rules, by the events they match", () => {
  const DR_SPEC = { tier: "pilot-light", secondaryRegion: "us-west-2" };
  const secondary = () => runBlock(events, "events", { spec: DR_SPEC, role: "secondary" });
  const patternOf = (run: ReturnType<typeof runBlock>, id: string) =>
    JSON.parse(run.resources[`rule-${id}`].spec.forProvider.eventPattern) as Record<string, unknown>;
  const CLUSTER = "dr-aurora-prod01-9872f00b-us-west-2";
  const awsEvent = (source: string, detailType: string, detail: Record<string, unknown>) => ({
    version: "0",
    id: "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
    "detail-type": detailType,
    source,
    account: ACCOUNT,
    time: "2026-12-01T10:00:00Z",
    region: "us-west-2",
    resources: [],
    detail,
  });
  const clusterEvent = (cluster: string, categories: string[], eventId = "RDS-EVENT-0071") =>
    awsEvent("aws.rds", "RDS DB Cluster Event", {
      EventCategories: categories,
      SourceType: "CLUSTER",
      SourceIdentifier: cluster,
      EventID: eventId,
      Message: "A failover for the DB cluster has completed.",
    });
  const instanceEvent = (instance: string, eventId: string) =>
    awsEvent("aws.rds", "RDS DB Instance Event", {
      EventCategories: ["creation"],
      SourceType: "DB_INSTANCE",
      SourceIdentifier: instance,
      EventID: eventId,
    });
  const alarmEvent = (alarmName: string, state: string) =>
    awsEvent("aws.cloudwatch", "CloudWatch Alarm State Change", {
      alarmName,
      state: { value: state, reason: "Threshold Crossed" },
      previousState: { value: state === "ALARM" ? "OK" : "ALARM" },
    });
  const healthEvent = (service: string, category: string) =>
    awsEvent("aws.health", "AWS Health Event", {
      service,
      eventTypeCategory: category,
      eventTypeCode: `AWS_${service}_OPERATIONAL_ISSUE`,
    });

  it("checks again when this environment's cluster fails over or fails, and not for other clusters or routine events", () => {
    const pattern = patternOf(secondary(), "aurora-events");
    for (const category of ["failover", "failure", "global-failover"])
      expect({ category, match: matches(pattern, clusterEvent(CLUSTER, [category])) }).toEqual({ category, match: true });
    expect(matches(pattern, clusterEvent("dr-aurora-other01-0000aaaa-us-west-2", ["failover"]))).toBe(false);
    expect(matches(pattern, clusterEvent(CLUSTER, ["notification"]))).toBe(false);
    expect(matches(pattern, instanceEvent(CLUSTER, "RDS-EVENT-0071"))).toBe(false);
  });

  it("checks again on AWS Health issues of the services the environment uses, not on scheduled changes", () => {
    const pattern = patternOf(secondary(), "health-events");
    for (const service of ["APIGATEWAY", "DYNAMODB", "EC2", "LAMBDA", "RDS", "S3"])
      expect({ service, match: matches(pattern, healthEvent(service, "issue")) }).toEqual({ service, match: true });
    expect(matches(pattern, healthEvent("RDS", "scheduledChange"))).toBe(false);
    expect(matches(pattern, healthEvent("REDSHIFT", "issue"))).toBe(false);
  });

  it("hands the orchestrator the primary-down alarm going into ALARM, which it takes as an alarm", () => {
    const run = secondary();
    const pattern = patternOf(run, "primary-health-alarm");
    const name = run.scope.name(PRIMARY_DOWN_ALARM, true);
    expect(matches(pattern, alarmEvent(name, "ALARM"))).toBe(true);
    expect(parseTrigger(alarmEvent(name, "ALARM"))).toMatchObject({ kind: "alarm", alarmName: name, via: "eventbridge" });
    // The orchestrator would ignore these: the rule does not invoke it for them.
    expect(matches(pattern, alarmEvent(name, "OK"))).toBe(false);
    expect(matches(pattern, alarmEvent(run.scope.name("aurora-cpu", true), "ALARM"))).toBe(false);
    expect(parseTrigger(alarmEvent(name, "OK"))).toMatchObject({ kind: "ignored" });
  });

  it("resumes a promotion when the writer the orchestrator adds is created, and only then", () => {
    const pattern = patternOf(secondary(), "writer-created");
    const writer = writerInstanceId(CLUSTER);
    expect(matches(pattern, instanceEvent(writer, INSTANCE_CREATED_EVENT))).toBe(true);
    expect(parseTrigger(instanceEvent(writer, INSTANCE_CREATED_EVENT))).toEqual({ kind: "writer-available", instanceId: writer });
    expect(matches(pattern, instanceEvent(writer, "RDS-EVENT-0006"))).toBe(false);
    expect(matches(pattern, instanceEvent(`${CLUSTER}-2`, INSTANCE_CREATED_EVENT))).toBe(false);
    expect(matches(pattern, clusterEvent(writer, ["creation"], INSTANCE_CREATED_EVENT))).toBe(false);
  });

  it("runs the DR tiers' probe every minute, the period of the primary-down alarm's data points", () => {
    const rule = secondary().resources["rule-dr-check-probe"].spec.forProvider;
    expect(rule).toMatchObject({ scheduleExpression: "rate(1 minute)", state: "ENABLED", region: "us-west-2" });
    expect(rule.eventPattern).toBeUndefined();
  });

  it("retries a failed delivery for at most an hour, so a stale alarm never reaches the orchestrator hours later", () => {
    const observed = observedOf(
      { "function-failover": { arn: `arn:aws:lambda:us-west-2:${ACCOUNT}:function:failover` }, "function-dr-check": { arn: FUNCTION_ARN } },
      "secondary",
    );
    const { resources } = runBlock(events, "events", { spec: DR_SPEC, role: "secondary", observed });
    const targets = Object.values<any>(ofKind(resources, "Target"));
    expect(targets.length).toBe(RULES.length);
    for (const target of targets) {
      const { retryPolicy } = target.spec.forProvider;
      expect(retryPolicy.maximumEventAgeInSeconds).toBeLessThanOrEqual(3600);
      expect(retryPolicy.maximumRetryAttempts).toBeGreaterThan(0);
      expect(retryPolicy.maximumRetryAttempts).toBeLessThan(185);
    }
  });
});

describe("the declarative switchover", () => {
  const spec = { tier: "warm-standby", secondaryRegion: "us-west-2", failover: { activeRegion: "secondary" } };
  const ready = {
    ...observedOf({ "aurora-cluster": { arn: "arn:primary-cluster" } }, "primary"),
    ...observedOf(
      {
        "aurora-cluster": { arn: "arn:secondary-cluster" },
        "aurora-instance-1": { arn: "arn:secondary-writer" },
        "function-failover": { arn: "arn:failover" },
      },
      "secondary",
    ),
  };

  it("invokes the orchestrator once, on creation, with a planned switchover to the active region", () => {
    const { resources } = runBlock(events, "events", { spec, role: "secondary", observed: ready });
    const invocation = resources["switchover-to-secondary"].spec.forProvider;
    expect(invocation).toMatchObject({ region: "us-west-2", lifecycleScope: "CREATE_ONLY" });
    expect(invocation.functionNameSelector.matchLabels["dr.platform.io/resource"]).toBe("function-failover");
    expect(parseTrigger(JSON.parse(invocation.input))).toEqual({ kind: "planned", targetRegion: "us-west-2" });
  });

  it.each(Object.keys(ready))("waits for %s", (missing) => {
    const { [missing]: _left, ...rest } = ready;
    const { resources } = runBlock(events, "events", { spec, role: "secondary", observed: rest });
    expect(Object.keys(resources).filter((k) => k.startsWith("switchover-"))).toEqual([]);
  });
});
