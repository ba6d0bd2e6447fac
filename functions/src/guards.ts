/**
 * Refuses changes the claim's schema cannot see. The function never gets the previous spec, but it
 * does see what was composed before: resources in the secondary region, and the tier every
 * resource was labelled with. A spec that would drop them is refused (Crossplane keeps the previous
 * desired state on Fatal) unless `spec.allowTierDowngrade` says the deletion is intended. The
 * XRD's transition rule refuses the same change at the API server; this holds where that rule is
 * bypassed (an XR edited directly, a composition switched under a claim).
 */
import { ClaimValidationError, TIERS, type Tier } from "../../src/api/index.js";
import type { Environment, ObservedResource } from "./environment.js";
import { LABELS } from "./scope.js";
import { BACKUP_REGION_RESOURCES } from "./blocks/backup.js";

const rank = (tier: string): number => TIERS.indexOf(tier as Tier);

/** Read from the labels: an observed spec is decoded only when something reads it (codec.ts). */
const observedTier = (resource: ObservedResource): string | undefined => resource.metadata?.labels?.[LABELS.tier];

export function refuseTierDowngrade(env: Environment): void {
  if (env.spec.allowTierDowngrade) return;
  const observed = Object.entries(env.observed);
  // What a backup-restore environment composes in its backup region is no sign of a downgrade.
  // A Usage only orders the deletion of the resources it names, so it is judged by them, not by itself.
  const keptInBackupRegion = (name: string, r: ObservedResource) =>
    env.backupOnlyRegion !== undefined && (BACKUP_REGION_RESOURCES.includes(name) || r.kind === "Usage");
  const secondary = env.secondary
    ? []
    : observed.filter(
        ([name, r]) =>
          (r.metadata?.labels?.[LABELS.regionRole] === "secondary" || name.startsWith("secondary-")) && !keptInBackupRegion(name, r),
      );
  const current = rank(env.tier);
  const higher = observed.filter(([, r]) => rank(observedTier(r) ?? "") > current);
  if (secondary.length === 0 && higher.length === 0) return;
  // Sorted only to name the same example every time; the common path above does no sorting.
  const byName = ([a]: [string, unknown], [b]: [string, unknown]) => a.localeCompare(b);
  secondary.sort(byName);
  higher.sort(byName);
  const [name, resource] = secondary[0] ?? higher[0];
  const what =
    secondary.length > 0
      ? `${secondary.length} composed resources of the secondary region exist (e.g. ${name})`
      : `${name} was composed for tier ${observedTier(resource)}`;
  throw new ClaimValidationError([
    {
      field: "spec.tier",
      message: `spec.tier ${env.tier} is a downgrade: ${what}, and composing ${env.tier} would delete them; set spec.allowTierDowngrade: true to do it on purpose`,
    },
  ]);
}
