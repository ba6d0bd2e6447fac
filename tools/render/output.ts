/**
 * Turns the function's RunFunctionResponse into what `crossplane render` prints: the XR (its
 * desired status plus identity and a Ready condition), every composed resource with the metadata
 * Crossplane adds, sorted by composition resource name, then the non-fatal results. Crossplane
 * derives these the same way in cmd/crank/render; the parity check in test/crossplane/ holds the
 * two side by side.
 */
import { createHash } from "node:crypto";
import { Ready, Severity, Status, type RunFunctionResponse } from "@crossplane-org/function-sdk-typescript";
import { COMPOSITION_NAME, NAMESPACED_COMPOSITION_NAME } from "../../src/identity.js";

export type K8sObject = Record<string, unknown> & {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
};

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: Array<Record<string, unknown>>;
  [key: string]: unknown;
}

export const RESOURCE_NAME_ANNOTATION = "crossplane.io/composition-resource-name";
const COMPOSITE_LABEL = "crossplane.io/composite";
const CLAIM_NAME_LABEL = "crossplane.io/claim-name";
const CLAIM_NAMESPACE_LABEL = "crossplane.io/claim-namespace";
export const RESULT_API_VERSION = "render.crossplane.io/v1beta1";

/** `crossplane render` stamps every condition with this fixed time so output stays diffable. */
const CONDITION_TIME = "2024-01-01T00:00:00Z";
/** Ready, Synced, Healthy and Responsive belong to Crossplane; a function cannot set them on the XR. */
const SYSTEM_CONDITIONS = new Set(["Ready", "Synced", "Healthy", "Responsive"]);

export interface Rendered {
  composite: K8sObject;
  composed: K8sObject[];
  results: K8sObject[];
}

/** A Fatal result: Crossplane stops the pipeline and applies nothing. */
export class FatalResultError extends Error {
  constructor(
    readonly step: string,
    message: string,
  ) {
    super(`pipeline step "${step}" returned a fatal result: ${message}`);
    this.name = "FatalResultError";
  }
}

interface Condition {
  type: string;
  status: string;
  lastTransitionTime: string;
  reason: string;
  message?: string;
}

const CONDITION_STATUS: Record<number, string> = {
  [Status.STATUS_CONDITION_TRUE]: "True",
  [Status.STATUS_CONDITION_FALSE]: "False",
};

/** Crossplane's "a, b, and c" / "a, b, c, and 4 more" for lists in condition messages. */
function firstThreeAndMore(names: string[]): string {
  const sorted = [...names].sort();
  if (sorted.length > 3) return `${sorted.slice(0, 3).join(", ")}, and ${sorted.length - 3} more`;
  if (sorted.length === 3) return `${sorted.slice(0, 2).join(", ")}, and ${sorted[2]}`;
  return sorted.join(", ");
}

function setCondition(conditions: Condition[], condition: Condition): void {
  const i = conditions.findIndex((c) => c.type === condition.type);
  if (i >= 0) conditions[i] = condition;
  else conditions.push(condition);
}

/**
 * The uid Crossplane's render gives an XR that has none, so output is stable across runs: the
 * name-based (SHA-1, version 5) UUID of "<group>/<version>, Kind=<kind>\0<namespace>\0<name>" in
 * the nil namespace (internal/render/composite in Crossplane v2.4).
 */
