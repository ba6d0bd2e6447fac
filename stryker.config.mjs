/**
 * Mutation testing (`npm run test:mutation`): StrykerJS mutates the composition function and the
 * Lambda handlers and runs the semantic jest suites (jest.mutation.config.js) against each mutant;
 * the TypeScript checker discards mutants that do not compile. Shared 2-core machines: one test
 * runner, one checker. `npm run test:mutation -- --mutate 'functions/lambda/**\/*.ts'` narrows it.
 */
export default {
  packageManager: "npm",
  testRunner: "jest",
  testRunnerNodeArgs: ["--experimental-vm-modules"],
  jest: { configFile: "jest.mutation.config.js", enableFindRelatedTests: true },
  checkers: ["typescript"],
  tsconfigFile: "tsconfig.json",
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  coverageAnalysis: "perTest",
  mutate: [
    "functions/src/**/*.ts",
    "functions/lambda/**/*.ts",
    // Generated bundles and the bundler: checked for staleness, not behaviour.
    "!functions/lambda/bundles.generated.ts",
    "!functions/lambda/build/**",
    // The gRPC entry point is served in a child process, where no mutant is active.
    "!functions/src/main.ts",
  ],
  ignorePatterns: ["dist", "build", "coverage", "reports", ".cache", "bench/results", "test/e2e"],
  concurrency: 1,
  timeoutMS: 60_000,
  timeoutFactor: 2,
  reporters: ["clear-text", "progress", "json", "html"],
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  htmlReporter: { fileName: "reports/mutation/mutation.html" },
  tempDirName: ".cache/stryker-tmp",
  cleanTempDir: true,
};
