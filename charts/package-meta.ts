/**
 * Crossplane package metadata (`crossplane.yaml` at a package's root). The meta.pkg.crossplane.io
 * kinds are read by the package manager and the CLI, never served by an API server, so no CRD
 * and no generated model exist: these interfaces spell out the fields we use, and tests check them.
 */
import { PROVIDER_AWS_VERSION_RANGE, PROVIDER_FAMILY_MEMBERS, providerPackage } from "../src/provider.js";
import {
  CONFIGURATION_NAME,
  CROSSPLANE_VERSION_CONSTRAINT,
  NAMESPACED_CONFIGURATION_NAME,
  NAMESPACED_CROSSPLANE_VERSION_CONSTRAINT,
  FUNCTION_NAME,
  FUNCTION_PACKAGE,
  PACKAGE_VERSION,
  PROJECT_DESCRIPTION,
  SOURCE_URL,
  MAINTAINER,
} from "../src/identity.js";

export interface PackageDependency {
  provider?: string;
  function?: string;
  configuration?: string;
  /** A semver constraint. */
  version: string;
}

export interface PackageMetadata {
  apiVersion: "meta.pkg.crossplane.io/v1" | "meta.pkg.crossplane.io/v1beta1";
  kind: "Configuration" | "Function";
  metadata: { name: string; annotations: Record<string, string> };
  spec: {
    crossplane: { version: string };
    dependsOn?: PackageDependency[];
  };
}

function annotations(description: string): Record<string, string> {
  return {
    "meta.crossplane.io/maintainer": MAINTAINER,
    "meta.crossplane.io/source": SOURCE_URL,
    "meta.crossplane.io/license": "Apache-2.0",
    "meta.crossplane.io/description": description,
  };
}

/**
 * The provider is a range from the lowest tested release (src/provider.ts): the package manager
 * keeps a newer v2 the cluster already runs instead of refusing the Configuration. Both flavors
 * depend on the same providers and the same function; the namespaced one needs Crossplane v2.
 */
export function configurationMetadata(flavor: "cluster" | "namespaced" = "cluster"): PackageMetadata {
  const namespaced = flavor === "namespaced";
  return {
    apiVersion: "meta.pkg.crossplane.io/v1",
    kind: "Configuration",
    metadata: {
      name: namespaced ? NAMESPACED_CONFIGURATION_NAME : CONFIGURATION_NAME,
      annotations: annotations(
        namespaced
          ? "A disaster-recovery-ready AWS environment from one namespaced composite: the provider's namespaced resources in the team's namespace (Crossplane v2)."
          : PROJECT_DESCRIPTION,
      ),
    },
    spec: {
      crossplane: { version: namespaced ? NAMESPACED_CROSSPLANE_VERSION_CONSTRAINT : CROSSPLANE_VERSION_CONSTRAINT },
      dependsOn: [
        ...PROVIDER_FAMILY_MEMBERS.map((member) => ({ provider: providerPackage(member), version: PROVIDER_AWS_VERSION_RANGE })),
        // Released together from this repository: the Composition relies on this function's behaviour.
        { function: FUNCTION_PACKAGE, version: PACKAGE_VERSION },
      ],
    },
  };
}

export function functionMetadata(): PackageMetadata {
  return {
    apiVersion: "meta.pkg.crossplane.io/v1beta1",
    kind: "Function",
    metadata: {
      name: FUNCTION_NAME,
      annotations: annotations("Composes a DisasterRecoveryEnvironment into its AWS managed resources."),
    },
    spec: { crossplane: { version: CROSSPLANE_VERSION_CONSTRAINT } },
  };
}
