/**
 * The provider-upjet-aws release the install manifests install: the lowest tested one, from whose
 * CRDs the typed models (@crossplane-models/provider-upjet-aws 2.3.0-build.1) were generated.
 */
export const PROVIDER_AWS_VERSION = "v2.2.0";
/** Releases whose CRDs the reference table (src/provider-references.json) is derived from and checked against. */
export const PROVIDER_AWS_TESTED_RELEASES = ["v2.2.0", "v2.6.0"] as const;
/** What the Configuration accepts: the lowest tested release and every later v2. */
export const PROVIDER_AWS_VERSION_RANGE = `>=${PROVIDER_AWS_TESTED_RELEASES[0]} <v3.0.0`;
export const PROVIDER_AWS_PACKAGE_PREFIX = "xpkg.upbound.io/upbound/provider-aws-";
/** The family provider that owns the ProviderConfig API; every member depends on it. */
export const PROVIDER_FAMILY_PACKAGE = "xpkg.upbound.io/upbound/provider-family-aws";

/** The family members the environment composes, by API group prefix (`ec2` serves ec2.aws.upbound.io). */
export const PROVIDER_FAMILY_MEMBERS = [
  "acm",
  "apigateway",
  "backup",
  "cloudwatch",
  "cloudwatchevents",
  "cloudwatchlogs",
  "dynamodb",
  "ec2",
  "iam",
  "kms",
  "lambda",
  "rds",
  "route53",
  "s3",
  "secretsmanager",
  "sns",
  "sqs",
] as const;
export type ProviderFamilyMember = (typeof PROVIDER_FAMILY_MEMBERS)[number];

export function providerPackage(member: ProviderFamilyMember): string {
  return `${PROVIDER_AWS_PACKAGE_PREFIX}${member}`;
}

/** The one version provider-upjet-aws serves for its namespaced (`*.aws.m.upbound.io`) kinds, v2.2.0 to v2.6.0. */
export const NAMESPACED_MODEL_VERSION = "v1beta1";
