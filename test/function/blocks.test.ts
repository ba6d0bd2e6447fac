/**
 * The regional blocks taken together, and the small helpers they share (block list, names, IAM
 * documents). Each environment is settled inside its test, not in a hook, so a mutation run
 * attributes what the blocks compose to the test that judges it: every reference resolves as the
 * provider resolves it, every field is in the provider's schema with its type, the policy rules
 * hold, and the tier's inventory is complete.
 */
import { blocksFor, REGIONAL_BLOCKS } from "../../functions/src/blocks/index.js";
import { assumeRolePolicy, awsManagedPolicyArn, policyDocument, writeLogsStatement } from "../../functions/src/blocks/iam.js";
import { globalClusterName, handlersFor, healthAlarmName, LOGICAL, resourceNames, tableLogical } from "../../functions/src/blocks/names.js";
import { buildEnvironment } from "../../functions/src/environment.js";
import type { Claim } from "../../functions/src/render.js";
import { RegionScope } from "../../functions/src/scope.js";
import { validateSpec } from "../../src/api/index.js";
import { evaluate, failures, settle } from "../../tools/policy/index.js";
import { referenceProblems } from "../../tools/provider/references.js";
import { inventoryProblems } from "../support/inventory.js";
import { factProblems } from "../support/provider-schema-facts.js";

const claimOf = (spec: Record<string, unknown>): Claim => ({
  apiVersion: "dr.platform.io/v1alpha1",
  kind: "DisasterRecoveryEnvironment",
  metadata: { name: "ledger", namespace: "team-ledger", uid: "7c6d5e4f-0000-4000-8000-00000000b10c" },
  spec: { environmentSuffix: "blk01", primaryRegion: "eu-west-1", alerts: { emails: ["oncall@example.com"] }, ...spec },
});

const ENVIRONMENTS: Array<[string, Record<string, unknown>]> = [
  ["backup-restore, unprotected", { tier: "backup-restore", protection: false }],
  ["pilot-light, protected", { tier: "pilot-light", secondaryRegion: "eu-central-1", protection: true }],
  [
    "warm-standby with messaging, protected, three zones",
    {
      tier: "warm-standby",
      secondaryRegion: "eu-central-1",
      messaging: { enabled: true },
      network: { availabilityZones: 3 },
      protection: true,
    },
  ],
];

describe.each(ENVIRONMENTS)("%s, settled", (_name, spec) => {
  it("resolves every reference, fits the provider's schema, keeps the policy rules and holds the tier's inventory", async () => {
    const claim = claimOf(spec);
    const settled = await settle(claim);
    expect(settled.fatal).toBeUndefined();
    const valid = validateSpec(claim.spec);
    const { resources } = settled;
    expect(referenceProblems(resources)).toEqual([]);
    expect(factProblems(resources as never)).toEqual([]);
    expect(failures(evaluate(resources, { protection: valid.protection }))).toEqual([]);
    expect(inventoryProblems(resources, valid)).toEqual([]);
  });
});

const scopeOf = (spec: Record<string, unknown>, role: "primary" | "secondary" = "primary") => {
  const env = buildEnvironment(
    { metadata: { name: "ledger", namespace: "team-ledger", uid: "7c6d5e4f-0000-4000-8000-00000000b10c" }, spec: claimOf(spec).spec },
    {},
  );
  const region = role === "primary" ? env.primary : (env.secondary ?? env.backupOnlyRegion)!;
  return { env, region, scope: new RegionScope(env, region, "test") };
};

describe("the blocks of a region", () => {
  it("are the regional blocks in one region; a second region adds DNS failover; a backup region holds backups only", () => {
    const single = scopeOf({ tier: "backup-restore" });
    expect(Object.keys(blocksFor(single.env, single.region))).toEqual([
      "network",
      "database",
      "backup",
      "storage",
      "compute",
      "api",
      "events",
      "monitoring",
    ]);
    const backupRegion = scopeOf({ tier: "backup-restore", secondaryRegion: "eu-central-1" }, "secondary");
    expect(backupRegion.region).toBe(backupRegion.env.backupOnlyRegion);
    expect(Object.keys(blocksFor(backupRegion.env, backupRegion.region))).toEqual(["backup"]);
    expect(blocksFor(backupRegion.env, backupRegion.env.primary)).toBe(REGIONAL_BLOCKS);
    for (const role of ["primary", "secondary"] as const) {
      const dr = scopeOf({ tier: "pilot-light", secondaryRegion: "eu-central-1" }, role);
      expect({ role, blocks: Object.keys(blocksFor(dr.env, dr.region)) }).toEqual({
        role,
        blocks: [...Object.keys(REGIONAL_BLOCKS), "dns"],
      });
    }
  });
});