export function renderUid(xr: K8sObject): string {
  const [group, version] = xr.apiVersion?.includes("/") ? xr.apiVersion.split("/") : ["", xr.apiVersion ?? ""];
  const name = `${group}/${version}, Kind=${xr.kind ?? ""}\0${xr.metadata?.namespace ?? ""}\0${xr.metadata?.name ?? ""}`;
  const b = createHash("sha1").update(Buffer.alloc(16)).update(name).digest().subarray(0, 16);
  b[6] = (b[6]! & 0x0f) | 0x50;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = b.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const MAX_NAME = 63;
const NAME_HASH = 12;

/**
 * The name Crossplane v2.4 gives a new composed resource: its generateName prefix and the first
 * 12 hex digits of sha256(<owner uid><composition resource name>), the prefix cut to fit 63
 * characters (internal/names ChildName).
 */
export function childName(prefix: string, ownerUid: string, resourceName: string): string {
  const suffix = createHash("sha256")
    .update(ownerUid + resourceName)
    .digest("hex")
    .slice(0, NAME_HASH);
  const parent = prefix && !prefix.endsWith("-") ? `${prefix}-` : prefix;
  if (parent.length + suffix.length <= MAX_NAME) return parent + suffix;
  const cut = parent.slice(0, MAX_NAME - NAME_HASH);
  return cut.endsWith("-") ? cut + suffix : `${parent.slice(0, MAX_NAME - NAME_HASH - 1)}-${suffix}`;
}

function compositeOut(xr: K8sObject, rsp: RunFunctionResponse, unready: string[]): K8sObject {
  const desired = structuredClone((rsp.desired?.composite?.resource ?? {}) as K8sObject);
  // The function returns only the XR's desired status; identity comes back from the input XR.
  const metadata: ObjectMeta = { ...desired.metadata, name: xr.metadata?.name };
  if (xr.metadata?.namespace) metadata.namespace = xr.metadata.namespace;
  else delete metadata.namespace;
  const status = { ...desired.status };
  const conditions = [...((status.conditions as Condition[] | undefined) ?? [])];

  const ready = rsp.desired?.composite?.ready ?? Ready.READY_UNSPECIFIED;
  const readyCondition: Condition =
    ready === Ready.READY_FALSE || (ready === Ready.READY_UNSPECIFIED && unready.length > 0)
      ? { type: "Ready", status: "False", lastTransitionTime: CONDITION_TIME, reason: "Creating" }
      : { type: "Ready", status: "True", lastTransitionTime: CONDITION_TIME, reason: "Available" };
  if (ready === Ready.READY_UNSPECIFIED && unready.length > 0) readyCondition.message = `Unready resources: ${firstThreeAndMore(unready)}`;
  // The composite reconciler Crossplane's render runs (v2.4) reports its watch circuit and its sync first.
  setCondition(conditions, { type: "Responsive", status: "True", lastTransitionTime: CONDITION_TIME, reason: "WatchCircuitClosed" });
  setCondition(conditions, { type: "Synced", status: "True", lastTransitionTime: CONDITION_TIME, reason: "ReconcileSuccess" });
  setCondition(conditions, readyCondition);
  for (const c of rsp.conditions) {
    if (SYSTEM_CONDITIONS.has(c.type)) continue;
    setCondition(conditions, {
      type: c.type,
      status: CONDITION_STATUS[c.status] ?? "Unknown",
      lastTransitionTime: CONDITION_TIME,
      reason: c.reason,
      ...(c.message ? { message: c.message } : {}),
    });
  }
  const { apiVersion: _a, kind: _k, metadata: _m, status: _s, ...rest } = desired;
  return { apiVersion: xr.apiVersion, kind: xr.kind, metadata, ...rest, status: { ...status, conditions } };
}

/** The metadata Crossplane gives every composed resource of an XR (names, labels, controller). */
function composedOut(name: string, resource: K8sObject, xr: K8sObject, observed: K8sObject | undefined): K8sObject {
  const out = structuredClone(resource);
  const metadata: ObjectMeta = { ...out.metadata };
  // A resource that already exists keeps the name it was created with.
  if (observed) {
    for (const field of ["namespace", "name", "generateName"] as const) {
      if (observed.metadata?.[field]) metadata[field] = observed.metadata[field];
      else delete metadata[field];
    }
  }
  const prefix = xr.metadata?.labels?.[COMPOSITE_LABEL] || xr.metadata?.name || "";
  if (!metadata.name && !metadata.generateName) metadata.generateName = `${prefix}-`;
  if (!metadata.name) metadata.name = childName(metadata.generateName ?? "", xr.metadata?.uid ?? "", name);
  if (xr.metadata?.namespace) metadata.namespace = xr.metadata.namespace;
  metadata.annotations = { ...metadata.annotations, [RESOURCE_NAME_ANNOTATION]: name };

  const labels: Record<string, string> = { ...metadata.labels, [COMPOSITE_LABEL]: prefix };
  const xrLabels = xr.metadata?.labels ?? {};
  const claimRef = (xr.spec?.claimRef ?? undefined) as { name?: string; namespace?: string } | undefined;
  if (xrLabels[CLAIM_NAME_LABEL] && xrLabels[CLAIM_NAMESPACE_LABEL]) {
    labels[CLAIM_NAMESPACE_LABEL] = xrLabels[CLAIM_NAMESPACE_LABEL];
    labels[CLAIM_NAME_LABEL] = xrLabels[CLAIM_NAME_LABEL];
  } else if (claimRef) {
    labels[CLAIM_NAMESPACE_LABEL] = claimRef.namespace ?? "";
    labels[CLAIM_NAME_LABEL] = claimRef.name ?? "";
  }
  metadata.labels = labels;

  const owner = {
    apiVersion: xr.apiVersion,
    kind: xr.kind,
    name: xr.metadata?.name,
    uid: xr.metadata?.uid ?? "",
    controller: true,
    blockOwnerDeletion: true,
  };
  const others = (metadata.ownerReferences ?? []).filter((r) => r.uid !== owner.uid);
  metadata.ownerReferences = [...others, owner];
  return { ...out, metadata };
}

/**
 * What `crossplane render --include-function-results` prints for this response, or a
 * FatalResultError when the function refused. `step` names the pipeline step in results.
 */
export function renderedOf(input: K8sObject, observed: Record<string, K8sObject>, rsp: RunFunctionResponse, step: string): Rendered {
  const fatal = rsp.results.find((r) => r.severity === Severity.SEVERITY_FATAL);
  if (fatal) throw new FatalResultError(step, fatal.message);
  const xr = input.metadata?.uid ? input : { ...input, metadata: { ...input.metadata, uid: renderUid(input) } };

  const desired = Object.entries(rsp.desired?.resources ?? {});
  const unready = desired.filter(([, r]) => r.ready !== Ready.READY_TRUE).map(([name]) => name);
  const composed = desired
    .map(([name, r]) => composedOut(name, (r.resource ?? {}) as K8sObject, xr, observed[name]))
    // Byte order, as Go sorts strings; locale order would put "-" differently.
    .sort((a, b) => byteOrder(resourceName(a), resourceName(b)));
  // Crossplane v2.4's render prints the composite reconciler's events: the composition it
  // selected, each function result prefixed with its step, and one per composed resource not ready.
  const event = (reason: string, message: string, severity = "Normal") => ({
    apiVersion: RESULT_API_VERSION,
    kind: "Result",
    message,
    reason,
    severity,
  });
  const results = [
    event(
      "SelectComposition",
      `Successfully selected composition: ${xr.metadata?.namespace ? NAMESPACED_COMPOSITION_NAME : COMPOSITION_NAME}`,
    ),
    ...rsp.results.map((r) =>
      event("ComposeResources", `Pipeline step "${step}": ${r.message}`, r.severity === Severity.SEVERITY_WARNING ? "Warning" : "Normal"),
    ),
    ...unready.map((name) => event("ComposeResources", `Composed resource "${name}" is not yet ready`)),
  ];
  const composite = compositeOut(xr, rsp, unready);
  composite.spec = { ...composite.spec, resourceRefs: resourceRefsOf(composed, Boolean(xr.metadata?.namespace)) };
  return { composite, composed, results };
}

/** spec.resourceRefs as Crossplane writes them: one per composed resource, sorted by apiVersion+kind+name+namespace. */
function resourceRefsOf(composed: K8sObject[], namespacedXr: boolean): Array<Record<string, string>> {
  const refs = composed.map((c) => ({
    apiVersion: c.apiVersion ?? "",
    kind: c.kind ?? "",
    name: c.metadata?.name ?? "",
    ...(!namespacedXr && c.metadata?.namespace ? { namespace: c.metadata.namespace } : {}),
    ...(c.metadata?.uid ? { uid: c.metadata.uid } : {}),
  }));
  const key = (r: Record<string, string>) => r.apiVersion! + r.kind! + r.name! + (r.namespace ?? "");
  return refs.sort((a, b) => byteOrder(key(a), key(b)));
}

/** Go's string order (bytes), which Crossplane sorts by; locale order would put "-" differently. */
const byteOrder = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function resourceName(o: K8sObject): string {
  return o.metadata?.annotations?.[RESOURCE_NAME_ANNOTATION] ?? "";
}

/** The stream in document order: XR, composed resources, results. */
export function documentsOf(r: Rendered): K8sObject[] {
  return [r.composite, ...r.composed, ...r.results];
}
