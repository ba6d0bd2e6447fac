/**
 * The Composition: a one-step pipeline. The function composes every resource and sets the
 * readiness of each itself (from the observed resources' Ready condition), so no
 * function-auto-ready step follows it.
 */
import { Composition } from "@crossplane-models/crossplane/apiextensions.crossplane.io/v1/Composition";
import { Construct } from "constructs";
import { API_GROUP, API_VERSION, COMPOSITE_KIND } from "../src/api/index.js";
import { COMPOSITION_LABELS, COMPOSITION_NAME, CROSSPLANE_NAMESPACE, FUNCTION_NAME } from "../src/identity.js";
import { addModel } from "./model-object.js";

export const COMPOSE_STEP = "compose";

export interface EnvironmentCompositionProps {
  name?: string;
  /** Extra labels, e.g. to tell a canary Composition apart for compositionSelector. */
  labels?: Record<string, string>;
}

export function compositionModel(props: EnvironmentCompositionProps = {}): Composition {
  return new Composition({
    metadata: {
      name: props.name ?? COMPOSITION_NAME,
      labels: { ...COMPOSITION_LABELS, ...props.labels },
    },
    spec: {
      compositeTypeRef: { apiVersion: `${API_GROUP}/${API_VERSION}`, kind: COMPOSITE_KIND },
      mode: "Pipeline",
      writeConnectionSecretsToNamespace: CROSSPLANE_NAMESPACE,
      pipeline: [{ step: COMPOSE_STEP, functionRef: { name: FUNCTION_NAME } }],
    },
  });
}

export class EnvironmentComposition extends Construct {
  constructor(scope: Construct, id: string, props: EnvironmentCompositionProps = {}) {
    super(scope, id);
    addModel(this, "composition", compositionModel(props));
  }
}
