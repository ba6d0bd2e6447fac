/**
 * No claim reaches another's AWS resources by name: the provider adopts an existing AWS resource
 * by its external name, so every name an environment chooses carries its owner (claim namespace
 * and name). The same claim created again gets the same names back, so it adopts what protection
 * kept. The names are pinned: a rename of an AWS name or a composed resource name fails here.
 */
import { observeOnly } from "../../tools/policy/rules.js";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { parse, stringify } from "yaml";
import {
  ACCOUNT_SINGLETON_KINDS,
  awsNames,
  forProvider,
  ofKind,
  selects,
  settle,
  statefulResources,
  type Resources,
} from "../../tools/policy/index.js";
import { validateSpec } from "../../src/api/index.js";
import { PLATFORM_REGIONS } from "../../charts/install.js";
import { settledClaims, shippedClaims, type SettledClaim } from "./claims.js";

const PINNED = new URL("./names.yaml", import.meta.url).pathname;

let settled: SettledClaim[];
beforeAll(async () => {
  settled = await settledClaims();
});

/** Composed resource name -> the AWS names it chooses (empty when AWS assigns its identity). */
const namesOf = (resources: Resources) => Object.fromEntries(Object.entries(resources).map(([key, r]) => [key, awsNames(r)]));

/**
 * The AWS names an environment owns. An observe-only resource (the team's own hosted zone) names
 * something that exists outside it and that it never changes or deletes, so it owns no name.
 */
const allNames = (resources: Resources) =>
  new Set(
    Object.values(resources)
      .filter((r) => !observeOnly(r))
      .flatMap(awsNames),
  );

const elsewhere = (claim: SettledClaim["claim"], namespace: string, uid: string) => ({
  ...claim,
  metadata: { ...claim.metadata, namespace, uid },
});

describe("AWS names per claim, over every settled tier", () => {
  it("the same claim in another namespace shares no AWS name", async () => {
    for (const { source, claim, resources } of settled) {
      const other = await settle(elsewhere(claim, "team-intruder", "00000000-0000-4000-8000-000000000001"));
      const mine = allNames(resources);
      expect(mine.size).toBeGreaterThan(30);
      expect({ source, shared: [...allNames(other.resources)].filter((n) => mine.has(n)) }).toEqual({ source, shared: [] });
    }
  });

  it("a claim of another name in the same namespace shares no AWS name", async () => {
    for (const { source, claim, resources } of settled) {
      const other = await settle({ ...claim, metadata: { ...claim.metadata, name: `${claim.metadata?.name}-2` } });
      const mine = allNames(resources);
      expect({ source, shared: [...allNames(other.resources)].filter((n) => mine.has(n)) }).toEqual({ source, shared: [] });
    }
  });

  it("the same claim deleted and created again (a new uid) gets every name back", async () => {
    for (const { source, claim, resources } of settled) {
      const again = await settle(elsewhere(claim, claim.metadata?.namespace ?? "default", "11111111-2222-4333-8444-555555555555"));
      expect({ source, names: namesOf(again.resources) }).toEqual({ source, names: namesOf(resources) });
    }
  });

  it("every AWS name and composed resource name is the pinned one (UPDATE_NAMES=1 rewrites them after a deliberate rename)", () => {
    const actual = Object.fromEntries(settled.map(({ source, resources }) => [source, namesOf(resources)]));
    if (process.env.UPDATE_NAMES) writeFileSync(PINNED, stringify(actual, { lineWidth: 0 }));
    expect(existsSync(PINNED)).toBe(true);
    expect(actual).toEqual(parse(readFileSync(PINNED, "utf8")));
  });
});

/** AWS's length limits of the names we choose, by kind (`<group>/<kind>`); unlisted kinds allow 255 or more. */
const NAME_LIMITS: Record<string, number> = {
  "s3/Bucket": 63,
  "iam/Role": 64,
  "lambda/Function": 64,
  "cloudwatchevents/Rule": 64,
  "rds/Cluster": 63,
  "rds/ClusterInstance": 63,
  "rds/GlobalCluster": 63,
  "backup/Vault": 50,
  "backup/Plan": 50,
  "backup/Selection": 50,
  "sqs/Queue": 80,
  "iam/RolePolicy": 128,
  "apigateway/APIKey": 1024,
};

