/**
 * The DisasterRecoveryEnvironment API, defined once.
 *
 * This file is the single source of the claim's shape: the XRD's openAPIV3Schema, the TypeScript
 * types the function composes from, the defaults and the runtime validation all derive from it.
 * A field with a default is `required` on purpose: the API server applies defaults before it
 * validates, so users may omit it, and the resolved type the function sees always has it.
 */
import { Type, type Static, type TObject, type TSchema } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { cidrIsNetworkAddress, cidrsDisjoint } from "./cel.js";

/** One CEL rule of `x-kubernetes-validations`; `fieldPath` is relative to the object that holds it. */
export interface CelRule {
  rule: string;
  message: string;
  fieldPath?: string;
  reason?: "FieldValueInvalid" | "FieldValueRequired" | "FieldValueForbidden" | "FieldValueDuplicate";
}

const rules = (...list: CelRule[]) => ({ "x-kubernetes-validations": list });

/**
 * A section of the spec whose default is its children's defaults, filled in. The API server checks
 * a default as it stands, without defaulting inside it, so `{}` would fail its own required
 * children and CEL rules.
 */
function section<T extends TObject>(schema: T): T {
  schema.default = Value.Default(schema, {});
  return schema;
}

/** Serverless v2 capacity moves in half ACUs; a CEL rule, because the API server's multipleOf mishandles whole numbers with a fractional factor. */
const halfStep = (field: string): CelRule => ({
  rule: `double(int(self.${field} * 2.0)) == self.${field} * 2.0`,
  message: `spec.database.${field} must be a multiple of 0.5`,
  fieldPath: `.${field}`,
});
const immutable = (field: string): CelRule => ({
  rule: "self == oldSelf",
  message: `${field} is immutable: changing it would replace the environment's data stores`,
});

export const TIERS = ["backup-restore", "pilot-light", "warm-standby"] as const;
export type Tier = (typeof TIERS)[number];
/** Tiers in CEL, ranked as TIERS orders them: a higher rank composes more. */
const TIER_RANK = `{${TIERS.map((t, i) => `'${t}': ${i}`).join(", ")}}`;

const REGION_PATTERN = "^(us|eu|ap|ca|sa|me|af|il|mx)-(north|south|east|west|central|northeast|southeast|northwest|southwest)-[1-9]$";
const OCTET = "(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])";
const CIDR_PATTERN = `^(${OCTET}\\.){3}${OCTET}/(1[6-9]|2[0-4])$`;
const SUFFIX_PATTERN = "^[a-z][a-z0-9]{1,11}$";
const EMAIL_PATTERN = "^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}$";
const DNS_NAME_PATTERN = "^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$";
const SCHEDULE_PATTERN = "^(rate\\(([1-9][0-9]{0,3}) (minute|minutes|hour|hours|day|days)\\)|cron\\([^)]{9,100}\\))$";
/** A DNS name that may start with a `*.` label, so a wildcard is refused by a rule that says why. */
const HOSTNAME_PATTERN = "^(\\*\\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$";
const HOSTED_ZONE_ID_PATTERN = "^Z[A-Z0-9]{1,31}$";
const TAG_KEY_PATTERN = "^[A-Za-z0-9 _.:/=+@-]{1,128}$";

const region = (description: string) => Type.String({ description, pattern: REGION_PATTERN, minLength: 9, maxLength: 16 });
const cidr = (description: string, fallback: string) =>
  Type.String({ description, pattern: CIDR_PATTERN, maxLength: 18, default: fallback });

export const NetworkSpec = section(
  Type.Object(
    {
      cidr: cidr("IPv4 range of the primary region's VPC, /16 to /24, e.g. 10.0.0.0/16.", "10.0.0.0/16"),
      secondaryCidr: cidr("IPv4 range of the secondary region's VPC; must not overlap `cidr`.", "10.1.0.0/16"),
      availabilityZones: Type.Integer({
        description: "Availability zones per region; each gets one public and one private subnet.",
        minimum: 2,
        maximum: 3,
        default: 2,
      }),
    },
    {
      description: "The VPC in each region.",
      ...rules(
        {
          rule: cidrIsNetworkAddress("self.cidr"),
          message: "spec.network.cidr must be a network address: its host bits must be zero",
          fieldPath: ".cidr",
        },
        {
          rule: cidrIsNetworkAddress("self.secondaryCidr"),
          message: "spec.network.secondaryCidr must be a network address: its host bits must be zero",
          fieldPath: ".secondaryCidr",
        },
      ),
    },
  ),
);

