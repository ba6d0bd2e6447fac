/**
 * The jest run that judges mutants (`npm run test:mutation`): the semantic suites over the function
 * and the Lambda handlers, including those that serve the function in a child process (gRPC, TLS,
 * the entry point's flags and signals), whose reach the dry run learns from the children themselves
 * (tools/mutation/jest/child-coverage.mjs). Left out: golden diffs and bundle or dist staleness
 * checks, which fail on any change to the output whether or not behaviour broke.
 * Also left out, to keep a mutant's run in seconds: the suites that check every composed resource
 * against the provider's models and CRDs (kinds, crd-schemas, references, namespaced-crds), 20-55 s
 * a run each. A mutant only they would kill counts as surviving, so the score is a floor.
 * Under Stryker, a mutant runs only against the test files that reached it in the dry run
 * (tools/mutation/jest).
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
    "<rootDir>/test/server/**/*.test.ts",
  ],
  testPathIgnorePatterns: [
    ...base.testPathIgnorePatterns,
    "<rootDir>/test/function/golden.test.ts",
    "<rootDir>/test/lambda/bundle.test.ts",
    "<rootDir>/test/security/policy-cli.test.ts",
    "<rootDir>/test/function/kinds.test.ts",
    "<rootDir>/test/provider/crd-schemas.test.ts",
    "<rootDir>/test/provider/references.test.ts",
    "<rootDir>/test/flavor/namespaced-crds.test.ts",
  ],
  setupFilesAfterEnv: ["<rootDir>/tools/mutation/jest/file-coverage.js"],
  testSequencer: "<rootDir>/tools/mutation/jest/sequencer.js",
  runner: "<rootDir>/tools/mutation/jest/runner.js",
  maxWorkers: 1,
};
