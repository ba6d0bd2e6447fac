/**
 * The DR tiers end to end, through the rendered golden cases: the Global Database and its members,
 * the table replica, bucket replication, DNS failover, the orchestrator's wiring, planned
 * switchover, and that every reference from one region to the other names a composed resource.
 */
import { loadFailoverConfig } from "../../functions/lambda/failover.js";
import { loadApiConfig } from "../../functions/lambda/api.js";
import { loadDrCheckConfig } from "../../functions/lambda/dr-check.js";
import { LABELS } from "../../functions/src/scope.js";
import { join } from "node:path";
import { CASES_DIR, caseNames, readYaml, renderCase, type RenderedCase } from "../support/golden.js";

type Manifest = Record<string, any>;

const manifests = (rendered: RenderedCase): Record<string, Manifest> =>
  Object.fromEntries(Object.entries(rendered.resources).map(([name, r]) => [name, r.resource]));
const fp = (m: Manifest) => m.spec.forProvider;
const variables = (m: Manifest): Record<string, string> => fp(m).environment.variables;
const statements = (m: Manifest): Array<{ Sid?: string; Action: string | string[]; Resource: string | string[] }> =>
  JSON.parse(fp(m).policy).Statement;
const externalName = (m: Manifest) => m.metadata?.annotations?.["crossplane.io/external-name"];

interface SelectorUse {
  holder: string;
  path: string;
  matchLabels: Record<string, string>;
}

/** Every label selector in a manifest's spec, with where it is. */
function selectorsIn(holder: string, value: unknown, path = "spec"): SelectorUse[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => selectorsIn(holder, v, `${path}[${i}]`));
  if (!value || typeof value !== "object") return [];
  const found: SelectorUse[] = [];
  for (const [key, v] of Object.entries(value)) {
    if (key.endsWith("Selector") && v && typeof v === "object" && "matchLabels" in v) {
      found.push({ holder, path: `${path}.${key}`, matchLabels: (v as { matchLabels: Record<string, string> }).matchLabels });
    } else {
      found.push(...selectorsIn(holder, v, `${path}.${key}`));
    }
  }
  return found;
}

/** Selectors that point into the other region, and those of them no composed resource's labels satisfy. */
function crossRegionSelectors(resources: Record<string, Manifest>): { all: SelectorUse[]; dangling: SelectorUse[] } {
  const all = Object.entries(resources)
    .flatMap(([name, m]) => selectorsIn(name, m.spec))
    .filter((s) => s.matchLabels[LABELS.regionRole] !== resources[s.holder].metadata?.labels?.[LABELS.regionRole]);
  const satisfies = (labels: Record<string, string> = {}, wanted: Record<string, string>) =>
    Object.entries(wanted).every(([k, v]) => labels[k] === v);
  const dangling = all.filter((s) => !Object.values(resources).some((m) => satisfies(m.metadata?.labels, s.matchLabels)));
  return { all, dangling };
}

const DR_CASES = caseNames().filter((name) => !name.startsWith("backup-restore"));

describe("references across regions", () => {
  it.each(caseNames())("all resolve to a resource in the desired state of case %s", async (name) => {
    const resources = manifests(await renderCase(name));
    const { all, dangling } = crossRegionSelectors(resources);
    expect(dangling).toEqual([]);
    // Once its values are observed, a DR tier points across regions (the secondary's alias at the
    // team's zone, the replica at the table, replication at the other bucket); one region never does.
    if (!DR_CASES.includes(name)) expect(all).toEqual([]);
    else if (resources["secondary-failover-alias"])
      expect(all.map((s) => `${s.holder} ${s.path}`).sort()).toEqual([
        "primary-bucket-replication spec.forProvider.rule[0].destination.bucketSelector",
        "secondary-bucket-replication spec.forProvider.rule[0].destination.bucketSelector",
        "secondary-failover-alias spec.forProvider.zoneIdSelector",
        "secondary-table-replica spec.forProvider.globalTableArnSelector",
      ]);
  });

  it("are caught when they name nothing", () => {
    const resources = {
      "secondary-record": {
        metadata: { labels: { [LABELS.regionRole]: "secondary" } },
        spec: {
          forProvider: {
            zoneIdSelector: { matchControllerRef: true, matchLabels: { [LABELS.regionRole]: "primary", [LABELS.resource]: "team-zone" } },
          },
        },
      },
      "primary-zone": { metadata: { labels: { [LABELS.regionRole]: "primary", [LABELS.resource]: "other" } }, spec: {} },
    };
    expect(crossRegionSelectors(resources).dangling.map((s) => s.path)).toEqual(["spec.forProvider.zoneIdSelector"]);
  });
});

