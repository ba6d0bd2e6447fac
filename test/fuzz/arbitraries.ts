/**
 * Claim generators for property-based tests: valid claims over every tier, region, zone count,
 * CIDR, capacity, schedule, address and tag the API admits, and invalid claims that break exactly
 * one rule of the API, each labelled with the field its error must name.
 */
import fc from "fast-check";
import { TIERS } from "../../src/api/index.js";
import { availabilityZones } from "../../src/regions.js";
import type { Claim } from "../../functions/src/render.js";

/** Regions, including those whose zones skip a letter or that offer only two zones. */
export const REGIONS = [
  "us-east-1",
  "us-east-2",
  "us-west-1",
  "us-west-2",
  "ca-central-1",
  "eu-west-1",
  "eu-west-2",
  "eu-west-3",
  "eu-central-1",
  "eu-north-1",
  "eu-south-1",
  "ap-northeast-1",
  "ap-northeast-2",
  "ap-southeast-1",
  "ap-southeast-2",
  "ap-south-1",
  "sa-east-1",
  "me-central-1",
  "af-south-1",
  "il-central-1",
  "mx-central-1",
] as const;

export const zonesOf = (region: string) => {
  for (let n = 3; n > 0; n--) {
    try {
      availabilityZones(region, n);
      return n;
    } catch {
      // fewer zones
    }
  }
  return 0;
};

const toAddress = (n: number) => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join(".");

/** A network address of a /16../24 range in a private block, host bits zero. */
export const cidrArb = fc
  .tuple(fc.constantFrom(0x0a000000, 0xac100000, 0xc0a80000), fc.integer({ min: 16, max: 24 }), fc.integer({ min: 0, max: 2 ** 24 - 1 }))
  .map(([block, prefix, offset]) => {
    const span = block === 0x0a000000 ? 2 ** 24 : block === 0xac100000 ? 2 ** 20 : 2 ** 16;
    const size = 2 ** (32 - prefix);
    const start = block + Math.floor((offset % span) / size) * size;
    return `${toAddress(start)}/${prefix}`;
  });

export function cidrRange(cidr: string): [number, number] {
  const [address, prefix] = cidr.split("/");
  const start = address.split(".").reduce((acc, o) => acc * 256 + Number(o), 0);
  return [start, start + 2 ** (32 - Number(prefix)) - 1];
}

export const overlaps = (a: string, b: string) => {
  const [a0, a1] = cidrRange(a);
  const [b0, b1] = cidrRange(b);
  return a0 <= b1 && b0 <= a1;
};

const DEFAULT_SECONDARY_CIDR = "10.1.0.0/16";

/** Capacities in ACUs, steps of 0.5, min <= max, max >= 1. */
export const capacityArb = fc
  .tuple(fc.integer({ min: 1, max: 512 }), fc.integer({ min: 2, max: 512 }))
  .map(([a, b]) => ({ minCapacity: Math.min(a, b) / 2, maxCapacity: Math.max(a, b, 2) / 2 }));

const lower = "abcdefghijklmnopqrstuvwxyz";
const chars = (alphabet: string, min: number, max: number) =>
  fc.array(fc.constantFrom(...alphabet), { minLength: min, maxLength: max }).map((a) => a.join(""));

export const suffixArb = fc.tuple(chars(lower, 1, 1), chars(lower + "0123456789", 1, 11)).map(([a, b]) => a + b);

export const emailArb = fc
  .tuple(
    chars(lower + "ABCXYZ0123456789._%+-", 1, 20),
    chars(lower + "0123456789-", 1, 15),
    fc.constantFrom("com", "example", "io", "co.uk", "dev"),
  )
  .map(([local, domain, tld]) => `${local}@${domain}.${tld}`);

export const scheduleArb = fc.oneof(
  fc
    .tuple(fc.integer({ min: 1, max: 9999 }), fc.constantFrom("minute", "hour", "day"))
    .map(([n, unit]) => `rate(${n} ${n === 1 ? unit : `${unit}s`})`),
  fc
    .tuple(fc.integer({ min: 0, max: 59 }), fc.integer({ min: 0, max: 23 }), fc.constantFrom("*", "MON-FRI", "?"))
    .map(([m, h, dow]) => `cron(${m} ${h} ${dow === "?" ? "*" : "?"} * ${dow} *)`),
);