it("the longest suffix in the regions with the longest names keeps every AWS name within AWS's limit for its kind", async () => {
  const { claim } = shippedClaims().find(({ source }) => source === "examples/warm-standby.yaml")!;
  const longest = {
    ...claim,
    metadata: { ...claim.metadata, name: "a".repeat(63), namespace: "n".repeat(63) },
    spec: { ...claim.spec, environmentSuffix: "abcdefghijkl", primaryRegion: "ap-northeast-1", secondaryRegion: "ap-southeast-2" },
  };
  const { resources, fatal } = await settle(longest);
  expect(fatal).toBeUndefined();
  const tooLong = Object.entries(resources).flatMap(([key, r]) => {
    const limit = NAME_LIMITS[`${r.apiVersion.split(".")[0]}/${r.kind}`] ?? 255;
    return awsNames(r)
      .filter((n) => n.replace(/^alias\//, "").length > limit)
      .map((n) => `${key}: ${n} (${n.length} > ${limit})`);
  });
  expect(tooLong).toEqual([]);
  expect(
    Object.values(resources)
      .flatMap(awsNames)
      .some((n) => n.includes("abcdefghijkl")),
  ).toBe(true);
});

const TIERS = [
  { tier: "backup-restore" },
  { tier: "pilot-light", secondaryRegion: "us-west-2" },
  { tier: "warm-standby", secondaryRegion: "us-west-2" },
];
const claimOf = (spec: Record<string, unknown>, protection: boolean) => ({
  apiVersion: "dr.platform.io/v1alpha1",
  kind: "DisasterRecoveryEnvironment",
  metadata: { name: "vault", namespace: "team-vault" },
  spec: {
    environmentSuffix: "vlt01",
    primaryRegion: "us-east-1",
    alerts: { emails: ["oncall@example.com"] },
    messaging: { enabled: true },
    protection,
    ...spec,
  },
});

/** What points at a kept bucket or key by selector: the controls that guard it. */
const guardsOf = (resources: Resources, kept: Resources[string]) =>
  Object.entries(resources).filter(([, r]) => ["bucketSelector", "targetKeyIdSelector"].some((f) => selects(forProvider(r)[f], kept)));

describe("protection, over every settled tier", () => {
  it.each(TIERS.map((t) => [t.tier, t] as const))(
    "%s with protection keeps every data store, key and guard; without, everything goes",
    async (_tier, spec) => {
      const kept = (await settle(claimOf(spec, true))).resources;
      const stateful = statefulResources(kept);
      expect(stateful.length).toBeGreaterThan(15);
      expect(stateful.filter(([, r]) => r.spec?.deletionPolicy !== "Orphan").map(([n]) => n)).toEqual([]);
      // Independent of the kind list: whatever selects a kept bucket or key is kept too.
      const keptTargets = stateful.map(([, r]) => r).filter((r) => ["Bucket", "Key"].includes(r.kind));
      const guards = keptTargets.flatMap((t) => guardsOf(kept, t));
      expect(guards.length).toBeGreaterThanOrEqual(6 * keptTargets.filter((t) => t.kind === "Bucket").length);
      expect(guards.filter(([, r]) => r.spec?.deletionPolicy !== "Orphan").map(([n]) => n)).toEqual([]);

      const destroyable = (await settle(claimOf(spec, false))).resources;
      expect(Object.keys(destroyable).sort()).toEqual(Object.keys(kept).sort());
      expect(
        Object.entries(destroyable)
          .filter(([, r]) => r.spec?.deletionPolicy === "Orphan")
          .map(([n]) => n),
      ).toEqual([]);
    },
  );
});

describe("account- and region-wide settings have one owner", () => {
  it("two environments in one account and region compose no singleton and no shared AWS name", async () => {
    const byRegion = new Map<string, SettledClaim[]>();
    for (const e of settled) {
      const spec = validateSpec(e.claim.spec);
      for (const region of [spec.primaryRegion, ...(spec.tier === "backup-restore" ? [] : [spec.secondaryRegion!])]) {
        byRegion.set(region, [...(byRegion.get(region) ?? []), e]);
      }
    }
    const examples = (byRegion.get("us-east-1") ?? []).filter((e) => e.source.startsWith("examples/"));
    expect(examples.length).toBeGreaterThanOrEqual(2);
    for (const e of settled) {
      expect({
        source: e.source,
        singletons: ACCOUNT_SINGLETON_KINDS.flatMap(({ group, kind }) => ofKind(e.resources, group, kind)),
      }).toEqual({
        source: e.source,
        singletons: [],
      });
    }
    const [first, second] = examples;
    const names = allNames(first.resources);
    expect([...allNames(second.resources)].filter((n) => names.has(n))).toEqual([]);
  });

  it("the platform install sets the API Gateway account setting once per region, for every region a shipped claim uses", () => {
    const docs = readFileSync(new URL("../../dist/install/account-settings.yaml", import.meta.url), "utf8")
      .split(/^---$/m)
      .map((d) => parse(d))
      .filter(Boolean);
    const accounts = docs.filter((d) => d.kind === "Account");
    expect(accounts.map((a) => a.spec.forProvider.region).sort()).toEqual([...PLATFORM_REGIONS].sort());
    expect(accounts.every((a) => a.spec.deletionPolicy === "Orphan" && a.spec.forProvider.cloudwatchRoleArnRef.name)).toBe(true);
    const role = docs.find((d) => d.kind === "Role");
    expect(accounts.every((a) => a.spec.forProvider.cloudwatchRoleArnRef.name === role.metadata.name)).toBe(true);
    const used = new Set(
      settled.flatMap(({ claim }) => {
        const spec = validateSpec(claim.spec);
        return [spec.primaryRegion, ...(spec.secondaryRegion ? [spec.secondaryRegion] : [])];
      }),
    );
    expect([...used].filter((r) => !(PLATFORM_REGIONS as readonly string[]).includes(r))).toEqual([]);
    // AWS Backup copies DynamoDB recovery points across regions only with full management on.
    const backup = docs.filter((d) => d.kind === "RegionSettings");
    expect(
      backup.map((b) => [b.spec.forProvider.region, b.spec.deletionPolicy, b.spec.forProvider.resourceTypeManagementPreference]),
    ).toEqual([...PLATFORM_REGIONS].map((region) => [region, "Orphan", { DynamoDB: true, EFS: true }]));
  });
});
