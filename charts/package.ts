/**
 * The Crossplane packages: the claim flavor's Configuration (XRD, Composition, metadata), the
 * namespaced flavor's (XRD, Composition, activation policy, metadata) and the function's metadata.
 */
import { ApiObject, Chart } from "cdk8s";
import type { Construct } from "constructs";
import { EnvironmentComposition } from "../compositions/dr-environment.js";
import { configurationMetadata, functionMetadata, type PackageMetadata } from "./package-meta.js";
import { EnvironmentDefinition } from "./xrd.js";
import { ManagedResourceActivationPolicy } from "@crossplane-models/crossplane/apiextensions.crossplane.io/v1alpha1/ManagedResourceActivationPolicy";
import { addModel } from "../compositions/model-object.js";
import { activatedResources } from "../src/composed-kinds.js";
import { ACTIVATION_POLICY_NAME } from "../src/identity.js";

export class XrdChart extends Chart {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new EnvironmentDefinition(this, "definition");
  }
}

export class CompositionChart extends Chart {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new EnvironmentComposition(this, "composition");
  }
}

export class NamespacedXrdChart extends Chart {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new EnvironmentDefinition(this, "definition", "namespaced");
  }
}

export class NamespacedCompositionChart extends Chart {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new EnvironmentComposition(this, "composition", { flavor: "namespaced" });
  }
}

/**
 * Activates exactly the managed resources the function can compose, in both scopes, out of the
 * ~1,000 the provider family ships (src/composed-kinds.generated.json, derived from the blocks'
 * models): a platform that turns the default activate-everything policy off still serves both flavors.
 */
export class ActivationPolicyChart extends Chart {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    addModel(
      this,
      "policy",
      new ManagedResourceActivationPolicy({ metadata: { name: ACTIVATION_POLICY_NAME }, spec: { activate: activatedResources() } }),
    );
  }
}

class MetadataChart extends Chart {
  constructor(scope: Construct, id: string, metadata: PackageMetadata) {
    super(scope, id);
    new ApiObject(this, "meta", metadata);
  }
}

export class ConfigurationMetadataChart extends MetadataChart {
  constructor(scope: Construct, id: string) {
    super(scope, id, configurationMetadata());
  }
}

export class NamespacedConfigurationMetadataChart extends MetadataChart {
  constructor(scope: Construct, id: string) {
    super(scope, id, configurationMetadata("namespaced"));
  }
}

export class FunctionMetadataChart extends MetadataChart {
  constructor(scope: Construct, id: string) {
    super(scope, id, functionMetadata());
  }
}