describe("a warm-standby environment once AWS has reported its values", () => {
  let rendered: RenderedCase;
  let r: Record<string, Manifest>;
  beforeAll(async () => {
    rendered = await renderCase("warm-standby-observed");
    r = manifests(rendered);
  });

  it("spans both regions with the regional blocks", () => {
    const regions = new Set(
      Object.values(r)
        .map((m) => fp(m).region)
        .filter(Boolean),
    );
    expect([...regions].sort()).toEqual(["us-east-1", "us-west-2"]);
    for (const kind of ["VPC", "RestAPI", "Function", "Bucket", "Topic"]) {
      const roles = Object.values(r)
        .filter((m) => m.kind === kind)
        .map((m) => m.metadata.labels[LABELS.regionRole]);
      expect({ kind, roles: [...new Set(roles)].sort() }).toEqual({ kind, roles: ["primary", "secondary"] });
    }
  });

  it("makes one Global Database from the primary cluster, which the credential-free secondary joins", () => {
    const globals = Object.values(r).filter((m) => m.kind === "GlobalCluster");
    expect(globals).toHaveLength(1);
    const globalId = externalName(globals[0]);
    const primary = fp(r["primary-aurora-cluster"]);
    const secondary = fp(r["secondary-aurora-cluster"]);
    // The primary is the source: AWS takes engine, version, database and encryption from it, and
    // the provider refuses to add an existing cluster by naming the global cluster on it.
    expect(fp(globals[0]).sourceDbClusterIdentifierSelector.matchLabels).toEqual({
      [LABELS.regionRole]: "primary",
      [LABELS.resource]: "aurora-cluster",
    });
    // Set beside a source, as the provider requires; false while protected.
    expect(fp(globals[0])).toMatchObject({ forceDestroy: false, deletionProtection: true });
    for (const field of ["engine", "engineVersion", "databaseName", "storageEncrypted"]) expect(fp(globals[0])[field]).toBeUndefined();
    expect([primary.globalClusterIdentifier, secondary.globalClusterIdentifier]).toEqual([undefined, globalId]);
    expect([primary.region, secondary.region]).toEqual(["us-east-1", "us-west-2"]);
    expect(primary).toMatchObject({ masterUsername: "dradmin", databaseName: "app", autoGeneratePassword: true });
    // RDS does not manage passwords of global database members; the provider generates one into a Secret.
    expect(primary.manageMasterUserPassword).toBeUndefined();
    for (const field of ["masterUsername", "databaseName", "manageMasterUserPassword", "masterPasswordSecretRef", "autoGeneratePassword"]) {
      expect({ field, value: secondary[field] }).toEqual({ field, value: undefined });
    }
    expect(secondary.kmsKeyIdSelector.matchLabels[LABELS.regionRole]).toBe("secondary");
    expect(fp(r["secondary-aurora-instance-1"]).instanceClass).toBe("db.serverless");
    for (const stateful of [globals[0], r["primary-aurora-cluster"], r["secondary-aurora-cluster"], r["secondary-table-replica"]]) {
      expect(stateful.spec.deletionPolicy).toBe("Orphan");
    }
  });

  it("replicates the table into the secondary and composes no table of its own there", () => {
    expect(r["secondary-table"]).toBeUndefined();
    const replica = fp(r["secondary-table-replica"]);
    expect(replica).toMatchObject({ region: "us-west-2", pointInTimeRecovery: true, deletionProtectionEnabled: true });
    expect(replica.globalTableArnSelector.matchLabels).toEqual({ [LABELS.regionRole]: "primary", [LABELS.resource]: "table" });
    expect(replica.kmsKeyArn).toMatch(/^arn:aws:kms:us-west-2:/);
    expect(fp(r["primary-table"])).toMatchObject({ streamEnabled: true, streamViewType: "NEW_AND_OLD_IMAGES" });
  });

  it.each([
    ["primary", "secondary", "us-east-1", "us-west-2"],
    ["secondary", "primary", "us-west-2", "us-east-1"],
  ])(
    "replicates the %s bucket to the %s's with Replication Time Control, metrics, delete markers and replica modification sync, by a role naming both buckets and keys",
    (from, to, fromRegion, toRegion) => {
      const [rule] = fp(r[`${from}-bucket-replication`]).rule;
      expect(rule.id).toBe(`replicate-all-to-${to}`);
      expect(rule.deleteMarkerReplication).toEqual({ status: "Enabled" });
      // Replicas are never replicated again, so the two rules cannot loop; metadata changes to replicas flow back.
      expect(rule.sourceSelectionCriteria).toEqual({
        sseKmsEncryptedObjects: { status: "Enabled" },
        replicaModifications: { status: "Enabled" },
      });
      expect(rule.destination).toMatchObject({
        replicationTime: { status: "Enabled", time: { minutes: 15 } },
        metrics: { status: "Enabled", eventThreshold: { minutes: 15 } },
        bucketSelector: { matchLabels: { [LABELS.regionRole]: to, [LABELS.resource]: "bucket" } },
        encryptionConfiguration: { replicaKmsKeyId: expect.stringMatching(new RegExp(`^arn:aws:kms:${toRegion}:`)) },
      });
      // Replicas land in STANDARD: a failover reads them at once, with no retrieval fee or minimum duration.
      expect(rule.destination.storageClass).toBe("STANDARD");
      expect(fp(r[`${from}-bucket-replication`]).region).toBe(fromRegion);
      // What S3 live replication needs of the role, and nothing more (S3 User Guide, "Setting up
      // permissions for live replication" and "Replicating encrypted objects"): read the source's
      // configuration and object versions, write replicas, decrypt with the source region's key
      // and encrypt with the destination's, each only through S3 in that key's region.
      const source = `arn:aws:s3:::${externalName(r[`${from}-bucket`])}`;
      const target = `arn:aws:s3:::${externalName(r[`${to}-bucket`])}`;
      const viaS3 = (region: string) => ({ StringEquals: { "kms:ViaService": `s3.${region}.amazonaws.com` } });
      const keyOf = (region: string) => expect.stringMatching(new RegExp(`^arn:aws:kms:${region}:`));
      const granted = statements(r[`${from}-replication-role-policy`]).map(({ Sid: _sid, ...s }) => ({
        ...s,
        Action: [s.Action].flat().sort(),
      }));
      expect(granted).toEqual([
        { Effect: "Allow", Action: ["s3:GetReplicationConfiguration", "s3:ListBucket"], Resource: source },
        {
          Effect: "Allow",
          Action: ["s3:GetObjectVersionAcl", "s3:GetObjectVersionForReplication", "s3:GetObjectVersionTagging"],
          Resource: `${source}/*`,
        },
        { Effect: "Allow", Action: ["s3:ReplicateDelete", "s3:ReplicateObject", "s3:ReplicateTags"], Resource: `${target}/*` },
        { Effect: "Allow", Action: ["kms:Decrypt"], Resource: keyOf(fromRegion), Condition: viaS3(fromRegion) },
        { Effect: "Allow", Action: ["kms:Encrypt", "kms:GenerateDataKey"], Resource: keyOf(toRegion), Condition: viaS3(toRegion) },
      ]);
      expect(fp(r[`${to}-bucket-versioning`]).versioningConfiguration).toEqual({ status: "Enabled" });
    },
  );

  it("checks both regions' health and routes the failover name to the active one first", () => {
    const records = Object.values(r).filter((m) => m.kind === "Record" && fp(m).failoverRoutingPolicy);
    expect(records.map((m) => [fp(m).setIdentifier, fp(m).failoverRoutingPolicy.type]).sort()).toEqual([
      ["primary", "PRIMARY"],
      ["secondary", "SECONDARY"],
    ]);
    expect(Object.values(r).filter((m) => m.kind === "HealthCheck")).toHaveLength(2);
    const alarms = ["primary", "secondary"].map((role) => r[`${role}-health-check-alarm`]);
    for (const alarm of alarms)
      expect(fp(alarm)).toMatchObject({ region: "us-east-1", namespace: "AWS/Route53", metricName: "HealthCheckStatus" });
    const alarmIds = Object.values(r)
      .filter((m) => m.kind === "MetricAlarm")
      .map((m) => m.metadata.labels[LABELS.resource]);
    expect(alarmIds).toEqual(
      expect.arrayContaining(["alarm-s3-replication-latency", "alarm-aurora-global-replication-lag", "alarm-queue-dead-letters"]),
    );
  });

  it("wires the secondary's own primary-down alarm to the orchestrator there, which runs with the config its handler reads", () => {
    const fn = r["secondary-function-failover"];
    const env = variables(fn);
    expect(() => loadFailoverConfig({ ...env, AWS_REGION: fp(fn).region })).not.toThrow();
    expect(env.GLOBAL_CLUSTER_ID).toBe(externalName(r["primary-aurora-global-cluster"]));
    expect(env.FAILOVER_TARGET_REGION).toBe("us-west-2");
    expect(env.AUTOMATIC_PROMOTION).toBe("false");
    const alarm = r["secondary-alarm-primary-database-down"];
    expect(fp(alarm)).toMatchObject({
      region: "us-west-2",
      metricName: "PrimaryDatabaseAvailable",
      evaluationPeriods: 5,
      datapointsToAlarm: 5,
      alarmActions: ["arn:aws:sns:us-west-2:123456789012:dr-alerts-prod01-us-west-2"],
    });
    const pattern = JSON.parse(fp(r["secondary-rule-primary-health-alarm"]).eventPattern);
    expect(pattern.detail.alarmName).toEqual([externalName(alarm)]);
    // Nothing of the failover path sits in us-east-1 (the primary here) any more.
    expect(r["secondary-rule-primary-health-forward"]).toBeUndefined();
    expect(fp(r["secondary-rule-primary-health-alarm-target"]).arn).toMatch(/:function:dr-failover-prod01-us-west-2$/);
    expect(fp(r["secondary-rule-primary-health-alarm-permission"]).sourceArn).toMatch(/:rule\/dr-primary-health-alarm-prod01-us-west-2$/);
    expect(r["primary-function-failover"]).toBeUndefined();
  });

  it("gives the API and DR check configurations their handlers accept; each API sends to both regions' queues", () => {
    const observed = readYaml<Record<string, Manifest>>(join(CASES_DIR, "warm-standby-observed", "observed.yaml"));
    const queueUrl = (role: string): string => observed[`${role}-queue`]!.status.atProvider.url;
    for (const [role, other] of [
      ["primary", "secondary"],
      ["secondary", "primary"],
    ] as const) {
      const api = r[`${role}-function-api`];
      expect(loadApiConfig({ ...variables(api), AWS_REGION: fp(api).region })).toMatchObject({
        queueUrl: queueUrl(role),
        otherQueue: { url: queueUrl(other), region: fp(r[`${other}-queue`]).region },
      });
      const check = r[`${role}-function-dr-check`];
      expect(() => loadDrCheckConfig({ ...variables(check), AWS_REGION: fp(check).region })).not.toThrow();
    }
    // Nothing of the composition consumes a queue: no event source mapping moves messages away.
    expect(Object.values(r).filter((m) => m.kind === "EventSourceMapping")).toEqual([]);
  });

  it("reports both regions and recovery objectives within the warm-standby targets", () => {
    const status = (rendered.composite as any).status;
    expect(status.secondary).toMatchObject({
      region: "us-west-2",
      tableName: "dr-table-prod01",
      dbWriterEndpoint: expect.stringContaining("us-west-2"),
    });
    expect(status).toMatchObject({ failoverDomain: "api.payments.example.com", failoverUrl: "https://api.payments.example.com" });
    expect(status.recovery.rpoSeconds).toBeLessThanOrEqual(1);
    // Promotion needs a person by default: detection is the on-call's decision, then promotion and TTL.
    expect(status.recovery.rtoSeconds).toBeLessThanOrEqual(900 + 60 + 60);
  });
});