const TAG_KEY_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 _.:/=+@-";
export const tagsArb = fc.dictionary(
  chars(TAG_KEY_CHARS, 1, 40).filter((k) => !k.startsWith("aws:")),
  chars(TAG_KEY_CHARS, 0, 64),
  { maxKeys: 12 },
);

const dnsLabel = fc
  .tuple(chars(lower, 1, 1), chars(lower + "0123456789-", 0, 10), chars(lower + "0123456789", 1, 1))
  .map((p) => p.join(""));
const zoneNameArb = fc
  .tuple(fc.array(dnsLabel, { minLength: 1, maxLength: 3 }), fc.constantFrom("example", "internal", "com"))
  .map(([labels, tld]) => [...labels, tld].join("."));

const metadataArb = fc
  .record({
    name: dnsLabel,
    namespace: dnsLabel,
    uid: fc.option(fc.uuid(), { nil: undefined }),
  })
  .map(({ uid, ...m }) => (uid ? { ...m, uid } : m));

/** A claim the API admits; optional sections are sometimes left to their defaults. */
export const validClaimArb: fc.Arbitrary<Claim> = fc
  .record({
    tier: fc.constantFrom(...TIERS),
    primaryRegion: fc.constantFrom(...REGIONS),
    secondaryRegion: fc.constantFrom(...REGIONS),
    cidr: cidrArb,
    secondaryCidr: fc.option(cidrArb, { nil: undefined }),
    zoneWish: fc.integer({ min: 2, max: 3 }),
    engineVersion: fc.tuple(fc.integer({ min: 13, max: 17 }), fc.integer({ min: 0, max: 99 })).map(([a, b]) => `${a}.${b}`),
    capacity: capacityArb,
    backupRetentionDays: fc.integer({ min: 7, max: 35 }),
    databaseName: fc.tuple(chars(lower, 1, 1), chars(lower + "0123456789_", 0, 20)).map(([a, b]) => a + b),
    api: fc.record(
      {
        rateLimit: fc.integer({ min: 1, max: 10000 }),
        burstLimit: fc.integer({ min: 1, max: 5000 }),
        quotaPerMonth: fc.integer({ min: 1, max: 1_000_000_000 }),
      },
      { requiredKeys: [] },
    ),
    schedule: fc.option(scheduleArb, { nil: undefined }),
    emails: fc.uniqueArray(emailArb, { maxLength: 10 }),
    failover: fc.record(
      {
        healthCheckIntervalSeconds: fc.constantFrom(10, 30),
        failureThreshold: fc.integer({ min: 1, max: 10 }),
        secondaryActive: fc.boolean(),
      },
      { requiredKeys: [] },
    ),
    dns: fc.option(
      fc.record({
        hostedZoneId: fc.tuple(chars("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 1, 31)).map(([id]) => `Z${id}`),
        zoneName: zoneNameArb,
        label: dnsLabel,
      }),
      { nil: undefined },
    ),
    messaging: fc.option(fc.boolean(), { nil: undefined }),
    protection: fc.option(fc.boolean(), { nil: undefined }),
    allowTierDowngrade: fc.option(fc.boolean(), { nil: undefined }),
    providerConfigName: fc.option(dnsLabel, { nil: undefined }),
    tags: tagsArb,
    suffix: suffixArb,
    metadata: metadataArb,
  })
  .filter((c) => c.secondaryRegion !== c.primaryRegion && !overlaps(c.cidr, c.secondaryCidr ?? DEFAULT_SECONDARY_CIDR))
  .map((c) => {
    const dr = c.tier !== "backup-restore";
    const zones = Math.min(c.zoneWish, zonesOf(c.primaryRegion), dr ? zonesOf(c.secondaryRegion) : 3);
    const { secondaryActive, ...failover } = c.failover;
    const spec: Record<string, unknown> = {
      environmentSuffix: c.suffix,
      tier: c.tier,
      primaryRegion: c.primaryRegion,
      ...(dr ? { secondaryRegion: c.secondaryRegion } : {}),
      network: { cidr: c.cidr, ...(c.secondaryCidr ? { secondaryCidr: c.secondaryCidr } : {}), availabilityZones: zones },
      database: { engineVersion: c.engineVersion, ...c.capacity, backupRetentionDays: c.backupRetentionDays, databaseName: c.databaseName },
      api: c.api,
      ...(c.schedule ? { events: { schedule: c.schedule } } : {}),
      alerts: { emails: c.emails },
      failover: { ...failover, ...(dr && secondaryActive ? { activeRegion: "secondary" } : {}) },
      ...(dr && c.dns
        ? { dns: { hostedZoneId: c.dns.hostedZoneId, zoneName: c.dns.zoneName, hostname: `${c.dns.label}.${c.dns.zoneName}` } }
        : {}),
      ...(c.messaging === undefined ? {} : { messaging: { enabled: c.messaging } }),
      ...(c.protection === undefined ? {} : { protection: c.protection }),
      ...(c.allowTierDowngrade === undefined ? {} : { allowTierDowngrade: c.allowTierDowngrade }),
      ...(c.providerConfigName ? { providerConfigName: c.providerConfigName } : {}),
      tags: c.tags,
    };
    return { apiVersion: "dr.platform.io/v1alpha1", kind: "DisasterRecoveryEnvironment", metadata: c.metadata, spec };
  });

type Spec = Record<string, any>;

export interface Breakage {
  /** What is broken, for the failure report. */
  label: string;
  /** The field the refusal must name. */
  field: string;
  /** Breaks the rule on a copy of a valid spec; undefined when this rule cannot be broken on that spec. */
  apply: (spec: Spec) => Spec | undefined;
}

const edit = (f: (s: Spec) => void) => (spec: Spec) => {
  const copy = structuredClone(spec);
  f(copy);
  return copy;
};
const dr = (spec: Spec) => spec.tier !== "backup-restore";
/** The spec with the team's DNS, for rules only a DNS section can break; a DR tier only. */
const withDns = (f: (dns: Spec) => void) => (spec: Spec) =>
  dr(spec)
    ? edit((s) => {
        s.dns ??= { hostedZoneId: "Z0123456789ABC", zoneName: "team.example.com", hostname: "api.team.example.com" };
        f(s.dns);
      })(spec)
    : undefined;

/** Every rule of the API, broken once. */
export const BREAKAGES: readonly Breakage[] = [
  {
    label: "suffix with an uppercase letter",
    field: "spec.environmentSuffix",
    apply: edit((s) => {
      s.environmentSuffix = `X${s.environmentSuffix.slice(1)}`;
    }),
  },
  {
    label: "suffix starting with a digit",
    field: "spec.environmentSuffix",
    apply: edit((s) => {
      s.environmentSuffix = `1${s.environmentSuffix.slice(1)}`;
    }),
  },
  {
    label: "suffix longer than 12",
    field: "spec.environmentSuffix",
    apply: edit((s) => {
      s.environmentSuffix = `${s.environmentSuffix}abcdefghijkl`.slice(0, 13);
    }),
  },
  {
    label: "suffix missing",
    field: "spec.environmentSuffix",
    apply: edit((s) => {
      delete s.environmentSuffix;
    }),
  },
  {
    label: "unknown tier",
    field: "spec.tier",
    apply: edit((s) => {
      s.tier = "active-active";
    }),
  },
  {
    label: "tier missing",
    field: "spec.tier",
    apply: edit((s) => {
      delete s.tier;
    }),
  },
  {
    label: "primary region not a region",
    field: "spec.primaryRegion",
    apply: edit((s) => {
      s.primaryRegion = "moon-base-1";
    }),
  },
  {
    label: "secondary region not a region",
    field: "spec.secondaryRegion",
    apply: edit((s) => {
      s.secondaryRegion = "us-east-0";
    }),
  },
  {
    label: "DR tier without a secondary region",
    field: "spec.secondaryRegion",
    apply: (s) =>
      dr(s)
        ? edit((c) => {
            delete c.secondaryRegion;
          })(s)
        : undefined,
  },
  {
    label: "secondary region equal to the primary",
    field: "spec.secondaryRegion",
    apply: (s) =>
      dr(s)
        ? edit((c) => {
            c.secondaryRegion = c.primaryRegion;
          })(s)
        : undefined,
  },
  {
    label: "CIDR prefix too short",
    field: "spec.network.cidr",
    apply: edit((s) => {
      s.network.cidr = "10.0.0.0/8";
    }),
  },
  {
    label: "CIDR octet above 255",
    field: "spec.network.cidr",
    apply: edit((s) => {
      s.network.cidr = "10.256.0.0/16";
    }),
  },
  {
    label: "CIDR with host bits",
    field: "spec.network.cidr",
    apply: edit((s) => {
      const [a, p] = s.network.cidr.split("/");
      s.network.cidr = `${a.replace(/\.0$/, ".1")}/${p}`;
    }),
  },
  {
    label: "secondary CIDR overlapping the primary (DR tiers)",
    field: "spec.network.secondaryCidr",
    apply: (s) =>
      dr(s)
        ? edit((c) => {
            c.network.secondaryCidr = c.network.cidr;
          })(s)
        : undefined,
  },
  {
    label: "secondary CIDR with host bits",
    field: "spec.network.secondaryCidr",
    apply: edit((s) => {
      s.network.secondaryCidr = "10.1.0.7/16";
      if (overlaps(s.network.cidr, "10.1.0.0/16")) s.network.cidr = "10.2.0.0/16";
    }),
  },
  {
    label: "one availability zone",
    field: "spec.network.availabilityZones",
    apply: edit((s) => {
      s.network.availabilityZones = 1;
    }),
  },
  {
    label: "four availability zones",
    field: "spec.network.availabilityZones",
    apply: edit((s) => {
      s.network.availabilityZones = 4;
    }),
  },
  {
    label: "three zones in a two-zone region",
    field: "spec.network.availabilityZones",
    apply: edit((s) => {
      s.primaryRegion = "us-west-1";
      if (s.secondaryRegion === "us-west-1") s.secondaryRegion = "us-west-2";
      s.network.availabilityZones = 3;
    }),
  },
  {
    label: "engine version not PostgreSQL 13-17",
    field: "spec.database.engineVersion",
    apply: edit((s) => {
      s.database.engineVersion = "12.4";
    }),
  },
  {
    label: "min capacity not a multiple of 0.5",
    field: "spec.database.minCapacity",
    apply: edit((s) => {
      s.database.minCapacity = 0.75;
      s.database.maxCapacity = Math.max(s.database.maxCapacity, 1);
    }),
  },
  {
    label: "min capacity above max",
    field: "spec.database.minCapacity",
    apply: edit((s) => {
      s.database.maxCapacity = 2;
      s.database.minCapacity = 2.5;
    }),
  },
  {
    label: "max capacity above 256",
    field: "spec.database.maxCapacity",
    apply: edit((s) => {
      s.database.maxCapacity = 256.5;
    }),
  },
  {
    label: "max capacity below 1",
    field: "spec.database.maxCapacity",
    apply: edit((s) => {
      s.database.minCapacity = 0.5;
      s.database.maxCapacity = 0.5;
    }),
  },
  {
    label: "backup retention below 7 days",
    field: "spec.database.backupRetentionDays",
    apply: edit((s) => {
      s.database.backupRetentionDays = 6;
    }),
  },
  {
    label: "backup retention not whole days",
    field: "spec.database.backupRetentionDays",
    apply: edit((s) => {
      s.database.backupRetentionDays = 7.5;
    }),
  },
  {
    label: "database name with a dash",
    field: "spec.database.databaseName",
    apply: edit((s) => {
      s.database.databaseName = "my-db";
    }),
  },
  {
    label: "rate limit zero",
    field: "spec.api.rateLimit",
    apply: edit((s) => {
      s.api.rateLimit = 0;
    }),
  },
  {
    label: "burst limit above 5000",
    field: "spec.api.burstLimit",
    apply: edit((s) => {
      s.api.burstLimit = 5001;
    }),
  },
  {
    label: "quota above a billion",
    field: "spec.api.quotaPerMonth",
    apply: edit((s) => {
      s.api.quotaPerMonth = 1_000_000_001;
    }),
  },
  {
    label: "schedule neither rate nor cron",
    field: "spec.events.schedule",
    apply: edit((s) => {
      s.events = { schedule: "every 5 minutes" };
    }),
  },
  {
    label: "an address without a domain",
    field: "spec.alerts.emails",
    apply: edit((s) => {
      s.alerts.emails = [...s.alerts.emails.slice(0, 9), "oncall"];
    }),
  },
  {
    label: "an address twice",
    field: "spec.alerts.emails",
    apply: edit((s) => {
      s.alerts.emails = ["a@example.com", "a@example.com"];
    }),
  },
  {
    label: "eleven addresses",
    field: "spec.alerts.emails",
    apply: edit((s) => {
      s.alerts.emails = Array.from({ length: 11 }, (_, i) => `p${i}@example.com`);
    }),
  },
  {
    label: "health check every 20 s",
    field: "spec.failover.healthCheckIntervalSeconds",
    apply: edit((s) => {
      s.failover.healthCheckIntervalSeconds = 20;
    }),
  },
  {
    label: "failure threshold 11",
    field: "spec.failover.failureThreshold",
    apply: edit((s) => {
      s.failover.failureThreshold = 11;
    }),
  },
  {
    label: "DNS zone name with an underscore",
    field: "spec.dns.zoneName",
    apply: withDns((d) => {
      d.zoneName = "bad_zone.example";
      d.hostname = "api.bad_zone.example";
    }),
  },
  {
    label: "hosted zone id in lowercase",
    field: "spec.dns.hostedZoneId",
    apply: withDns((d) => {
      d.hostedZoneId = "z0123abc";
    }),
  },
  {
    label: "wildcard hostname",
    field: "spec.dns.hostname",
    apply: withDns((d) => {
      d.hostname = `*.${d.zoneName}`;
    }),
  },
  {
    label: "hostname at the zone apex",
    field: "spec.dns.hostname",
    apply: withDns((d) => {
      d.hostname = d.zoneName;
    }),
  },
  {
    label: "hostname outside the zone",
    field: "spec.dns.hostname",
    apply: withDns((d) => {
      d.hostname = `api.other-${d.zoneName}`;
    }),
  },
  {
    label: "DNS for a tier without a secondary",
    field: "spec.dns",
    apply: (s) =>
      dr(s)
        ? undefined
        : edit((c) => {
            c.dns = { hostedZoneId: "Z0123456789ABC", zoneName: "team.example.com", hostname: "api.team.example.com" };
          })(s),
  },
  {
    label: "active region neither primary nor secondary",
    field: "spec.failover.activeRegion",
    apply: edit((s) => {
      s.failover.activeRegion = "tertiary";
    }),
  },
  {
    label: "secondary active without a secondary",
    field: "spec.failover.activeRegion",
    apply: (s) =>
      dr(s)
        ? undefined
        : edit((c) => {
            c.failover.activeRegion = "secondary";
          })(s),
  },
  {
    label: "messaging.enabled not a boolean",
    field: "spec.messaging.enabled",
    apply: edit((s) => {
      s.messaging = { enabled: "yes" };
    }),
  },
  {
    label: "protection not a boolean",
    field: "spec.protection",
    apply: edit((s) => {
      s.protection = "true";
    }),
  },
  {
    label: "allowTierDowngrade not a boolean",
    field: "spec.allowTierDowngrade",
    apply: edit((s) => {
      s.allowTierDowngrade = 1;
    }),
  },
  {
    label: "provider config name with capitals",
    field: "spec.providerConfigName",
    apply: edit((s) => {
      s.providerConfigName = "Default";
    }),
  },
  {
    label: "tag key with a comma",
    field: "spec.tags",
    apply: edit((s) => {
      s.tags = { "Cost,Center": "x" };
    }),
  },
  {
    label: "tag value over 256 characters",
    field: "spec.tags",
    apply: edit((s) => {
      s.tags = { Owner: "x".repeat(257) };
    }),
  },
  {
    label: "41 tags",
    field: "spec.tags",
    apply: edit((s) => {
      s.tags = Object.fromEntries(Array.from({ length: 41 }, (_, i) => [`k${i}`, "v"]));
    }),
  },
  {
    label: "network not an object",
    field: "spec.network",
    apply: edit((s) => {
      s.network = "10.0.0.0/16";
    }),
  },
];

/** An invalid claim: a valid one with one rule broken, and the breakage that did it. */
export const invalidClaimArb: fc.Arbitrary<{ claim: Claim; breakage: Breakage }> = fc
  .tuple(validClaimArb, fc.constantFrom(...BREAKAGES))
  .map(([claim, breakage]) => ({ claim: { ...claim, spec: breakage.apply(claim.spec ?? {}) }, breakage }))
  .filter((c) => c.claim.spec !== undefined);

/** Any JSON at all as a spec, or a valid spec with one field replaced by any JSON: the function must answer, never throw. */
export const anySpecArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue(),
  validClaimArb.chain((c) =>
    fc.constantFrom(...Object.keys(c.spec ?? {})).chain((key) => fc.jsonValue().map((junk) => ({ ...c.spec, [key]: junk }))),
  ),
);

/** A permutation of `n` positions. */
export const permutationArb = (n: number) =>
  fc.shuffledSubarray(
    Array.from({ length: n }, (_, i) => i),
    { minLength: n, maxLength: n },
  );
