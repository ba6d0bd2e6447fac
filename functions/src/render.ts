/**
 * Renders a claim in-process exactly as Crossplane would: the claim becomes a composite, the
 * composite goes through the function's gRPC handler as a RunFunctionRequest, and the response
 * is read back. No cluster, no Docker, no network.
 */
import { fromCompose, RunFunctionRequest, type RunFunctionResponse } from "@crossplane-org/function-sdk-typescript";
import { API_GROUP, API_VERSION, CLAIM_KIND, COMPOSITE_KIND, NAMESPACED_API_GROUP } from "../../src/api/index.js";
import { compose } from "./function.js";
import type { ObservedResource } from "./environment.js";

export interface Claim {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; uid?: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
}

const handler = fromCompose(compose);

/**
 * The composite Crossplane makes of a claim; a composite passed in (the claim flavor's XR, or the
 * v2-native flavor's namespaced one, which has no claim) is returned as it is.
 */
export function compositeOf(claim: Claim): Claim {
  if (claim.kind === COMPOSITE_KIND) return claim;
  if (claim.apiVersion?.startsWith(`${NAMESPACED_API_GROUP}/`)) return { ...claim, metadata: { namespace: "default", ...claim.metadata } };
  if (claim.kind !== CLAIM_KIND) throw new Error(`expected kind ${CLAIM_KIND} or ${COMPOSITE_KIND}, got ${claim.kind ?? "none"}`);
  const name = claim.metadata?.name ?? "";
  const namespace = claim.metadata?.namespace ?? "default";
  return {
    apiVersion: `${API_GROUP}/${API_VERSION}`,
    kind: COMPOSITE_KIND,
    metadata: {
      name,
      ...(claim.metadata?.uid ? { uid: claim.metadata.uid } : {}),
      labels: { "crossplane.io/claim-name": name, "crossplane.io/claim-namespace": namespace },
    },
    spec: {
      ...claim.spec,
      claimRef: { apiVersion: `${API_GROUP}/${API_VERSION}`, kind: CLAIM_KIND, name, namespace },
    },
  };
}

/** `connections`: observed connection details by composed resource name, each value as text. */
export function requestFor(
  xr: Claim,
  observed: Record<string, ObservedResource> = {},
  connections: Record<string, Record<string, string>> = {},
): RunFunctionRequest {
  const details = (name: string) =>
    Object.fromEntries(Object.entries(connections[name] ?? {}).map(([k, v]) => [k, Buffer.from(v).toString("base64")]));
  return RunFunctionRequest.fromJSON({
    meta: { tag: "render" },
    observed: {
      composite: { resource: xr },
      resources: Object.fromEntries(
        Object.entries(observed).map(([name, resource]) => [name, { resource, connectionDetails: details(name) }]),
      ),
    },
    desired: {},
  });
}

export async function render(claim: Claim, observed: Record<string, ObservedResource> = {}): Promise<RunFunctionResponse> {
  return handler.RunFunction(requestFor(compositeOf(claim), observed));
}
