import { backup, BACKUP_REGION_RESOURCES, BACKUP_SCHEDULE } from "../../functions/src/blocks/backup.js";
import { buildEnvironment } from "../../functions/src/environment.js";
import { composeEnvironment } from "../../functions/src/compose.js";
import { environmentStatus } from "../../functions/src/status.js";
import { refuseTierDowngrade } from "../../functions/src/guards.js";
import { EXTERNAL_NAME } from "../../functions/src/scope.js";
import { BASE_SPEC, TWO_REGION_SPEC, observedWith, runBlock } from "../support/block-scope.js";

const CLUSTER_ARN = "arn:aws:rds:us-west-2:123456789012:cluster:dr-aurora-stage-2b07edd8-us-west-2";
const TABLE_ARN = "arn:aws:dynamodb:us-west-2:123456789012:table/dr-table-stage-2b07edd8";
const BUCKET_ARN = "arn:aws:s3:::dr-data-stage-2b07edd8-us-west-2";
const SECONDARY_VAULT_ARN = "arn:aws:backup:us-east-1:123456789012:backup-vault:dr-backup-stage-2b07edd8-us-east-1";
const PRIMARY_VAULT_ARN = "arn:aws:backup:us-west-2:123456789012:backup-vault:dr-backup-stage-2b07edd8-us-west-2";
const BACKUP_REGION_SPEC = { ...BASE_SPEC, secondaryRegion: "us-east-1" };

const fp = (resource: any) => resource.spec.forProvider;
const dataStores = {
  "primary-aurora-cluster": observedWith({ arn: CLUSTER_ARN }),
  "primary-table": observedWith({ arn: TABLE_ARN }),
  "primary-bucket": observedWith({ arn: BUCKET_ARN }),
};