export const DatabaseSpec = section(
  Type.Object(
    {
      engineVersion: Type.String({
        description: "Aurora PostgreSQL engine version (major.minor) that supports Serverless v2 and Global Database.",
        pattern: "^1[3-7]\\.[0-9]{1,2}$",
        default: "16.4",
      }),
      minCapacity: Type.Number({
        description: "Serverless v2 minimum capacity in ACUs, in steps of 0.5.",
        minimum: 0.5,
        maximum: 256,
        default: 0.5,
      }),
      maxCapacity: Type.Number({
        description: "Serverless v2 maximum capacity in ACUs, in steps of 0.5; at least `minCapacity`.",
        minimum: 1,
        maximum: 256,
        default: 4,
      }),
      backupRetentionDays: Type.Integer({
        description: "Days of automated backups and point-in-time recovery.",
        minimum: 7,
        maximum: 35,
        default: 7,
      }),
      databaseName: Type.String({
        description: "Name of the initial database.",
        pattern: "^[a-z][a-z0-9_]{0,62}$",
        default: "app",
      }),
    },
    {
      description: "Aurora PostgreSQL Serverless v2.",
      ...rules(
        {
          rule: "self.minCapacity <= self.maxCapacity",
          message: "spec.database.minCapacity must be at most spec.database.maxCapacity",
          fieldPath: ".minCapacity",
        },
        halfStep("minCapacity"),
        halfStep("maxCapacity"),
      ),
    },
  ),
);

export const ApiSpec = section(
  Type.Object(
    {
      rateLimit: Type.Integer({ description: "Steady-state requests per second per API key.", minimum: 1, maximum: 10000, default: 100 }),
      burstLimit: Type.Integer({ description: "Burst requests per API key.", minimum: 1, maximum: 5000, default: 200 }),
      quotaPerMonth: Type.Integer({ description: "Requests per API key per month.", minimum: 1, maximum: 1000000000, default: 1000000 }),
    },
    { description: "The REST API in each region: throttling and quota of its usage plan." },
  ),
);

export const EventsSpec = section(
  Type.Object(
    {
      schedule: Type.String({
        description: "EventBridge schedule of the DR check, as `rate(...)` or `cron(...)`.",
        pattern: SCHEDULE_PATTERN,
        maxLength: 108,
        default: "rate(5 minutes)",
      }),
    },
    { description: "Scheduled DR checks." },
  ),
);

export const AlertsSpec = section(
  Type.Object(
    {
      emails: Type.Array(Type.String({ pattern: EMAIL_PATTERN, maxLength: 254 }), {
        description: "Addresses subscribed to the alarm topic; each must confirm its subscription.",
        maxItems: 10,
        uniqueItems: true,
        default: [],
        "x-kubernetes-list-type": "set",
      }),
    },
    { description: "Who is told when an alarm fires." },
  ),
);

export const FailoverSpec = section(
  Type.Object(
    {
      healthCheckIntervalSeconds: Type.Union([Type.Literal(10), Type.Literal(30)], {
        description: "Route 53 health check interval in seconds: 10 (fast) or 30 (standard).",
        default: 10,
      }),
      failureThreshold: Type.Integer({
        description: "Consecutive failed checks before a region is unhealthy.",
        minimum: 1,
        maximum: 10,
        default: 3,
      }),
      activeRegion: Type.Union([Type.Literal("primary"), Type.Literal("secondary")], {
        description: "Which region serves traffic and holds the database writer; change it to run a planned switchover.",
        default: "primary",
      }),
      automaticPromotion: Type.Boolean({
        description:
          "true: the secondary promotes itself, possibly losing the writes not yet replicated, once its canary has seen the primary database unavailable for 5 minutes in a row; false: that alarm pages, and a person runs `drctl failover --unplanned`.",
        default: false,
      }),
    },
    { description: "Health checks and switchover (DR tiers only)." },
  ),
);

