/**
 * AWS names that more than one block needs: the block that creates a resource and the blocks
 * that point at it by name (alarm dimensions, environment variables, policies) read them here.
 */
import type { RegionScope } from "../scope.js";

/** Lambda handlers per region; DR tiers add the failover orchestrator, messaging the replicator. */
export type Handler = "api" | "dr-check" | "failover" | "replicator";

export function handlersFor(scope: RegionScope): Handler[] {
  const { env, region } = scope;
  const handlers: Handler[] = ["api", "dr-check"];
  if (region.role === "secondary") handlers.push("failover");
  if (env.spec.messaging.enabled && env.secondary) handlers.push("replicator");
  return handlers;
}

/** Logical names other blocks point at (selectors, observed values); the owning block uses these too. */
export const LOGICAL = {
  restApi: "rest-api",
  apiStage: "api-stage",
  auroraCluster: "aurora-cluster",
  table: "table",
  bucket: "bucket",
} as const;

export function resourceNames(scope: RegionScope) {
  return {
    auroraCluster: scope.name("aurora", true),
    table: scope.name("table"),
    restApi: scope.name("api", true),
    apiStage: "live",
    functions: handlersFor(scope).map((handler) => ({ handler, name: scope.name(handler, true) })),
  };
}
