/**
 * Tier upgrades keep the data: one claim settled at backup-restore, then at pilot light from what
 * backup-restore left, then at warm standby from that. Every composed resource of a lower tier is
 * still desired at the higher one under the same composition resource name, kind, AWS name and
 * every field AWS (or the provider) cannot change without replacing the resource; the downgrade
 * back is refused. The settled renders observe what the renders before them composed, the way the
 * provider reports it, including what it late-initializes (the primary cluster's membership of the
 * global cluster made from it).
 */
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { RunFunctionResponse } from "@crossplane-org/function-sdk-typescript";
import { render, type Claim } from "../../functions/src/render.js";
import type { ObservedResource } from "../../functions/src/environment.js";
import { fatalOf, nextObserved, settle, type RenderedJson } from "../../tools/policy/settle.js";
import { EXTERNAL_NAME, NAME_FIELDS, type Manifest, type Resources } from "../../tools/policy/resources.js";

/**
 * Fields whose change replaces the resource (Terraform ForceNew in the provider's schema, or AWS's
 * "update requires replacement"), per kind; the AWS name (external name, NAME_FIELDS) is checked
 * for every kind. The password mode of the cluster is here too: switching it changes the password
 * under every client, and RDS-managed passwords are not allowed in a Global Database.
 */
export const IMMUTABLE_FIELDS: Record<string, readonly string[]> = {
  "rds.aws.upbound.io/Cluster": [
    "engine",
    "engineMode",
    "databaseName",
    "masterUsername",
    "storageEncrypted",
    "kmsKeyIdSelector",
    "dbSubnetGroupNameSelector",
    "availabilityZones",
    "sourceRegion",
    "snapshotIdentifier",
    // The provider refuses to add an existing cluster to a global cluster through this field.
    "globalClusterIdentifier",
    "manageMasterUserPassword",
    "autoGeneratePassword",
    "masterPasswordSecretRef",
  ],
  "rds.aws.upbound.io/ClusterInstance": ["engine", "clusterIdentifierSelector", "dbSubnetGroupNameSelector", "availabilityZone"],
  "rds.aws.upbound.io/GlobalCluster": ["engine", "databaseName", "storageEncrypted", "sourceDbClusterIdentifierSelector"],
  "rds.aws.upbound.io/ClusterParameterGroup": ["family"],
  "dynamodb.aws.upbound.io/Table": ["hashKey", "rangeKey", "localSecondaryIndex"],
  "s3.aws.upbound.io/Bucket": ["objectLockEnabled"],
  "kms.aws.upbound.io/Key": ["keyUsage", "customerMasterKeySpec", "multiRegion"],
  "secretsmanager.aws.upbound.io/SecretVersion": ["secretIdSelector"],
};

const groupKind = (m: Manifest) => `${m.apiVersion.split("/")[0]}/${m.kind}`;

/** What keeps a composed resource the same AWS resource: kind, AWS name, immutable fields. */
function identity(m: Manifest): Record<string, unknown> {
  const fp = m.spec?.forProvider ?? {};
  const fields = [...NAME_FIELDS, ...(IMMUTABLE_FIELDS[groupKind(m)] ?? [])];
  return {
    kind: groupKind(m),
    externalName: m.metadata?.annotations?.[EXTERNAL_NAME],
    ...Object.fromEntries(fields.map((f) => [f, JSON.stringify(fp[f])])),
  };
}

/** Identity changes from `before` to `after`, and what `after` no longer composes. */
function replaced(before: Resources, after: Resources): string[] {
  return Object.entries(before).flatMap(([name, m]) => {
    if (!after[name]) return [`${name}: no longer composed (Crossplane would delete it)`];
    const [was, is] = [identity(m), identity(after[name])];
    return Object.keys({ ...was, ...is })
      .filter((k) => was[k] !== is[k])
      .map((k) => `${name}: ${k} ${was[k]} -> ${is[k]}`);
  });
}

const base = parse(readFileSync(new URL("../../examples/pilot-light.yaml", import.meta.url), "utf8")) as Claim;
const spec = base.spec as Record<string, any>;
/** backup-restore as a team starts: one region, no secondary named yet. */
const atTier = (tier: string): Claim => {
  const { secondaryRegion, network, ...rest } = spec;
  const { secondaryCidr, ...singleNetwork } = network;
  return tier === "backup-restore"
    ? { ...base, spec: { ...rest, network: singleNetwork, tier } }
    : { ...base, spec: { ...rest, secondaryRegion, network: { ...singleNetwork, secondaryCidr }, tier } };
};

/**
 * What the provider does to the spec once AWS reports a resource: the primary cluster becomes a
 * member of the global cluster made from it, and upjet late-initializes that into its spec.
 */