describe("backup block", () => {
  it("composes vault, role with AWS's backup and S3 policies, plan and one selection per data store, every model schema-valid", () => {
    const { out, models, pending } = runBlock(backup, BASE_SPEC, { observed: dataStores });
    expect(Object.keys(out).sort()).toEqual([
      "backup-plan",
      "backup-role",
      "backup-role-policy-backup",
      "backup-role-policy-restores",
      "backup-role-policy-s3-backup",
      "backup-role-policy-s3-restore",
      "backup-selection",
      "backup-selection-bucket",
      "backup-selection-table",
      "backup-vault",
    ]);
    for (const model of Object.values(models)) expect(() => model.validate()).not.toThrow();
    expect(pending).toEqual([]);
    expect(fp(out["backup-role-policy-s3-backup"]).policyArn).toBe("arn:aws:iam::aws:policy/AWSBackupServiceRolePolicyForS3Backup");
    expect(fp(out["backup-role-policy-s3-restore"]).policyArn).toBe("arn:aws:iam::aws:policy/AWSBackupServiceRolePolicyForS3Restore");
    expect(fp(out["backup-role-policy-backup"]).policyArn).toBe("arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup");
  });

  it("selects the cluster, the table and the bucket by their ARNs once AWS reports them, and says what it waits for", () => {
    const before = runBlock(backup, BASE_SPEC);
    for (const [selection, store] of [
      ["backup-selection", "aurora-cluster"],
      ["backup-selection-table", "table"],
      ["backup-selection-bucket", "bucket"],
    ]) {
      expect(before.out[selection]).toBeUndefined();
      expect(before.pending).toContainEqual({ resource: `primary-${selection}`, reason: `waits for arn of primary-${store}` });
    }
    const { out } = runBlock(backup, BASE_SPEC, { observed: dataStores });
    expect(fp(out["backup-selection"]).resources).toEqual([CLUSTER_ARN]);
    expect(fp(out["backup-selection-table"]).resources).toEqual([TABLE_ARN]);
    expect(fp(out["backup-selection-bucket"]).resources).toEqual([BUCKET_ARN]);
    for (const name of ["backup-selection", "backup-selection-table", "backup-selection-bucket"]) {
      expect(fp(out[name]).planIdSelector.matchLabels["dr.platform.io/resource"]).toBe("backup-plan");
      expect(fp(out[name]).iamRoleArnSelector.matchLabels["dr.platform.io/resource"]).toBe("backup-role");
      expect(fp(out[name]).name).toMatch(/^dr-[a-z]+-stage-2b07edd8-us-west-2$/);
    }
    // The cluster's selection keeps the AWS name it always had: a selection is replaced, never updated.
    expect(fp(out["backup-selection"]).name).toBe("dr-aurora-stage-2b07edd8-us-west-2");
  });

  it("backs up the secondary's table replica in a DR tier", () => {
    const replicaArn = "arn:aws:dynamodb:us-east-1:123456789012:table/dr-table-stage-2b07edd8";
    const { out } = runBlock(backup, TWO_REGION_SPEC, {
      role: "secondary",
      observed: { "secondary-table-replica": observedWith({ arn: replicaArn }) },
    });
    expect(fp(out["backup-selection-table"]).resources).toEqual([replicaArn]);
  });

  it("runs daily into the region's vault with the claim's retention, kept or released with protection", () => {
    const { out } = runBlock(backup, { ...BASE_SPEC, database: { backupRetentionDays: 21 } });
    const rule = fp(out["backup-plan"]).rule[0];
    expect(rule.schedule).toBe(BACKUP_SCHEDULE);
    expect(rule.lifecycle).toEqual({ deleteAfter: 21 });
    expect(rule.targetVaultNameSelector.matchLabels["dr.platform.io/resource"]).toBe("backup-vault");
    expect(fp(out["backup-vault"]).kmsKeyArnSelector.matchLabels).toEqual({
      "dr.platform.io/region-role": "primary",
      "dr.platform.io/resource": "database-key",
    });
    expect(out["backup-vault"].spec.deletionPolicy).toBe("Orphan");
    expect(fp(out["backup-vault"]).forceDestroy).toBe(false);
    const unprotected = runBlock(backup, { ...BASE_SPEC, protection: false }).out["backup-vault"];
    expect(unprotected.spec.deletionPolicy).toBe("Delete");
    expect(fp(unprotected).forceDestroy).toBe(true);
  });

  describe("copy of every recovery point to the backup region", () => {
    it("is absent without a second region, and the status says the backups never leave the region", () => {
      const { out, pending, scope } = runBlock(backup, BASE_SPEC);
      expect(fp(out["backup-plan"]).rule[0].copyAction).toBeUndefined();
      expect(pending.map((p) => p.resource)).not.toContain("primary-backup-plan");
      const status = environmentStatus(scope.env, [], []);
      expect(status.backups).toEqual({
        vaultRegion: "us-west-2",
        note: expect.stringMatching(/^backups never leave us-west-2: .*spec\.secondaryRegion/),
      });
    });

    it.each([
      ["backup-restore with spec.secondaryRegion", BACKUP_REGION_SPEC],
      ["a DR tier", TWO_REGION_SPEC],
    ])("in %s waits for the backup region's vault ARN, then copies there with the same retention", (_what, spec) => {
      const waiting = runBlock(backup, spec);
      expect(fp(waiting.out["backup-plan"]).rule[0].copyAction).toBeUndefined();
      expect(waiting.pending).toContainEqual({ resource: "primary-backup-plan", reason: "waits for arn of secondary-backup-vault" });
      const { out, scope } = runBlock(backup, spec, { observed: { "secondary-backup-vault": observedWith({ arn: SECONDARY_VAULT_ARN }) } });
      expect(fp(out["backup-plan"]).rule[0].copyAction).toEqual([
        { destinationVaultArn: SECONDARY_VAULT_ARN, lifecycle: { deleteAfter: 7 } },
      ]);
      expect(environmentStatus(scope.env, [], []).backups).toMatchObject({ vaultRegion: "us-west-2", copyRegion: "us-east-1" });
    });

    it("goes from a DR tier's secondary region back to the primary's vault", () => {
      const { out } = runBlock(backup, TWO_REGION_SPEC, {
        role: "secondary",
        observed: { "primary-backup-vault": observedWith({ arn: PRIMARY_VAULT_ARN }) },
      });
      expect(fp(out["backup-plan"]).region).toBe("us-east-1");
      expect(fp(out["backup-plan"]).rule[0].copyAction[0].destinationVaultArn).toBe(PRIMARY_VAULT_ARN);
    });

    it("lands in a backup-restore backup region's own vault, encrypted with that region's own key, and nothing else runs there", () => {
      const { out, models } = runBlock(backup, BACKUP_REGION_SPEC, { role: "secondary" });
      expect(Object.keys(out).sort()).toEqual(["backup-vault", "database-key", "database-key-alias"]);
      for (const model of Object.values(models)) expect(() => model.validate()).not.toThrow();
      for (const resource of Object.values(out)) expect(fp(resource).region).toBe("us-east-1");
      expect(fp(out["backup-vault"]).kmsKeyArnSelector.matchLabels).toEqual({
        "dr.platform.io/region-role": "secondary",
        "dr.platform.io/resource": "database-key",
      });
      expect(out["backup-vault"].metadata.annotations[EXTERNAL_NAME]).toBe("dr-backup-stage-2b07edd8-us-east-1");
      expect(out["database-key"].spec.deletionPolicy).toBe("Orphan");
    });
  });

  it("composes the backup region of a backup-restore claim under the names a pilot-light secondary gives them, and the guard lets them be", () => {
    const metadata = { name: "orders", namespace: "team-orders", uid: "0b0e7c52-1111-4222-8333-944455556666" };
    const env = buildEnvironment({ metadata, spec: BACKUP_REGION_SPEC });
    const secondary = Object.keys(composeEnvironment(env).resources).filter((name) => name.startsWith("secondary-"));
    expect(secondary.sort()).toEqual([...BACKUP_REGION_RESOURCES].sort());
    const pilot = composeEnvironment(buildEnvironment({ metadata, spec: TWO_REGION_SPEC })).resources;
    for (const name of secondary) expect(Object.keys(pilot)).toContain(name);

    // Observed as composed, the backup region is no sign of a downgrade; a DR secondary's database is.
    const observed = Object.fromEntries(
      Object.entries(composeEnvironment(env).resources).map(([name, manifest]) => [name, manifest as never]),
    );
    expect(() => refuseTierDowngrade(buildEnvironment({ metadata, spec: BACKUP_REGION_SPEC }, observed))).not.toThrow();
    const fromPilot = {
      ...observed,
      "secondary-aurora-cluster": {
        metadata: { labels: { "dr.platform.io/region-role": "secondary", "dr.platform.io/block": "database" } },
      },
    };
    expect(() => refuseTierDowngrade(buildEnvironment({ metadata, spec: BACKUP_REGION_SPEC }, fromPilot))).toThrow(
      /spec\.tier backup-restore is a downgrade/,
    );
  });
});