describe("switching activeRegion", () => {
  it("flips the record roles and the switchover target, and leaves the database specs and the APIs' queues alone", async () => {
    const before = manifests(await renderCase("warm-standby-observed"));
    const after = manifests(await renderCase("warm-standby-switchover"));
    const role = (m: Record<string, Manifest>, region: string) => fp(m[`${region}-failover-alias`]).failoverRoutingPolicy.type;
    expect([role(before, "primary"), role(before, "secondary")]).toEqual(["PRIMARY", "SECONDARY"]);
    expect([role(after, "primary"), role(after, "secondary")]).toEqual(["SECONDARY", "PRIMARY"]);
    expect(JSON.parse(fp(after["secondary-switchover-to-secondary"]).input)).toEqual({ type: "planned", targetRegion: "us-west-2" });
    expect(after["secondary-switchover-to-primary"]).toBeUndefined();
    // Both regions' APIs send to both queues whichever region is active.
    for (const region of ["primary", "secondary"])
      expect(variables(after[`${region}-function-api`])).toEqual(variables(before[`${region}-function-api`]));
    // Which cluster writes is AWS's state; the specs never move credentials between clusters.
    const database = (m: Record<string, Manifest>) =>
      Object.fromEntries(Object.entries(m).filter(([, v]) => v.metadata.labels[LABELS.block] === "database"));
    expect(database(after)).toEqual(database(before));
  });
});

