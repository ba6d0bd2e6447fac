/**
 * Runs one building block for one region of a claim, outside the composer: what block unit tests
 * need to look at the typed models a block returns and the values it waits for.
 */
import { buildEnvironment, type ObservedResource, type RegionRole } from "../../functions/src/environment.js";
import { RegionScope, type Pending } from "../../functions/src/scope.js";
import type { Block, ManagedResource } from "../../functions/src/block.js";

export const BASE_SPEC = {
  environmentSuffix: "stage",
  tier: "backup-restore",
  primaryRegion: "us-west-2",
};

export const TWO_REGION_SPEC = { ...BASE_SPEC, tier: "pilot-light", secondaryRegion: "us-east-1" };

export interface BlockRun {
  scope: RegionScope;
  pending: Pending[];
  /** Logical name -> the manifest the model serialises to. */
  out: Record<string, any>;
  models: Record<string, ManagedResource>;
}

export function runBlock(
  block: Block,
  spec: Record<string, unknown>,
  {
    observed = {},
    role = "primary",
    uid = "0b0e7c52-1111-4222-8333-944455556666",
    namespace = "team-orders",
  }: { observed?: Record<string, ObservedResource>; role?: RegionRole; uid?: string; namespace?: string } = {},
): BlockRun {
  const env = buildEnvironment({ metadata: { name: "orders", namespace, uid }, spec }, observed);
  // A backup-restore claim's secondary role is its backup region.
  const region = role === "secondary" ? (env.secondary ?? env.backupOnlyRegion) : env.primary;
  if (!region) throw new Error(`the claim has no ${role} region`);
  const pending: Pending[] = [];
  const scope = new RegionScope(env, region, block.name, pending);
  const models = block(scope);
  const out = Object.fromEntries(Object.entries(models).map(([name, model]) => [name, model.toJSON()]));
  return { scope, pending, out, models };
}

/** An observed composed resource that reports `atProvider` values. */
export function observedWith(atProvider: Record<string, unknown>): ObservedResource {
  return { status: { atProvider, conditions: [{ type: "Ready", status: "True" }] } };
}
