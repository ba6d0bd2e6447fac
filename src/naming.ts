/**
 * AWS naming and tagging rules. Every AWS name carries the environment suffix and the owner id: a
 * short hash of the claim's namespace and name. The provider adopts an existing AWS resource by
 * its external name, so two claims must never share one; and a claim deleted and created again
 * (same namespace, same name) must get the same names back to adopt what protection kept. The
 * composite's uid is neither: it changes when the claim is created again.
 */
import { createHash } from "node:crypto";

export function shortHash(value: string, length = 8): string {
  return createHash("sha256").update(value).digest("hex").slice(0, length);
}

/** The claim an environment belongs to; a composite without a claim stands for itself. */
export interface Owner {
  namespace?: string;
  name: string;
}

export const OWNER_ID_LENGTH = 8;

/**
 * 8 hex characters of sha256 over `<namespace>/<name>`: the same for the same claim, different for
 * claims of other namespaces or names (32 bits: a clash needs the same suffix as well).
 */
export function ownerId({ namespace, name }: Owner): string {
  return shortHash(`${namespace ?? ""}/${name}`, OWNER_ID_LENGTH);
}

export interface NameParts {
  suffix: string;
  owner: string;
  region?: string;
}

/**
 * `dr-<what>-<suffix>-<owner>` or `dr-<what>-<suffix>-<owner>-<region>`; what is lowercase words
 * joined by dashes.
 */
export function awsName(what: string, { suffix, owner, region }: NameParts): string {
  return ["dr", what, suffix, owner, region].filter(Boolean).join("-");
}

/** The environment's part of path-like names (log groups): `<suffix>-<owner>`. */
export function environmentPath({ suffix, owner }: NameParts): string {
  return `${suffix}-${owner}`;
}

/** A globally unique S3 bucket name, at most 63 characters. */
export function bucketName(what: string, parts: Required<NameParts>): string {
  const name = awsName(what, parts);
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
