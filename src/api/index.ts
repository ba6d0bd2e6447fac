export * from "./group.js";
export * from "./spec.js";
export { toOpenApi, type OpenApiSchema } from "./openapi.js";
export { validateSpec, withDefaults, ClaimValidationError, type FieldError } from "./validate.js";
