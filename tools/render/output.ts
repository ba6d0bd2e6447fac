/**
 * Turns the function's RunFunctionResponse into what `crossplane render` prints: the XR (its
 * desired status plus identity and a Ready condition), every composed resource with the metadata
 * Crossplane adds, sorted by composition resource name, then the non-fatal results. Crossplane
 * derives these the same way in cmd/crank/render; the parity check in test/crossplane/ holds the
 * two side by side.
 */
import { Ready, Severity, Status, type RunFunctionResponse } from "@crossplane-org/function-sdk-typescript";

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
/** Ready, Synced and Healthy belong to Crossplane; a function cannot set them on the XR. */
const SYSTEM_CONDITIONS = new Set(["Ready", "Synced", "Healthy"]);

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
export function renderedOf(xr: K8sObject, observed: Record<string, K8sObject>, rsp: RunFunctionResponse, step: string): Rendered {
  const fatal = rsp.results.find((r) => r.severity === Severity.SEVERITY_FATAL);
  if (fatal) throw new FatalResultError(step, fatal.message);

  const desired = Object.entries(rsp.desired?.resources ?? {});
  const unready = desired.filter(([, r]) => r.ready !== Ready.READY_TRUE).map(([name]) => name);
  const composed = desired
    .map(([name, r]) => composedOut(name, (r.resource ?? {}) as K8sObject, xr, observed[name]))
    // Byte order, as Go sorts strings; locale order would put "-" differently.
    .sort((a, b) => (resourceName(a) < resourceName(b) ? -1 : resourceName(a) > resourceName(b) ? 1 : 0));
  const results = rsp.results.map((r) => ({
    apiVersion: RESULT_API_VERSION,
    kind: "Result",
    step,
    severity: Severity[r.severity] ?? String(r.severity),
    message: r.message,
  }));
  return { composite: compositeOut(xr, rsp, unready), composed, results };
}

export function resourceName(o: K8sObject): string {
  return o.metadata?.annotations?.[RESOURCE_NAME_ANNOTATION] ?? "";
}

/** The stream in document order: XR, composed resources, results. */
export function documentsOf(r: Rendered): K8sObject[] {
  return [r.composite, ...r.composed, ...r.results];
}
