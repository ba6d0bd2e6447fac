/**
 * The composition function: observed composite (and composed resources) in, the complete
 * desired environment, its status and readiness out. Pure: no network, clock or randomness.
 */
import {
  fatal,
  fromObject,
  getObservedComposedResources,
  getObservedCompositeResource,
  normal,
  Ready,
  setDesiredCompositeStatus,
  warning,
  type ComposeFunction,
} from "@crossplane-org/function-sdk-typescript";
import { buildEnvironment, type CompositeResource, type ObservedResource } from "./environment.js";
import { composeEnvironment } from "./compose.js";
import { environmentStatus, isReady } from "./status.js";
import { refuseTierDowngrade } from "./guards.js";
import { connectionDetails, type ObservedConnections } from "./connection.js";
import type { Pending } from "./scope.js";
import { ComposeMemo } from "./memo.js";
import { mebibytesFromEnv } from "./settings.js";

/**
 * Block results kept across reconciles, in JSON bytes of the manifests. A warm-standby environment
 * is about 300 KiB, so 8 MiB keeps the last two dozen composites; FUNCTION_MEMO_MIB overrides it
 * (0 turns it off). bench/memory.ts measures what it costs in resident memory.
 */
export const DEFAULT_MEMO_BYTES = 8 * 1024 * 1024;
export const composeMemo = new ComposeMemo(mebibytesFromEnv("FUNCTION_MEMO_MIB", DEFAULT_MEMO_BYTES));

/** "waiting for 87 values AWS decides, e.g. …; status.pending lists them" */
export function pendingMessage(pending: Pending[]): string {
  const waiting = new Set(pending.map((p) => p.resource)).size;
  return `${waiting} resources wait for ${pending.length} values AWS decides (first: ${pending[0]!.resource} ${pending[0]!.reason}); status.pending lists them`;
}

export const compose: ComposeFunction = (req, rsp, logger) => {
  const xr = getObservedCompositeResource(req)?.resource as CompositeResource | undefined;
  if (!xr) return fatal(rsp, "the request has no observed composite resource");
  const observed: Record<string, ObservedResource> = {};
  const connections: ObservedConnections = {};
  for (const [name, composed] of Object.entries(getObservedComposedResources(req))) {
    if (composed.resource) observed[name] = composed.resource as ObservedResource;
    if (composed.connectionDetails) connections[name] = composed.connectionDetails;
  }

  let state;
  let env;
  try {
    env = buildEnvironment(xr, observed);
    refuseTierDowngrade(env);
    state = composeEnvironment(env, composeMemo);
  } catch (error) {
    // Fatal leaves the previous desired state in place: nothing composed so far is dropped.
    const message = error instanceof Error ? error.message : String(error);
    logger?.warn({ composite: xr.metadata?.name }, "composition refused");
    return fatal(rsp, `${xr.metadata?.name ?? "composite"}: ${message}`);
  }

  for (const [name, manifest] of Object.entries(state.resources)) {
    rsp.desired.resources[name] = fromObject(manifest, undefined, isReady(observed[name]) ? Ready.READY_TRUE : Ready.READY_FALSE);
  }
  const names = Object.keys(state.resources);
  const status = environmentStatus(env, names, state.pending);
  setDesiredCompositeStatus({ rsp, status: status as Record<string, unknown> });
  // Legacy (claim) composites publish these into the claim's connection secret; values are never
  // logged. Crossplane v2 keeps no connection secret for a namespaced composite: nothing to send.
  if (rsp.desired.composite && env.flavor === "cluster")
    for (const [key, value] of Object.entries(connectionDetails(env, connections)))
      rsp.desired.composite.connectionDetails[key] = Buffer.from(value);
  // Ready only when every resource is composed and ready: Crossplane's own rule counts only what is
  // composed, and resources still waiting for a value AWS decides are not composed yet.
  const ready = state.pending.length === 0 && status.resources?.ready === names.length;
  rsp.desired!.composite!.ready = ready ? Ready.READY_TRUE : Ready.READY_FALSE;
  // One result, not one per value: each result becomes an event on the composite.
  if (state.pending.length > 0) warning(rsp, pendingMessage(state.pending));
  normal(rsp, `composed ${names.length} resources for a ${env.tier} environment; ${status.resources?.ready ?? 0} ready`);
  logger?.debug({ composite: env.name, resources: names.length }, "composed");
  return rsp;
};
