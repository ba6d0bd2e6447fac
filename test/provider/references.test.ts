/**
 * Every reference of every shipped claim, settled, resolves the way provider-upjet-aws resolves
 * it (tools/provider/references.ts over src/provider-references.json), and the table is the one
 * the provider's CRDs give.
 */
import { existsSync, readFileSync } from "node:fs";
import { DEFAULT_CRDS, deriveTable, tableText, TABLE_PATH, type ReferenceTable } from "../../tools/provider/reference-table.js";
import { referenceProblems, referencesOf, referenceTable } from "../../tools/provider/references.js";
import type { Manifest, Resources } from "../../tools/policy/index.js";
import { settledClaims, type SettledClaim } from "../security/claims.js";

const CRDS = process.env.PROVIDER_CRDS ?? DEFAULT_CRDS;
const haveCrds = existsSync(CRDS);

describe("the reference table", () => {
  (haveCrds ? it : it.skip)(
    `is the one derived from ${CRDS}`,
    () => {
      const committed = readFileSync(TABLE_PATH, "utf8");
      // Extractors come from the provider's resolvers; re-derived from the CRDs alone they are kept.
      expect(tableText(deriveTable(CRDS, JSON.parse(committed) as ReferenceTable))).toEqual(committed);
    },
    300_000,
  );

  it("names the kind each field resolves to, as the provider's resolvers do", () => {
    const table = referenceTable();
    expect(table["cloudwatch.aws.upbound.io/MetricAlarm"]).toEqual({
      alarmActions: { target: "autoscaling.aws.upbound.io/Policy", many: true, from: "status.atProvider.arn" },
      okActions: { target: "sns.aws.upbound.io/Topic", many: true, from: "status.atProvider.arn" },
    });
    expect(table["sns.aws.upbound.io/TopicSubscription"]?.topicArn).toEqual({
      target: "sns.aws.upbound.io/Topic",
      from: "status.atProvider.arn",
    });
    expect(table["kms.aws.upbound.io/Alias"]?.targetKeyId).toEqual({ target: "kms.aws.upbound.io/Key", from: "externalName" });
    expect(table["ec2.aws.m.upbound.io/Subnet"]?.vpcId).toEqual({ target: "ec2.aws.m.upbound.io/VPC", from: "externalName" });
  });
});

let envs: SettledClaim[];
beforeAll(async () => {
  envs = await settledClaims();
}, 180_000);

const warmStandby = () => structuredClone(envs.find((e) => e.source === "examples/warm-standby.yaml")!.resources);
const byLogical = (res: Resources, name: string): Manifest => res[name] ?? fail(`no ${name}`);
const fail = (message: string): never => {
  throw new Error(message);
};

describe("references of every shipped claim (examples and golden cases), settled", () => {
  it("are found in every claim", () => {
    for (const e of envs)
      expect({ source: e.source, some: referencesOf(e.resources).length > 50 }).toEqual({ source: e.source, some: true });
  });

  it("all resolve: matching siblings of the kind the provider lists, one for a single value, a value it observes", () => {
    expect(envs.flatMap((e) => referenceProblems(e.resources).map((p) => `${e.source}: ${p}`))).toEqual([]);
  });
});

describe("the reference check itself", () => {
  it("fails on an alarm action selector, which the provider resolves against autoscaling Policies", () => {
    const res = warmStandby();
    const alarm = byLogical(res, "primary-alarm-aurora-cpu");
    const okSelector = alarm.spec!.forProvider!.okActionsSelector;
    delete alarm.spec!.forProvider!.alarmActions;
    alarm.spec!.forProvider!.alarmActionsSelector = okSelector;
    expect(referenceProblems(res)).toEqual([
      "primary-alarm-aurora-cpu: spec.forProvider.alarmActionsSelector resolves against autoscaling.aws.upbound.io/Policy (the provider's resolver for alarmActions), but matches primary-alerts-topic (sns.aws.upbound.io/Topic)",
    ]);
  });

  it("fails on a selector pointed at a sibling of the wrong kind", () => {
    const res = warmStandby();
    const [name, subscription] = Object.entries(res).find(([, r]) => r.kind === "TopicSubscription")!;
    subscription.spec!.forProvider!.topicArnSelector.matchLabels["dr.platform.io/resource"] = "alerts-key";
    expect(referenceProblems(res)).toEqual([
      `${name}: spec.forProvider.topicArnSelector resolves against sns.aws.upbound.io/Topic (the provider's resolver for topicArn), but matches primary-alerts-key (kms.aws.upbound.io/Key)`,
    ]);
  });

  it("fails on a single-valued selector that matches two, and on one without the controller filter", () => {
    const res = warmStandby();
    const [name, subscription] = Object.entries(res).find(([, r]) => r.kind === "TopicSubscription")!;
    res["primary-alerts-topic-copy"] = structuredClone(byLogical(res, "primary-alerts-topic"));
    subscription.spec!.forProvider!.topicArnSelector.matchControllerRef = false;
    expect(referenceProblems(res).filter((p) => p.startsWith(`${name}: `))).toEqual([
      `${name}: spec.forProvider.topicArnSelector does not set matchControllerRef: it may select another composite's resources`,
      `${name}: spec.forProvider.topicArnSelector fills a single value but matches 2 sns.aws.upbound.io/Topic: primary-alerts-topic (sns.aws.upbound.io/Topic), primary-alerts-topic-copy (sns.aws.upbound.io/Topic)`,
    ]);
  });

  it("fails on a reference field the kind does not have, and on a Ref naming nothing composed", () => {
    const res = warmStandby();
    const alarm = byLogical(res, "primary-alarm-aurora-cpu");
    alarm.spec!.forProvider!.topicArnRef = { name: "primary-alerts-topic" };
    const subscription = Object.entries(res).find(([, r]) => r.kind === "TopicSubscription")!;
    subscription[1].spec!.forProvider!.topicArnRef = { name: "not-composed" };
    expect(referenceProblems(res)).toEqual(
      expect.arrayContaining([
        "primary-alarm-aurora-cpu: spec.forProvider.topicArnRef: cloudwatch.aws.upbound.io/MetricAlarm has no reference field topicArn in the provider's CRDs",
        `${subscription[0]}: spec.forProvider.topicArnRef names not-composed, but only nothing is composed under those names`,
      ]),
    );
  });
});
