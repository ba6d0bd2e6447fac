/**
 * The CompositeResourceDefinition: the claim API as Kubernetes sees it. The schema comes from
 * src/api, never from here, so the XRD, the function's types and runtime validation agree.
 */
import { CompositeResourceDefinition } from "@crossplane-models/crossplane/apiextensions.crossplane.io/v1/CompositeResourceDefinition";
import { CompositeResourceDefinition as NamespacedCompositeResourceDefinition } from "@crossplane-models/crossplane/apiextensions.crossplane.io/v2/CompositeResourceDefinition";
import { Construct } from "constructs";
import {
  API_GROUP,
  API_VERSION,
  CATEGORIES,
  CLAIM_KIND,
  CLAIM_PLURAL,
  COMPOSITE_KIND,
  COMPOSITE_PLURAL,
  CONNECTION_SECRET_KEYS,
  EnvironmentSpec,
  EnvironmentStatus,
  NAMESPACED_API_GROUP,
  NAMESPACED_KIND,
  NAMESPACED_PLURAL,
  NAMESPACED_SHORT_NAMES,
  NAMESPACED_XRD_NAME,
  SHORT_NAMES,
  XRD_NAME,
  toOpenApi,
} from "../src/api/index.js";
import { COMPOSITION_NAME, NAMESPACED_COMPOSITION_NAME } from "../src/identity.js";
import { addModel } from "../compositions/model-object.js";

/**
 * Columns for `kubectl get disasterrecoveryenvironments`. Crossplane appends SYNCED, READY,
 * CONNECTION-SECRET and AGE to every claim CRD itself, so repeating them here would print twice.
 */
export const PRINTER_COLUMNS = [
  { name: "TIER", type: "string", jsonPath: ".spec.tier" },
  { name: "ACTIVE", type: "string", jsonPath: ".status.activeRegion" },
  { name: "RPO-S", type: "integer", jsonPath: ".status.recovery.rpoSeconds", description: "Modeled recovery point objective, seconds." },
  { name: "RTO-S", type: "integer", jsonPath: ".status.recovery.rtoSeconds", description: "Modeled recovery time objective, seconds." },
  { name: "USD/MONTH", type: "number", jsonPath: ".status.estimatedMonthlyCostUSD", description: "Modeled monthly cost floor." },
  // The rest with `kubectl get -o wide`.
  { name: "PRIMARY", type: "string", jsonPath: ".spec.primaryRegion", priority: 1 },
  { name: "SECONDARY", type: "string", jsonPath: ".spec.secondaryRegion", priority: 1 },
  { name: "API", type: "string", jsonPath: ".status.primary.apiUrl", priority: 1 },
];

/** Columns Crossplane adds to claim CRDs (internal/xcrd), listed so a test can catch a clash. */
export const CROSSPLANE_CLAIM_COLUMNS = ["SYNCED", "READY", "CONNECTION-SECRET", "AGE"];

/** The one schema both flavors serve: spec and status from src/api. */
function openAPIV3Schema() {
  return {
    type: "object",
    description: "A disaster-recovery-ready AWS environment.",
    properties: {
      spec: toOpenApi(EnvironmentSpec),
      status: toOpenApi(EnvironmentStatus),
    },
    required: ["spec"],
  };
}

export function xrdModel(): CompositeResourceDefinition {
  return new CompositeResourceDefinition({
    metadata: { name: XRD_NAME },
    spec: {
      group: API_GROUP,
      names: { kind: COMPOSITE_KIND, plural: COMPOSITE_PLURAL, categories: CATEGORIES },
      claimNames: { kind: CLAIM_KIND, plural: CLAIM_PLURAL, shortNames: SHORT_NAMES, categories: CATEGORIES },
      connectionSecretKeys: [...CONNECTION_SECRET_KEYS],
      defaultCompositionRef: { name: COMPOSITION_NAME },
      // Foreground: the claim disappears only after AWS resources are gone (or orphaned).
      defaultCompositeDeletePolicy: "Foreground",
      versions: [
        {
          name: API_VERSION,
          served: true,
          referenceable: true,
          additionalPrinterColumns: PRINTER_COLUMNS,
          schema: { openAPIV3Schema: openAPIV3Schema() },
        },
      ],
    },
  });
}

/**
 * The v2-native flavor: a namespaced composite a team applies in its own namespace, no claim.
 * Crossplane v2 keeps connection details of namespaced composites out of the XRD: they are
 * composed Secrets, so no connectionSecretKeys here.
 */
export function namespacedXrdModel(): NamespacedCompositeResourceDefinition {
  return new NamespacedCompositeResourceDefinition({
    metadata: { name: NAMESPACED_XRD_NAME },
    spec: {
      scope: "Namespaced",
      group: NAMESPACED_API_GROUP,
      names: { kind: NAMESPACED_KIND, plural: NAMESPACED_PLURAL, shortNames: NAMESPACED_SHORT_NAMES, categories: CATEGORIES },
      defaultCompositionRef: { name: NAMESPACED_COMPOSITION_NAME },
      versions: [
        {
          name: API_VERSION,
          served: true,
          referenceable: true,
          additionalPrinterColumns: PRINTER_COLUMNS,
          schema: { openAPIV3Schema: openAPIV3Schema() },
        },
      ],
    },
  });
}

export class EnvironmentDefinition extends Construct {
  constructor(scope: Construct, id: string, flavor: "cluster" | "namespaced" = "cluster") {
    super(scope, id);
    addModel(this, "xrd", flavor === "cluster" ? xrdModel() : namespacedXrdModel());
  }
}