/** The apex carries the zone's NS and SOA records and often the team's own site: the API gets a name of its own. */
export const DnsSpec = Type.Object(
  {
    hostedZoneId: Type.String({
      description:
        "Id of an existing public Route 53 hosted zone the team owns, e.g. Z0123456789ABCDEFGHIJ. The environment observes it and writes its records into it; it never creates, changes or deletes the zone.",
      pattern: HOSTED_ZONE_ID_PATTERN,
      maxLength: 32,
    }),
    zoneName: Type.String({
      description:
        "DNS name of that zone, e.g. payments.example.com; the environment refuses to write records when the zone has another name.",
      pattern: DNS_NAME_PATTERN,
      maxLength: 253,
    }),
    hostname: Type.String({
      description:
        "Hostname clients call, under zoneName (not the apex, not a wildcard), e.g. api.payments.example.com. It follows the active region: each region serves it through an API Gateway custom domain with its own ACM certificate.",
      pattern: HOSTNAME_PATTERN,
      maxLength: 253,
    }),
  },
  {
    description:
      "The team's own DNS for the failover endpoint (pilot-light and warm-standby). Without it there is no failover hostname: clients switch between the per-region API URLs in status.",
    ...rules(
      {
        rule: "!self.hostname.startsWith('*.')",
        message: "spec.dns.hostname must not be a wildcard: the certificate and the failover records are for one hostname",
        fieldPath: ".hostname",
      },
      {
        rule: "self.hostname != self.zoneName",
        message: "spec.dns.hostname must not be the apex of spec.dns.zoneName: give the API a name under the zone, e.g. api.<zoneName>",
        fieldPath: ".hostname",
      },
      {
        rule: "self.hostname == self.zoneName || self.hostname.endsWith('.' + self.zoneName)",
        message: "spec.dns.hostname must be a name under spec.dns.zoneName: records can only be written into that zone",
        fieldPath: ".hostname",
      },
    ),
  },
);

export const MessagingSpec = section(
  Type.Object(
    {
      enabled: Type.Boolean({
        description:
          "Compose an SQS queue with a dead-letter queue in each region; each region's API sends every record to its own queue and the other region's.",
        default: false,
      }),
    },
    { description: "Optional messaging: a copy of every message in each region's queue." },
  ),
);

export const EnvironmentSpec = Type.Object(
  {
    environmentSuffix: Type.String({
      description: "Short lowercase suffix carried by every AWS name, e.g. prod01. Immutable.",
      pattern: SUFFIX_PATTERN,
      minLength: 2,
      maxLength: 12,
      ...rules(immutable("spec.environmentSuffix")),
    }),
    tier: Type.Union(
      TIERS.map((t) => Type.Literal(t)),
      {
        description: "DR strategy: backup-restore (one region), pilot-light or warm-standby (two regions).",
      },
    ),
    primaryRegion: Type.String({
      ...region("AWS region that serves traffic by default. Immutable."),
      ...rules(immutable("spec.primaryRegion")),
    }),
    secondaryRegion: Type.Optional(
      Type.String({
        ...region("AWS region for recovery; required for pilot-light and warm-standby, different from primaryRegion. Immutable once set."),
        ...rules(immutable("spec.secondaryRegion")),
      }),
    ),
    network: NetworkSpec,
    database: DatabaseSpec,
    api: ApiSpec,
    events: EventsSpec,
    alerts: AlertsSpec,
    failover: FailoverSpec,
    dns: Type.Optional(DnsSpec),
    messaging: MessagingSpec,
    protection: Type.Boolean({
      description: "true: deletion protection, final snapshots and Orphan on stateful resources; false: everything destroyable.",
      default: true,
    }),
    allowTierDowngrade: Type.Boolean({
      description:
        "Allows moving spec.tier to a lower tier (e.g. warm-standby to backup-restore), which deletes the secondary region's replicas and database. Set it for that one change.",
      default: false,
    }),
    providerConfigName: Type.String({
      description: "Name of the provider-aws ProviderConfig every managed resource uses.",
      pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$",
      maxLength: 63,
      default: "default",
    }),
    providerConfigKind: Type.Union([Type.Literal("ClusterProviderConfig"), Type.Literal("ProviderConfig")], {
      description:
        "Namespaced composites only: the provider config kind their managed resources name, the platform's ClusterProviderConfig or a ProviderConfig in the composite's own namespace. A claim's resources always use the cluster-scoped ProviderConfig.",
      default: "ClusterProviderConfig",
    }),
    tags: Type.Record(Type.String({ pattern: TAG_KEY_PATTERN }), Type.String({ maxLength: 256 }), {
      description: "Tags added to every AWS resource, beside the standard ones.",
      maxProperties: 40,
      default: {},
      additionalProperties: false,
    }),
  },
  {
    description: "A disaster-recovery-ready AWS environment.",
    ...rules(
      {
        rule: "self.tier == 'backup-restore' || has(self.secondaryRegion)",
        message: "spec.secondaryRegion is required when spec.tier is pilot-light or warm-standby",
        fieldPath: ".secondaryRegion",
        reason: "FieldValueRequired",
      },
      {
        // Only tiers with a secondary VPC need the ranges apart (they may be peered or routed later).
        rule: `self.tier == 'backup-restore' || ${cidrsDisjoint("self.network.cidr", "self.network.secondaryCidr")}`,
        message: "spec.network.secondaryCidr must not overlap spec.network.cidr",
        fieldPath: ".network.secondaryCidr",
      },
      {
        rule: "!has(self.secondaryRegion) || self.secondaryRegion != self.primaryRegion",
        message: "spec.secondaryRegion must differ from spec.primaryRegion",
        fieldPath: ".secondaryRegion",
      },
      {
        // A transition rule: runs on update only. Lower tiers compose less, so a downgrade deletes data stores.
        rule: `self.allowTierDowngrade || ${TIER_RANK}[self.tier] >= ${TIER_RANK}[oldSelf.tier]`,
        message:
          "spec.tier cannot move to a lower tier unless spec.allowTierDowngrade is true: the secondary region's replicas and database would be deleted",
        fieldPath: ".tier",
      },
      {
        rule: "self.tier != 'backup-restore' || self.failover.activeRegion == 'primary'",
        message: "spec.failover.activeRegion can be secondary only for pilot-light and warm-standby",
        fieldPath: ".failover.activeRegion",
      },
      {
        rule: "self.tier != 'backup-restore' || !has(self.dns)",
        message: "spec.dns applies to pilot-light and warm-standby only: failover records need a secondary region",
        fieldPath: ".dns",
      },
    ),
  },
);

