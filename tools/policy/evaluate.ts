/** Runs every rule over one environment's composed resources. */
import type { Resources } from "./resources.js";
import { RULES, type PolicyContext, type Rule, type Violation } from "./rules.js";

export interface RuleResult {
  rule: Rule;
  violations: Violation[];
}

export function evaluate(resources: Resources, context: PolicyContext, rules: readonly Rule[] = RULES): RuleResult[] {
  return rules.map((rule) => ({ rule, violations: rule.check(resources, context) }));
}

export function failures(results: RuleResult[]): string[] {
  return results.flatMap(({ rule, violations }) => violations.map((v) => `${rule.id}: ${v.resource}: ${v.message}`));
}

/** A fixed-width pass/fail table, one row per rule. */
export function table(results: RuleResult[]): string {
  const rows = results.map(({ rule, violations }) => [
    violations.length === 0 ? "PASS" : "FAIL",
    rule.id,
    rule.control ?? "-",
    rule.description,
  ]);
  const header = ["RESULT", "RULE", "FSBP", "CONTROL"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i < 3 ? c.padEnd(widths[i]) : c)).join("  ");
  const details = results.flatMap(({ rule, violations }) => violations.map((v) => `  ${rule.id}: ${v.resource}: ${v.message}`));
  return [line(header), ...rows.map(line), ...(details.length ? ["", "Violations:", ...details] : [])].join("\n");
}
