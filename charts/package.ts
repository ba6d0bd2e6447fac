/** The two Crossplane packages: the Configuration (XRD, Composition, metadata) and the function's metadata. */
import { ApiObject, Chart } from "cdk8s";
import type { Construct } from "constructs";
import { EnvironmentComposition } from "../compositions/dr-environment.js";
import { configurationMetadata, functionMetadata, type PackageMetadata } from "./package-meta.js";
import { EnvironmentDefinition } from "./xrd.js";

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

export class FunctionMetadataChart extends MetadataChart {
  constructor(scope: Construct, id: string) {
    super(scope, id, functionMetadata());
  }
}
