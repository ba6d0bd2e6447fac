/**
 * The deployment package of each Lambda handler: the zip the compute block writes to S3, and its
 * SHA-256 that Lambda compares to decide whether the code changed. The bundles are built by
 * `npm run build:lambda` and committed, so composing never runs a bundler.
 */
import { lambdaBundles, LAMBDA_HANDLER, LAMBDA_RUNTIME, type LambdaBundle } from "../lambda/bundles.generated.js";
import type { Handler } from "./blocks/names.js";

export type LambdaCode = LambdaBundle;
export const LAMBDA_CODE: Record<Handler, LambdaCode> = lambdaBundles;
export { LAMBDA_HANDLER, LAMBDA_RUNTIME };
