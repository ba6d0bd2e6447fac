/**
 * What a settled environment must contain, by tier, region role and kind: the kinds that make each
 * tier what it is, with counts written from the design (not read from the blocks), so a
 * composition that drops a resource fails even where every "for each resource…" rule still holds.
 * Kinds whose count depends on more than the spec (alarms that exist only outside us-east-1, say)
 * are left out rather than guessed.
 */
import type { EnvironmentSpec } from "../../src/api/index.js";

type Role = "primary" | "secondary";
type Count = (spec: EnvironmentSpec, role: Role) => number;

const REGION_ROLE = "dr.platform.io/region-role";

const dr = (spec: EnvironmentSpec) => spec.tier !== "backup-restore";
const each =
  (n: number): Count =>
  () =>
    n;
const primaryOnly =
  (n: number): Count =>
  (_spec, role) =>
    role === "primary" ? n : 0;
const drPrimaryOnly =
  (n: number): Count =>
  (spec, role) =>
    dr(spec) && role === "primary" ? n : 0;

/** `group/Kind` (group without `.aws.upbound.io`) to its count in one region. */
export const INVENTORY: Readonly<Record<string, Count>> = {
  // Network: one VPC over N zones with a public and a private subnet in each.
  "ec2/VPC": each(1),
  "ec2/Subnet": (spec) => 2 * spec.network.availabilityZones,
  "ec2/InternetGateway": each(1),
  "ec2/FlowLog": each(1),
  "ec2/VPCEndpoint": each(2),
  // The database's group only: the Lambda handlers run outside the VPC.
  "ec2/SecurityGroup": each(1),
  // Data: Aurora (a Global Database in the DR tiers), DynamoDB with a replica, buckets, keys.
  "rds/Cluster": each(1),
  "rds/GlobalCluster": drPrimaryOnly(1),
  "rds/ClusterParameterGroup": each(1),
  // A secondary has a reader in warm standby; in pilot light only once it is the active region.
  "rds/ClusterInstance": (spec, role) =>
    role === "primary" || spec.tier === "warm-standby" || spec.failover.activeRegion === "secondary" ? 1 : 0,
  // The master password in Secrets Manager, once, in the primary region (replicated by the secret itself).
  "secretsmanager/Secret": primaryOnly(1),
  "secretsmanager/SecretVersion": primaryOnly(1),
  "dynamodb/Table": primaryOnly(1),
  "dynamodb/TableReplica": (spec, role) => (dr(spec) && role === "secondary" ? 1 : 0),
  "s3/Bucket": each(2),
  "s3/BucketPublicAccessBlock": each(2),
  "s3/BucketPolicy": each(2),
  "s3/BucketServerSideEncryptionConfiguration": each(2),
  "s3/BucketVersioning": each(2),
  // Each DR region's data bucket replicates to the other's.
  "s3/BucketReplicationConfiguration": (spec) => (dr(spec) ? 1 : 0),
  "kms/Key": each(3),
  "backup/Vault": each(1),
  "backup/Plan": each(1),
  // One selection each for the cluster, the table (the replica in a secondary) and the data bucket.
  "backup/Selection": each(3),
  "sqs/Queue": (spec) => (spec.messaging.enabled ? 2 : 0),
  // Compute and API: the api and dr-check handlers everywhere, the failover orchestrator in the
  // secondary. No handler consumes the queues (the API fills both regions' queues itself).
  "lambda/Function": (spec, role) => 2 + (dr(spec) && role === "secondary" ? 1 : 0),
  "apigateway/RestAPI": each(1),
  "apigateway/Stage": each(1),
  "apigateway/Deployment": each(1),
  "apigateway/MethodSettings": each(1),
  "apigateway/UsagePlan": each(1),
  "apigateway/APIKey": each(1),
  "apigateway/UsagePlanKey": each(1),
  "sns/Topic": each(1),
  "sns/TopicSubscription": (spec) => spec.alerts.emails.length,
  "cloudwatch/Dashboard": each(1),
  // DNS failover: the team's zone once, a health check and a failover record per region.
  // Failover: health checks in DR tiers; with the team's DNS (spec.dns) its zone observed once, and
  // per region a certificate, its validation, a regional custom domain mapped to the stage and the
  // failover alias. ACM asks one account for the same validation record in every region, so the
  // primary writes it once.
  "route53/HealthCheck": (spec) => (dr(spec) ? 1 : 0),
  "route53/Zone": (spec, role) => (dr(spec) && spec.dns && role === "primary" ? 1 : 0),
  "route53/Record": (spec, role) => (dr(spec) && spec.dns ? (role === "primary" ? 2 : 1) : 0),
  "acm/Certificate": (spec) => (dr(spec) && spec.dns ? 1 : 0),
  "acm/CertificateValidation": (spec) => (dr(spec) && spec.dns ? 1 : 0),
  "apigateway/DomainName": (spec) => (dr(spec) && spec.dns ? 1 : 0),
  "apigateway/BasePathMapping": (spec) => (dr(spec) && spec.dns ? 1 : 0),
};

interface Manifest {
  apiVersion?: string;
  kind?: string;
  metadata?: { labels?: Record<string, string> };
}

const kindOf = (r: Manifest) => `${r.apiVersion?.split(".")[0]}/${r.kind}`;

/** Counts of the inventoried kinds, as `<role> <group/Kind>`. */
export function inventoryOf(resources: Record<string, Manifest>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of Object.values(resources)) {
    if (!(kindOf(r) in INVENTORY)) continue;
    const key = `${r.metadata?.labels?.[REGION_ROLE] ?? "(no region role)"} ${kindOf(r)}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

/** The counts a settled environment of `spec` must show; kinds with a count of 0 must be absent. */
export function expectedInventory(spec: EnvironmentSpec): Record<string, number> {
  const roles: Role[] = dr(spec) ? ["primary", "secondary"] : ["primary"];
  const expected: Record<string, number> = {};
  for (const role of roles) {
    for (const [kind, count] of Object.entries(INVENTORY)) {
      const n = count(spec, role);
      if (n > 0) expected[`${role} ${kind}`] = n;
    }
  }
  // backup-restore's backup region holds the vault the copies land in and the key that encrypts it, nothing else.
  if (!dr(spec) && spec.secondaryRegion) Object.assign(expected, { "secondary backup/Vault": 1, "secondary kms/Key": 1 });
  return expected;
}

/** Every difference between what a settled environment holds and what its tier must hold; empty when they agree. */
export function inventoryProblems(resources: Record<string, Manifest>, spec: EnvironmentSpec): string[] {
  const actual = inventoryOf(resources);
  const expected = expectedInventory(spec);
  return [...new Set([...Object.keys(expected), ...Object.keys(actual)])]
    .sort()
    .filter((key) => (actual[key] ?? 0) !== (expected[key] ?? 0))
    .map((key) => `${spec.tier}: ${key}: ${actual[key] ?? 0}, expected ${expected[key] ?? 0}`);
}
