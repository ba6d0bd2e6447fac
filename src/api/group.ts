/** The API's identity: every generated object and the function read these, nothing else spells them. */
export const API_GROUP = "dr.platform.io";
export const API_VERSION = "v1alpha1";
export const CLAIM_KIND = "DisasterRecoveryEnvironment";
export const CLAIM_PLURAL = "disasterrecoveryenvironments";
export const COMPOSITE_KIND = "XDisasterRecoveryEnvironment";
export const COMPOSITE_PLURAL = "xdisasterrecoveryenvironments";
export const XRD_NAME = `${COMPOSITE_PLURAL}.${API_GROUP}`;
export const SHORT_NAMES = ["dre"];
export const CATEGORIES = ["crossplane", "disasterrecovery"];

/**
 * The namespaced flavor: the same kind and spec as a namespaced composite resource, no claim. It
 * lives in its own group, as the provider's namespaced kinds live in `.m.` groups, so that both
 * flavors' CRDs (the claim `disasterrecoveryenvironments.dr.platform.io` and this one) can be
 * installed in one cluster while teams move from one to the other.
 */
export const NAMESPACED_API_GROUP = "dr.m.platform.io";
export const NAMESPACED_KIND = CLAIM_KIND;
export const NAMESPACED_PLURAL = CLAIM_PLURAL;
export const NAMESPACED_XRD_NAME = `${NAMESPACED_PLURAL}.${NAMESPACED_API_GROUP}`;
/** `dre` names the claim; a short name shared by two kinds makes kubectl pick one silently. */
export const NAMESPACED_SHORT_NAMES = ["drem"];

/** cluster: a claim's cluster-scoped composite (the claim flavor); namespaced: a namespaced composite (Crossplane v2). */
export type Flavor = "cluster" | "namespaced";

/** The flavor of a composite by the group of its apiVersion; without one, the claim flavor's. */
export function flavorOf(apiVersion: string | undefined): Flavor {
  const group = apiVersion?.split("/")[0];
  if (group === NAMESPACED_API_GROUP) return "namespaced";
  if (group === undefined || group === API_GROUP) return "cluster";
  throw new Error(`apiVersion ${apiVersion} is neither ${API_GROUP} nor ${NAMESPACED_API_GROUP}`);
}
