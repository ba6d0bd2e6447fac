/**
 * What a person reads first after a render: a few short lines with the tier and regions, how many
 * resources in each region and block, the recovery objectives, the cost and what it waits for.
 * The full stream goes where -o says.
 */
import type { EnvironmentStatus } from "../../src/api/index.js";
import { LABELS } from "../../functions/src/scope.js";
import { WAITING } from "../policy/settle.js";
import type { K8sObject, Rendered } from "./output.js";

export function formatSeconds(s: number): string {
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${s % 60 ? `${s % 60}s` : ""}`;
  return `${Math.floor(s / 3600)}h${s % 3600 ? `${Math.round((s % 3600) / 60)}m` : ""}`;
}

/** "105 primary, 108 secondary": counts by a label, largest first. */
function countsBy(composed: K8sObject[], label: string): string {
  const counts = new Map<string, number>();
  for (const c of composed) {
    const value = c.metadata?.labels?.[label] ?? "other";
    counts.set(value, (counts.get(value) ?? 0) + 1);
  }
  return [...counts]
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
    .map(([k, n]) => `${n} ${k}`)
    .join(", ");
}

/** `tier` is the claim's: the rendered XR carries only the status the function returned. */
export function summaryOf(r: Rendered, { tier = "?", settled = false } = {}): string {
  const status = (r.composite.status ?? {}) as EnvironmentStatus;
  const regions = [status.primary?.region, status.secondary?.region].filter(Boolean);
  const active = status.activeRegion;
  const where = regions.map((region) => (region === active && regions.length > 1 ? `${region} (active)` : region)).join(" -> ");
  const rpo = status.recovery?.rpoSeconds;
  const rto = status.recovery?.rtoSeconds;
  const cost = status.estimatedMonthlyCostUSD;
  const waiting = (status.pending ?? []).filter((p) => WAITING.test(p));
  const waitingResources = new Set(waiting.map((p) => p.split(" ")[0]));
  const lines = [
    `${r.composite.metadata?.name}: ${tier}, ${where || "?"}${settled ? " (settled: every value AWS decides made up)" : ""}`,
    `  ${r.composed.length} resources: ${countsBy(r.composed, LABELS.regionRole)}`,
    `  by block: ${countsBy(r.composed, LABELS.block)}`,
    `  RPO ${rpo === undefined ? "?" : formatSeconds(rpo)}, RTO ${rto === undefined ? "?" : formatSeconds(rto)}, ~$${cost === undefined ? "?" : cost.toFixed(2)}/month`,
    ...(status.failoverUrl
      ? [`  clients call ${status.failoverUrl}, which follows the active region`]
      : status.secondary
        ? ["  no failover hostname (spec.dns): clients switch between the per-region URLs"]
        : []),
    waiting.length > 0
      ? `  waiting: ${waitingResources.size} resources wait for ${waiting.length} values AWS decides (status.pending; --settled shows the complete environment)`
      : "  waiting for nothing: every resource is composed",
  ];
  return lines.join("\n");
}
