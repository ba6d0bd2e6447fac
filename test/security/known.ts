/**
 * Violations of the security controls that composed output has today and that its owners have
 * been told about. The rules stay strict; these are subtracted where whole environments are
 * judged, and test/security/policy.test.ts fails once one no longer occurs, so the list cannot rot.
 */
export interface KnownViolation {
  rule: string;
  /** Composed resource names it occurs on. */
  resource: RegExp;
  /** Part of the violation's message. */
  message: string;
  why: string;
}

export const KNOWN_VIOLATIONS: readonly KnownViolation[] = [
  // e.g. { rule: "iam-no-wildcard-actions", resource: /^secondary-role-failover-policy$/, message: "kms:GenerateDataKey*", why: "..." }
];

/** `failures()` lines (`rule: resource: message`) that are not known. */
export function unknownFailures(lines: string[]): string[] {
  return lines.filter((line) => {
    const [rule, resource, ...rest] = line.split(": ");
    return !KNOWN_VIOLATIONS.some((k) => k.rule === rule && k.resource.test(resource) && rest.join(": ").includes(k.message));
  });
}
