/**
 * Broken claims, each with the field the refusal must name: refused in-process by the XRD's schema
 * and CEL rules (test/package) and by a real API server (test/e2e).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { fileURLToPath } from "node:url";

const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));

type Spec = Record<string, any>;
const example = (tier: string): Spec => parse(readFileSync(join(REPO_ROOT, "examples", `${tier}.yaml`), "utf8")).spec as Spec;
const valid = example("warm-standby");
const backupOnly = example("backup-restore");
const edit = (base: Spec, patch: (s: Spec) => void): Spec => {
  const s = structuredClone(base);
  patch(s);
  return s;
};

/** [what is wrong, the field the refusal must name, spec] */
export const INVALID_CLAIMS: Array<[string, string, Spec]> = [
  [
    "a DR tier without a secondary region",
    "spec.secondaryRegion",
    edit(valid, (s) => {
      delete s.secondaryRegion;
    }),
  ],
  [
    "the secondary region equal to the primary",
    "spec.secondaryRegion",
    edit(valid, (s) => {
      s.secondaryRegion = s.primaryRegion;
    }),
  ],
  [
    "overlapping CIDRs",
    "spec.network.secondaryCidr",
    edit(valid, (s) => {
      s.network = { cidr: "10.0.0.0/16", secondaryCidr: "10.0.128.0/17" };
    }),
  ],
  [
    "a CIDR with host bits set",
    "spec.network.cidr",
    edit(valid, (s) => {
      s.network.cidr = "10.0.3.0/16";
    }),
  ],
  [
    "a CIDR wider than /16",
    "spec.network.cidr",
    edit(valid, (s) => {
      s.network.cidr = "10.0.0.0/8";
    }),
  ],
  [
    "more availability zones than allowed",
    "spec.network.availabilityZones",
    edit(valid, (s) => {
      s.network.availabilityZones = 4;
    }),
  ],
  [
    "min capacity above max capacity",
    "spec.database.minCapacity",
    edit(valid, (s) => {
      s.database.minCapacity = 8;
      s.database.maxCapacity = 4;
    }),
  ],
  [
    "a capacity off the half-ACU grid",
    "spec.database.minCapacity",
    edit(valid, (s) => {
      s.database.minCapacity = 0.75;
    }),
  ],
  [
    "backups kept under a week",
    "spec.database.backupRetentionDays",
    edit(valid, (s) => {
      s.database.backupRetentionDays = 3;
    }),
  ],
  [
    "an uppercase suffix",
    "spec.environmentSuffix",
    edit(valid, (s) => {
      s.environmentSuffix = "Prod01";
    }),
  ],
  [
    "a suffix longer than 12 characters",
    "spec.environmentSuffix",
    edit(valid, (s) => {
      s.environmentSuffix = "production001";
    }),
  ],
  [
    "an unknown tier",
    "spec.tier",
    edit(valid, (s) => {
      s.tier = "multi-site";
    }),
  ],
  [
    "a malformed region",
    "spec.primaryRegion",
    edit(valid, (s) => {
      s.primaryRegion = "us-east";
    }),
  ],
  [
    "a malformed alert address",
    "spec.alerts.emails",
    edit(valid, (s) => {
      s.alerts.emails = ["oncall-at-example.com"];
    }),
  ],
  [
    "a health check interval Route 53 does not offer",
    "spec.failover.healthCheckIntervalSeconds",
    edit(valid, (s) => {
      s.failover.healthCheckIntervalSeconds = 20;
    }),
  ],
  [
    "switching a single-region tier to its secondary",
    "spec.failover.activeRegion",
    edit(backupOnly, (s) => {
      s.failover = { activeRegion: "secondary" };
    }),
  ],
  [
    "a schedule EventBridge cannot parse",
    "spec.events.schedule",
    edit(valid, (s) => {
      s.events = { ...s.events, schedule: "every 5 minutes" };
    }),
  ],
  [
    "a tag key with forbidden characters",
    "spec.tags",
    edit(valid, (s) => {
      s.tags = { "cost!center": "x" };
    }),
  ],
  [
    "a failover hostname outside the team's zone",
    "spec.dns.hostname",
    edit(valid, (s) => {
      s.dns.hostname = "api.payments.example.net";
    }),
  ],
  [
    "a wildcard failover hostname",
    "spec.dns.hostname",
    edit(valid, (s) => {
      s.dns.hostname = `*.${s.dns.zoneName}`;
    }),
  ],
  [
    "the zone apex as the failover hostname",
    "spec.dns.hostname",
    edit(valid, (s) => {
      s.dns.hostname = s.dns.zoneName;
    }),
  ],
  [
    "a hosted zone id that is not one",
    "spec.dns.hostedZoneId",
    edit(valid, (s) => {
      s.dns.hostedZoneId = "payments.example.com";
    }),
  ],
  [
    "DNS for a tier without a secondary region",
    "spec.dns",
    edit(backupOnly, (s) => {
      s.dns = { hostedZoneId: "Z0123456789ABCDEF", zoneName: "reports.example.com", hostname: "api.reports.example.com" };
    }),
  ],
];

/** [what changes, the field the refusal must name, merge patch for spec] on the live warm-standby claim. */
export const VALID_SPEC = valid;

export const IMMUTABLE_CHANGES: Array<[string, string, Spec]> = [
  ["the suffix", "spec.environmentSuffix", { environmentSuffix: "prod02" }],
  ["the primary region", "spec.primaryRegion", { primaryRegion: valid.primaryRegion === "us-west-2" ? "eu-west-1" : "us-west-2" }],
  ["the secondary region", "spec.secondaryRegion", { secondaryRegion: valid.secondaryRegion === "us-west-2" ? "eu-west-1" : "us-west-2" }],
];
