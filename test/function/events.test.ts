import { events, RULES } from "../../functions/src/blocks/events.js";
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
});
