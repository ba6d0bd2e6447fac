/**
 * The one provider-upjet-aws release this configuration is built, typed and tested against.
 * The typed models (@crossplane-models/provider-upjet-aws 2.3.0-build.1) were generated from
 * the v2.2.0 CRDs; the Configuration's dependsOn and the test CRDs use the same release.
 */
export const PROVIDER_AWS_VERSION = "v2.2.0";
/**
 * Kinds first composed once provider v2.6.0 was current, emitted at the version it stores; v2.2.0
 * serves that version too and neither release deprecates it (test/function/kinds.test.ts checks
 * both releases' CRDs). Every other kind is emitted at the pinned release's storage version
 * (src/provider-storage-versions.json).
 */
export const AT_CURRENT_STORAGE: Readonly<Record<string, string>> = {
  "acm.aws.upbound.io/Certificate": "v1beta2",
  "apigateway.aws.upbound.io/DomainName": "v1beta2",
};
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
  "sns",
  "sqs",
] as const;
export type ProviderFamilyMember = (typeof PROVIDER_FAMILY_MEMBERS)[number];

export function providerPackage(member: ProviderFamilyMember): string {
  return `${PROVIDER_AWS_PACKAGE_PREFIX}${member}`;
}
