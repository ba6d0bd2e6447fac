export * from "./group.js";
export * from "./spec.js";
export { toOpenApi, type OpenApiSchema } from "./openapi.js";
export { validateSpec, specErrors, describeError, withDefaults, ClaimValidationError, type FieldError } from "./validate.js";
export { validateClaim, claimErrors, claimSpecOf, didYouMean, unknownFields, CROSSPLANE_SPEC_FIELDS, API_VERSION_STRING } from "./claim.js";