const RegionStatus = Type.Object(
  {
    region: Type.Optional(Type.String()),
    apiUrl: Type.Optional(Type.String({ description: "Invoke URL of the REST API's stage." })),
    dbWriterEndpoint: Type.Optional(Type.String()),
    dbReaderEndpoint: Type.Optional(Type.String()),
    bucketName: Type.Optional(Type.String()),
    tableName: Type.Optional(Type.String()),
  },
  { description: "Endpoints and names observed in one region." },
);

export const EnvironmentStatus = Type.Object(
  {
    primary: Type.Optional(RegionStatus),
    secondary: Type.Optional(RegionStatus),
    failoverDomain: Type.Optional(
      Type.String({ description: "Hostname that follows the active region (spec.dns.hostname); absent without spec.dns." }),
    ),
    failoverUrl: Type.Optional(
      Type.String({ description: "Base URL of the API at the failover hostname, served by the active region's custom domain." }),
    ),
    clientFailover: Type.Optional(Type.String({ description: "How clients reach the active region after a failover." })),
    activeRegion: Type.Optional(Type.String({ description: "AWS region currently serving traffic." })),
    globalWriterEndpoint: Type.Optional(
      Type.String({ description: "Writer endpoint of the Aurora Global Database: it follows the writer across regions." }),
    ),
    backups: Type.Optional(
      Type.Object(
        {
          vaultRegion: Type.String({ description: "Region of the primary's backup vault." }),
          copyRegion: Type.Optional(Type.String({ description: "Region whose own vault receives a copy of every recovery point." })),
          note: Type.String({ description: "Where the recovery points are kept, or that they never leave the region." }),
        },
        { description: "AWS Backup of the database cluster, table and data bucket." },
      ),
    ),
    recovery: Type.Optional(
      Type.Object(
        {
          strategy: Type.String(),
          rpoSeconds: Type.Integer({ description: "Modeled recovery point objective." }),
          rtoSeconds: Type.Integer({ description: "Modeled recovery time objective." }),
          terms: Type.Optional(
            Type.Array(
              Type.Object({
                name: Type.String(),
                step: Type.Optional(
                  Type.String({
                    description: "The recovery step the term counts; the failover orchestrator's steps carry the same names.",
                  }),
                ),
                seconds: Type.Integer(),
              }),
              {
                description: "How the RTO adds up.",
              },
            ),
          ),
        },
        { description: "Recovery objectives modeled from the configuration." },
      ),
    ),
    estimatedMonthlyCostUSD: Type.Optional(Type.Number({ description: "Modeled monthly cost floor in US dollars." })),
    resources: Type.Optional(
      Type.Object(
        {
          desired: Type.Integer(),
          ready: Type.Integer(),
        },
        { description: "Composed managed resources, and how many are ready." },
      ),
    ),
    pending: Type.Optional(Type.Array(Type.String(), { description: "What the environment is still waiting for." })),
  },
  { description: "What the environment looks like in AWS." },
);

export type EnvironmentSpec = Static<typeof EnvironmentSpec>;
export type EnvironmentStatus = Static<typeof EnvironmentStatus>;
export type NetworkSpec = Static<typeof NetworkSpec>;
export type DatabaseSpec = Static<typeof DatabaseSpec>;
export type DnsSpec = Static<typeof DnsSpec>;

/** Keys the composite's connection secret carries. */
export const CONNECTION_SECRET_KEYS = [
  "apiUrl",
  "apiKey",
  "dbWriterEndpoint",
  "dbReaderEndpoint",
  "dbPort",
  "dbMasterUserSecretArn",
] as const;

export type { TSchema };