/** The fields of an AWS cron expression (`cron(minutes hours day-of-month month day-of-week year)`), or undefined if it is none. */
function awsCron(expression: string): string[] | undefined {
  const match = /^cron\((.*)\)$/.exec(expression);
  const fields = match?.[1].split(" ");
  return fields?.length === 6 ? fields : undefined;
}

describe("backup block, what AWS Backup is asked to do", () => {
  it("takes one recovery point a day, at a fixed UTC time, in a rule AWS Backup accepts", () => {
    const rule = fp(runBlock(backup, BASE_SPEC).out["backup-plan"]).rule[0];
    const fields = awsCron(rule.schedule);
    expect(fields).toBeDefined();
    const [minutes, hours, dayOfMonth, month, dayOfWeek, year] = fields!;
    expect([minutes, hours].every((f) => /^\d{1,2}$/.test(f))).toBe(true);
    expect(Number(hours)).toBeLessThan(24);
    expect(Number(minutes)).toBeLessThan(60);
    // Every day: either day field open, the other "?", as AWS cron requires.
    expect([dayOfMonth, month, dayOfWeek, year]).toEqual(["*", "*", "?", "*"]);
    expect(rule.ruleName).toMatch(/^[a-zA-Z0-9\-_.]{1,50}$/);
    expect(rule.startWindow).toBeLessThan(rule.completionWindow);
  });

  it("lets only AWS Backup assume its role, with AWS's policies to back up and to restore", () => {
    const { out } = runBlock(backup, BASE_SPEC);
    const trust = JSON.parse(fp(out["backup-role"]).assumeRolePolicy);
    expect(trust.Statement).toEqual([{ Effect: "Allow", Principal: { Service: "backup.amazonaws.com" }, Action: "sts:AssumeRole" }]);
    expect(fp(out["backup-role-policy-restores"]).policyArn).toBe(
      "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores",
    );
    for (const name of Object.keys(out).filter((k) => k.startsWith("backup-role-policy-")))
      expect(fp(out[name]).roleSelector.matchLabels["dr.platform.io/resource"]).toBe("backup-role");
  });

  it("says in the status where the copies go", () => {
    const { scope } = runBlock(backup, TWO_REGION_SPEC);
    expect(environmentStatus(scope.env, [], []).backups).toEqual({
      vaultRegion: "us-west-2",
      copyRegion: "us-east-1",
      note: expect.stringMatching(/^every recovery point of us-west-2 is copied to the vault in us-east-1/),
    });
  });
});
