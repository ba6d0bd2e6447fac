/**
 * AWS naming and tagging rules. Every AWS name carries the environment suffix; names that must
 * be globally unique (S3 buckets) add a short hash of the composite's uid, stable for the
 * environment's life and never random.
 */
import { createHash } from "node:crypto";

export function shortHash(value: string, length = 8): string {
  return createHash("sha256").update(value).digest("hex").slice(0, length);
}

export interface NameParts {
  suffix: string;
  region?: string;
}

/** `dr-<what>-<suffix>` or `dr-<what>-<suffix>-<region>`; what is lowercase words joined by dashes. */
export function awsName(what: string, { suffix, region }: NameParts): string {
  return ["dr", what, suffix, region].filter(Boolean).join("-");
}

/** A globally unique S3 bucket name, at most 63 characters. */
export function bucketName(what: string, suffix: string, region: string, uid: string): string {
  const name = `dr-${what}-${suffix}-${region}-${shortHash(uid)}`;
  if (name.length > 63) throw new Error(`bucket name ${name} is longer than 63 characters`);
  return name;
}

export const STANDARD_TAG_KEYS = {
  environment: "dr.platform.io/environment",
  tier: "dr.platform.io/tier",
  regionRole: "dr.platform.io/region-role",
  managedBy: "managed-by",
} as const;

/** The hostname that follows the active region: the team's own (spec.dns.hostname); none without it. */
export function failoverDomain(dns?: { hostname: string }): string | undefined {
  return dns?.hostname;
}

/** The API's base URL at the failover hostname: each region's custom domain maps its root to the stage. */
export function failoverUrl(dns?: { hostname: string }): string | undefined {
  const hostname = failoverDomain(dns);
  return hostname ? `https://${hostname}` : undefined;
}