function asProviderReports(observed: Record<string, ObservedResource>): Record<string, ObservedResource> {
  const global = observed["primary-aurora-global-cluster"];
  const cluster = observed["primary-aurora-cluster"];
  if (!global || !cluster?.spec) return observed;
  const forProvider = { ...(cluster.spec.forProvider as object), globalClusterIdentifier: global.metadata?.annotations?.[EXTERNAL_NAME] };
  return { ...observed, "primary-aurora-cluster": { ...cluster, spec: { ...cluster.spec, forProvider } } };
}

interface Step {
  tier: string;
  resources: Resources;
  /** Everything the last render composed, observed as created. */
  observed: Record<string, ObservedResource>;
}

const steps: Step[] = [];

beforeAll(async () => {
  let observed: Record<string, ObservedResource> = {};
  for (const tier of ["backup-restore", "pilot-light", "warm-standby"]) {
    const claim = atTier(tier);
    const settled = await settle(claim, undefined, observed);
    if (settled.fatal) throw new Error(`${tier}: ${settled.fatal}`);
    observed = asProviderReports(nextObserved(RunFunctionResponse.toJSON(settled.response) as RenderedJson, settled.observed, claim));
    steps.push({ tier, resources: settled.resources, observed });
  }
}, 60_000);

describe("tier upgrades backup-restore -> pilot light -> warm standby", () => {
  it.each([
    [0, 1],
    [1, 2],
  ])("step %i -> %i keeps every composed resource with its name, kind, AWS name and immutable fields", (from, to) => {
    const [before, after] = [steps[from], steps[to]];
    expect({ upgrade: `${before.tier} -> ${after.tier}`, replaced: replaced(before.resources, after.resources) }).toEqual({
      upgrade: `${before.tier} -> ${after.tier}`,
      replaced: [],
    });
  });

  it("keeps the primary cluster, the table and the buckets, and joins the cluster to the global database it becomes the source of", () => {
    const [backupRestore, pilotLight, warmStandby] = steps;
    for (const kept of ["primary-aurora-cluster", "primary-table", "primary-bucket", "primary-code-bucket"]) {
      expect({ kept, at: steps.map((s) => s.resources[kept]?.metadata?.annotations?.[EXTERNAL_NAME]) }).toEqual({
        kept,
        at: Array(3).fill(backupRestore.resources[kept].metadata!.annotations![EXTERNAL_NAME]),
      });
    }
    expect(backupRestore.resources["primary-aurora-global-cluster"]).toBeUndefined();
    const global = pilotLight.resources["primary-aurora-global-cluster"].spec!.forProvider!;
    expect(global.sourceDbClusterIdentifierSelector.matchLabels["dr.platform.io/resource"]).toBe("aurora-cluster");
    // The data moves by adding replicas beside what exists: a table replica, bucket replication.
    expect(pilotLight.resources["secondary-table-replica"]?.kind).toBe("TableReplica");
    expect(pilotLight.resources["primary-bucket-replication"]?.kind).toBe("BucketReplicationConfiguration");
    expect(warmStandby.resources["secondary-aurora-instance-1"]?.kind).toBe("ClusterInstance");
  });

  it("gives the password secret a replica in the secondary region in place", () => {
    const secret = (s: Step) => s.resources["primary-aurora-master-secret"].spec!.forProvider!;
    expect(secret(steps[0]).replica).toBeUndefined();
    expect(secret(steps[1]).replica).toEqual([
      { region: spec.secondaryRegion, kmsKeyId: expect.stringMatching(/^arn:aws:kms:us-east-1:/) },
    ]);
    expect(secret(steps[2]).name).toBe(secret(steps[0]).name);
  });

  it("detects a replacement: a changed immutable field, AWS name or dropped resource is reported", () => {
    const before = steps[0].resources;
    const cluster = structuredClone(before["primary-aurora-cluster"]);
    cluster.spec!.forProvider!.manageMasterUserPassword = true;
    const table = structuredClone(before["primary-table"]);
    table.metadata!.annotations![EXTERNAL_NAME] = "another-table";
    const { "primary-bucket": _dropped, ...rest } = before;
    expect(replaced(before, { ...rest, "primary-aurora-cluster": cluster, "primary-table": table })).toEqual([
      "primary-aurora-cluster: manageMasterUserPassword undefined -> true",
      expect.stringMatching(/^primary-bucket: no longer composed/),
      expect.stringMatching(/^primary-table: externalName "?dr-table-ord01-[0-9a-f]+"? -> another-table$/),
    ]);
  });

  it.each([
    ["warm-standby", "pilot-light", 2],
    ["warm-standby", "backup-restore", 2],
    ["pilot-light", "backup-restore", 1],
  ])("the downgrade %s -> %s is refused naming spec.tier", async (_from, to, at) => {
    const rsp = RunFunctionResponse.toJSON(await render(atTier(to), steps[at].observed)) as RenderedJson;
    expect(fatalOf(rsp)).toMatch(/spec\.tier .* is a downgrade/);
    // Fatal: Crossplane keeps the previous desired state, nothing is deleted.
    expect(rsp.desired?.resources ?? {}).toEqual({});
  });
});
