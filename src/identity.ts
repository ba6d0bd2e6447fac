/**
 * Names and versions of what this project publishes. Everything the charts emit that points at a
 * package, a function or a composition reads it from here, so the Composition's functionRef, the
 * installed Function, the Configuration's dependsOn and the render setup cannot drift apart.
 */
import { readFileSync } from "node:fs";

/** package.json is the one place the version, the registry, the repository and the maintainer are set; npm scripts read the same fields (`$npm_package_config_registry`). */
const manifest = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
  version: string;
  description: string;
  config: { registry: string; repository: string; maintainer: string };
};

/** Crossplane package versions carry a leading v. */
export const PACKAGE_VERSION = `v${manifest.version}`;
export const PROJECT_DESCRIPTION = manifest.description;

/** Registry and organisation our own packages are pushed to: `config.registry` in package.json. */
export const PACKAGE_REGISTRY = manifest.config.registry;
export const CONFIGURATION_NAME = "configuration-dr-environment";
export const CONFIGURATION_PACKAGE = `${PACKAGE_REGISTRY}/${CONFIGURATION_NAME}`;
/** The namespaced flavor's Configuration: its own package, since it needs Crossplane v2 and the claim flavor does not. */
export const NAMESPACED_CONFIGURATION_NAME = `${CONFIGURATION_NAME}-namespaced`;
export const NAMESPACED_CONFIGURATION_PACKAGE = `${PACKAGE_REGISTRY}/${NAMESPACED_CONFIGURATION_NAME}`;

/**
 * The Function object's name, which the Composition's functionRef names. The install chart
 * creates it under this name before the Configuration, so the package manager finds the
 * dependency already satisfied instead of creating one under a registry-derived name.
 */
export const FUNCTION_NAME = "function-dr-environment";
export const FUNCTION_PACKAGE = `${PACKAGE_REGISTRY}/${FUNCTION_NAME}`;

export const COMPOSITION_NAME = "dr-environment-aws";
/** The namespaced flavor's Composition: a different name, so both flavors install side by side. */
export const NAMESPACED_COMPOSITION_NAME = "dr-environment-aws-namespaced";
/** The namespaced flavor's ManagedResourceActivationPolicy. */
export const ACTIVATION_POLICY_NAME = "dr-environment-aws";
export const SOURCE_URL = manifest.config.repository;
export const MAINTAINER = manifest.config.maintainer;

/** Crossplane v1.20 and every v2 release, pre-releases included. */
export const CROSSPLANE_VERSION_CONSTRAINT = ">=v1.20.0-0";
/**
 * The namespaced flavor needs Crossplane v2: apiextensions.crossplane.io/v2 XRDs, namespaced
 * composites, protection.crossplane.io Usages and ManagedResourceActivationPolicies arrived there.
 */
export const NAMESPACED_CROSSPLANE_VERSION_CONSTRAINT = ">=v2.0.0-0";

/** Namespace Crossplane runs in and where composites' connection secrets land. */
export const CROSSPLANE_NAMESPACE = "crossplane-system";

/** Labels that let a claim or a platform engineer select this Composition. */
export const COMPOSITION_LABELS = {
  "dr.platform.io/provider": "aws",
  "dr.platform.io/flavor": "upjet-cluster",
  "dr.platform.io/tiers": "all",
} as const;
