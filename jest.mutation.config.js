/**
 * The jest run that judges mutants (`npm run test:mutation`): the semantic suites over the function
 * and the Lambda handlers. Left out: golden diffs and bundle or dist staleness checks, which fail on
 * any change to the output whether or not behaviour broke, and suites that run the code in a child
 * process (the gRPC, TLS and SIGTERM servers, the fuzz runner), whose coverage Stryker does not see.
 */
import base from "./jest.config.js";

/** MUTATION_TESTS=test/lambda/api narrows the suites, for a run over a part of the code on a busy machine. */
const narrowed = process.env.MUTATION_TESTS?.split(",").map((prefix) => `<rootDir>/${prefix}*.test.ts`);

export default {
  ...base,
  testMatch: narrowed ?? [
    "<rootDir>/test/function/**/*.test.ts",
    "<rootDir>/test/lambda/**/*.test.ts",
    "<rootDir>/test/security/**/*.test.ts",
    "<rootDir>/test/codec/**/*.test.ts",
    "<rootDir>/test/provider/**/*.test.ts",
    "<rootDir>/test/flavor/**/*.test.ts",
    "<rootDir>/test/drill/**/*.test.ts",
    "<rootDir>/test/server/cache-size.test.ts",
  ],
  testPathIgnorePatterns: [
    ...base.testPathIgnorePatterns,
    "<rootDir>/test/function/golden.test.ts",
    "<rootDir>/test/function/grpc.test.ts",
    "<rootDir>/test/lambda/bundle.test.ts",
    "<rootDir>/test/security/policy-cli.test.ts",
  ],
  maxWorkers: 1,
};
