import { RunFunctionResponse, Severity } from "@crossplane-org/function-sdk-typescript";
import { VPC } from "@crossplane-models/provider-upjet-aws/ec2.aws.upbound.io/v1beta1/VPC";
import { render } from "../../functions/src/render.js";
import { buildEnvironment } from "../../functions/src/environment.js";
import { composeRegion, type DesiredState } from "../../functions/src/compose.js";
import type { Block, ManagedResource } from "../../functions/src/block.js";

const base = {
  kind: "DisasterRecoveryEnvironment",
  metadata: { name: "orders", namespace: "team-orders", uid: "0b0e7c52-1111-4222-8333-944455556666" },
  spec: {
    environmentSuffix: "stage",
    tier: "backup-restore",
    primaryRegion: "us-west-2",
    alerts: { emails: ["a@example.com", "b@example.com"] },
  },
};

async function renderJson(claim: unknown, observed = {}) {
  return RunFunctionResponse.toJSON(await render(claim as never, observed)) as any;
}

describe("composition", () => {
  it("is deterministic: the same input gives byte-identical output", async () => {
    expect(JSON.stringify(await renderJson(base))).toEqual(JSON.stringify(await renderJson(base)));
  });

  it("keeps composed-resource names when a list in the claim is reordered", async () => {
    const reordered = { ...base, spec: { ...base.spec, alerts: { emails: ["b@example.com", "a@example.com"] } } };
    const names = Object.keys((await renderJson(base)).desired.resources).sort();
    expect(Object.keys((await renderJson(reordered)).desired.resources).sort()).toEqual(names);
    expect(names.filter((n) => n.includes("alerts-subscription"))).toHaveLength(2);
  });

  it("puts the environment suffix in every AWS name it sets", async () => {
    const { desired } = await renderJson(base);
    for (const [key, r] of Object.entries<any>(desired.resources)) {
      const external = r.resource.metadata?.annotations?.["crossplane.io/external-name"];
      if (external) expect({ key, external }).toEqual({ key, external: expect.stringContaining("stage") });
      const nameTag = r.resource.spec.forProvider.tags?.Name;
      if (nameTag) expect({ key, nameTag }).toEqual({ key, nameTag: expect.stringContaining("stage") });
    }
  });

  it.each([
    [{ tier: "pilot-light" }, "spec.secondaryRegion"],
    [{ environmentSuffix: "Bad_Suffix" }, "spec.environmentSuffix"],
    [{ database: { minCapacity: 16, maxCapacity: 2 } }, "spec.database.minCapacity"],
    [
      { tier: "warm-standby", secondaryRegion: "us-east-2", network: { cidr: "10.0.0.0/16", secondaryCidr: "10.0.64.0/18" } },
      "spec.network.secondaryCidr",
    ],
    [{ primaryRegion: "moon-base-1" }, "spec.primaryRegion"],
  ])("refuses %j with a Fatal result naming %s and composes nothing", async (change, field) => {
    const rsp = await renderJson({ ...base, spec: { ...base.spec, ...change } });
    const fatal = (rsp.results as any[]).filter((r) => r.severity === "SEVERITY_FATAL");
    expect(fatal).toHaveLength(1);
    expect(fatal[0].message).toContain(field);
    expect(rsp.desired?.resources ?? {}).toEqual({});
  });

  it("keeps a resource Crossplane already has when the value it waits for is no longer observed", async () => {
    const functionArn = "arn:aws:lambda:us-west-2:123456789012:function:dr-dr-check-orders-x1";
    const observedTarget = {
      apiVersion: "cloudwatchevents.aws.upbound.io/v1beta2",
      kind: "Target",
      metadata: {
        name: "orders-x1",
        labels: { "dr.platform.io/resource": "rule-dr-check-schedule-target" },
        annotations: { "crossplane.io/external-name": "rule-1", other: "dropped" },
      },
      spec: { forProvider: { region: "us-west-2", targetId: "dr-check", arn: functionArn } },
      status: { atProvider: { id: "rule-1" } },
    };
    const rsp = await renderJson(base, { "primary-rule-dr-check-schedule-target": observedTarget });
    const kept = rsp.desired.resources["primary-rule-dr-check-schedule-target"].resource;
    expect(kept.spec).toEqual(observedTarget.spec);
    expect(kept.metadata.annotations).toEqual({ "crossplane.io/external-name": "rule-1" });
    expect(rsp.desired.composite.resource.status.pending).toEqual(
      expect.arrayContaining([expect.stringContaining("primary-rule-dr-check-schedule-target waits for arn of primary-function-dr-check")]),
    );
  });

  it("lets a single-region tier keep any secondary CIDR: it has no second VPC", async () => {
    const rsp = await renderJson({ ...base, spec: { ...base.spec, network: { cidr: "10.1.0.0/16" } } });
    expect((rsp.results as any[]).filter((r) => r.severity === "SEVERITY_FATAL")).toEqual([]);
  });

  it("emits a waiting resource once its value is observed", async () => {
    const functionArn = "arn:aws:lambda:us-west-2:123456789012:function:dr-dr-check-orders-x1";
    const rsp = await renderJson(base, { "primary-function-dr-check": { status: { atProvider: { arn: functionArn } } } });
    expect(rsp.desired.resources["primary-rule-dr-check-schedule-target"].resource.spec.forProvider.arn).toBe(functionArn);
  });
});

describe("composeRegion's guards", () => {
  const env = buildEnvironment({ metadata: { name: "x", uid: "u" }, spec: base.spec });
  const state = (): DesiredState => ({ resources: {}, pending: [] });

  it("refuses a resource its model rejects, naming the composed resource", () => {
    const invalid: Block = () => ({ vpc: new VPC({ spec: { forProvider: { region: 42 } } } as never) as ManagedResource });
    expect(() => composeRegion(env, env.primary, { broken: invalid }, state())).toThrow(/primary-vpc \(VPC\) is invalid/);
  });

  it("refuses two blocks that claim the same composed-resource name", () => {
    const vpc: Block = () => ({ vpc: new VPC({ spec: { forProvider: { region: "us-west-2" } } }) as ManagedResource });
    expect(() => composeRegion(env, env.primary, { a: vpc, b: vpc }, state())).toThrow(/primary-vpc is used twice/);
  });
});

test("Severity enum used by the gRPC tests matches the JSON names", () => {
  expect(Severity[Severity.SEVERITY_FATAL]).toBe("SEVERITY_FATAL");
});
