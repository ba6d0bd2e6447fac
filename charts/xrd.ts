/**
 * The CompositeResourceDefinition: the claim API as Kubernetes sees it. The schema comes from
 * src/api, never from here, so the XRD, the function's types and runtime validation agree.
 */
import { CompositeResourceDefinition } from "@crossplane-models/crossplane/apiextensions.crossplane.io/v1/CompositeResourceDefinition";
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
  SHORT_NAMES,
  XRD_NAME,
  toOpenApi,
} from "../src/api/index.js";
import { COMPOSITION_NAME } from "../src/identity.js";
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
          schema: {
            openAPIV3Schema: {
              type: "object",
              description: "A disaster-recovery-ready AWS environment.",
              properties: {
                spec: toOpenApi(EnvironmentSpec),
                status: toOpenApi(EnvironmentStatus),
              },
              required: ["spec"],
            },
          },
        },
      ],
    },
  });
}

export class EnvironmentDefinition extends Construct {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    addModel(this, "xrd", xrdModel());
  }
}