describe("shared names", () => {
  it("give the failover orchestrator to the secondary of a DR tier only", () => {
    expect(handlersFor(scopeOf({ tier: "pilot-light", secondaryRegion: "eu-central-1" }).scope)).toEqual(["api", "dr-check"]);
    expect(handlersFor(scopeOf({ tier: "pilot-light", secondaryRegion: "eu-central-1" }, "secondary").scope)).toEqual([
      "api",
      "dr-check",
      "failover",
    ]);
  });

  it("put the table in the primary and its replica in the secondary", () => {
    expect(tableLogical("primary")).toBe(LOGICAL.table);
    expect(tableLogical("secondary")).toBe(LOGICAL.tableReplica);
    expect(LOGICAL.auroraInstance(2)).toBe("aurora-instance-2");
  });

  it("name one global cluster per environment and one health alarm per region, each with suffix and owner", () => {
    const { env } = scopeOf({ tier: "warm-standby", secondaryRegion: "eu-central-1" });
    const global = globalClusterName(env);
    expect(global).toMatch(/^dr-aurora-global-blk01-[0-9a-f]{8}$/);
    expect(global).not.toContain(env.primary.name);
    const primary = healthAlarmName(env, "primary");
    const secondary = healthAlarmName(env, "secondary");
    expect(primary).toMatch(/^dr-health-blk01-[0-9a-f]{8}-eu-west-1$/);
    expect(secondary).toMatch(/^dr-health-blk01-[0-9a-f]{8}-eu-central-1$/);
  });

  it("name each regional resource with its region, the table and global cluster without, and the stage `live`", () => {
    const { scope } = scopeOf({ tier: "warm-standby", secondaryRegion: "eu-central-1" }, "secondary");
    const names = resourceNames(scope);
    const owner = scope.env.ownerId;
    expect(names).toEqual({
      auroraCluster: `dr-aurora-blk01-${owner}-eu-central-1`,
      globalCluster: `dr-aurora-global-blk01-${owner}`,
      table: `dr-table-blk01-${owner}`,
      restApi: `dr-api-blk01-${owner}-eu-central-1`,
      apiStage: "live",
      queue: `dr-queue-blk01-${owner}-eu-central-1`,
      deadLetterQueue: `dr-queue-dlq-blk01-${owner}-eu-central-1`,
      functions: [
        { handler: "api", name: `dr-api-blk01-${owner}-eu-central-1` },
        { handler: "dr-check", name: `dr-dr-check-blk01-${owner}-eu-central-1` },
        { handler: "failover", name: `dr-failover-blk01-${owner}-eu-central-1` },
      ],
    });
  });
});

describe("IAM documents", () => {
  it("are 2012-10-17 documents (the version that supports policy variables and conditions)", () => {
    const statement = { Effect: "Allow" as const, Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" };
    expect(JSON.parse(policyDocument([statement]))).toEqual({ Version: "2012-10-17", Statement: [statement] });
  });

  it("trust exactly one service to assume the role", () => {
    expect(JSON.parse(assumeRolePolicy("lambda.amazonaws.com"))).toEqual({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
    });
  });

  it("name AWS managed policies in the aws account's namespace", () => {
    expect(awsManagedPolicyArn("service-role/AWSBackupServiceRolePolicyForBackup")).toBe(
      "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
    );
  });

  it.each([
    ["with the `:*` suffix CloudWatch reports", "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/fn:*"],
    ["without it", "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/fn"],
  ])("let a principal write streams of one log group only, given its ARN %s", (_how, arn) => {
    const group = "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/fn";
    expect(writeLogsStatement(arn)).toEqual({
      Sid: "WriteOwnLogs",
      Effect: "Allow",
      Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
      Resource: [group, `${group}:log-stream:*`],
    });
  });

  it("strip only a trailing `:*`", () => {
    const odd = "arn:aws:logs:eu-west-1:123456789012:log-group:/a:*b";
    expect(writeLogsStatement(odd).Resource).toEqual([odd, `${odd}:log-stream:*`]);
  });
});