describe("a pilot-light environment", () => {
  it("keeps the secondary cluster headless until the claim makes that region active", async () => {
    const { buildEnvironment } = await import("../../functions/src/environment.js");
    const { RegionScope } = await import("../../functions/src/scope.js");
    const { database } = await import("../../functions/src/blocks/database.js");
    const spec = { environmentSuffix: "pl01", tier: "pilot-light", primaryRegion: "eu-west-1", secondaryRegion: "eu-central-1" };
    const observed = {
      "primary-aurora-global-cluster": {
        status: { atProvider: { arn: "arn:aws:rds::123456789012:global-cluster:dr-aurora-global-pl01" } },
      },
    };
    const instances = (activeRegion: string) => {
      const env = buildEnvironment({ metadata: { name: "ledger", uid: "u" }, spec: { ...spec, failover: { activeRegion } } }, observed);
      return Object.keys(database(new RegionScope(env, env.secondary!, "database"))).filter((k) => k.startsWith("aurora-instance"));
    };
    expect(instances("primary")).toEqual([]);
    expect(instances("secondary")).toEqual(["aurora-instance-1"]);
  });

  it("renders without a secondary reader, and its secondary cluster waits for the global cluster", async () => {
    const r = manifests(await renderCase("pilot-light"));
    expect(r["primary-aurora-global-cluster"]).toBeDefined();
    expect(Object.keys(r).filter((k) => k.startsWith("secondary-aurora-instance"))).toEqual([]);
    expect(r["secondary-aurora-cluster"]).toBeUndefined();
  });
});
