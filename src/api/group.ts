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
