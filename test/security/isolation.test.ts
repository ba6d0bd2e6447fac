/**
 * No claim reaches another's AWS resources by name: the provider adopts an existing AWS resource
 * by its external name, so every name an environment chooses carries its owner (claim namespace
 * and name). The same claim created again gets the same names back, so it adopts what protection
 * kept. The names are pinned: a rename of an AWS name or a composed resource name fails here.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { parse, stringify } from "yaml";
import { awsNames, settle, type Resources } from "../../tools/policy/index.js";
import { settledClaims, shippedClaims, type SettledClaim } from "./claims.js";

const PINNED = new URL("./names.yaml", import.meta.url).pathname;

let settled: SettledClaim[];
beforeAll(async () => {
  settled = await settledClaims();
});

/** Composed resource name -> the AWS names it chooses (empty when AWS assigns its identity). */
const namesOf = (resources: Resources) => Object.fromEntries(Object.entries(resources).map(([key, r]) => [key, awsNames(r)]));

const allNames = (resources: Resources) => new Set(Object.values(resources).flatMap(awsNames));

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
