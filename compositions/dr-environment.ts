/**
 * The Composition: a one-step pipeline. The function composes every resource and sets the
 * readiness of each itself (from the observed resources' Ready condition), so no
 * function-auto-ready step follows it.
 */
import { Composition } from "@crossplane-models/crossplane/apiextensions.crossplane.io/v1/Composition";
import { Construct } from "constructs";
import { API_GROUP, API_VERSION, COMPOSITE_KIND, NAMESPACED_API_GROUP, NAMESPACED_KIND } from "../src/api/index.js";
import { COMPOSITION_LABELS, COMPOSITION_NAME, CROSSPLANE_NAMESPACE, FUNCTION_NAME, NAMESPACED_COMPOSITION_NAME } from "../src/identity.js";
import { addModel } from "./model-object.js";

export const COMPOSE_STEP = "compose";

export interface EnvironmentCompositionProps {
  name?: string;
  /** cluster: the claim flavor's XR; namespaced: the v2-native XR. The same function composes both. */
  flavor?: "cluster" | "namespaced";
  /** Extra labels, e.g. to tell a canary Composition apart for compositionSelector. */
  labels?: Record<string, string>;
}

export function compositionModel(props: EnvironmentCompositionProps = {}): Composition {
  const namespaced = props.flavor === "namespaced";
  return new Composition({
    metadata: {
      name: props.name ?? (namespaced ? NAMESPACED_COMPOSITION_NAME : COMPOSITION_NAME),
      labels: { ...COMPOSITION_LABELS, ...(namespaced ? { "dr.platform.io/flavor": "upjet-namespaced" } : {}), ...props.labels },
    },
    spec: {
      compositeTypeRef: namespaced
        ? { apiVersion: `${NAMESPACED_API_GROUP}/${API_VERSION}`, kind: NAMESPACED_KIND }
        : { apiVersion: `${API_GROUP}/${API_VERSION}`, kind: COMPOSITE_KIND },
      mode: "Pipeline",
      // Namespaced composites have no connection secret of their own in Crossplane v2.
      ...(namespaced ? {} : { writeConnectionSecretsToNamespace: CROSSPLANE_NAMESPACE }),
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
