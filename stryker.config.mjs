/**
 * Mutation testing (`npm run test:mutation`): StrykerJS mutates the composition function and the
 * Lambda handlers and runs the semantic jest suites (jest.mutation.config.js) against each mutant;
 * the TypeScript checker (over the function's own sources, tsconfig.mutation.json) discards mutants
 * that do not compile. Concurrency 4 is two checkers and two test runners, which Stryker splits
 * evenly; the checkers finish early. tools/mutation/parts.sh runs the scope in parts.
 */
import { mkdirSync, mkdtempSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

// Suites that serve the function in a child process (gRPC, TLS, the process entry and its signals)
// judge mutants too: every Node process started from here preloads tools/mutation/jest/child-coverage.mjs,
// which reports what a child reached in the dry run into this folder.
const root = fileURLToPath(new URL(".", import.meta.url));
mkdirSync(join(root, ".cache"), { recursive: true });
process.env.MUTATION_CHILD_COVERAGE = mkdtempSync(join(root, ".cache", "mutation-child-coverage-"));
process.env.NODE_OPTIONS = [process.env.NODE_OPTIONS, `--import=${new URL("tools/mutation/jest/child-coverage.mjs", import.meta.url)}`]
  .filter(Boolean)
  .join(" ");

export default {
  packageManager: "npm",
  testRunner: "jest",
  testRunnerNodeArgs: ["--experimental-vm-modules"],
  jest: { configFile: "jest.mutation.config.js", enableFindRelatedTests: false },
  checkers: ["typescript"],
  tsconfigFile: "tsconfig.mutation.json",
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  coverageAnalysis: "perTest",
  mutate: [
    "functions/src/**/*.ts",
    "functions/lambda/**/*.ts",
    // Generated files: checked for staleness, not behaviour. (The bundler, functions/lambda/build,
    // is outside the sandbox: ignorePatterns leaves out every build folder.)
    "!functions/lambda/bundles.generated.ts",
    "!functions/src/namespaced-models.generated.ts",
    // The entry point only wires serveFunction (server.ts) to compose; the entry suites run it.
    "!functions/src/main.ts",
  ],
  ignorePatterns: ["build", "coverage", "reports", ".cache", "bench/results", "test/e2e"],
  concurrency: 4,
  // A test runner reruns jest in one process; ES modules loaded per run grow it (1.6 -> 2.3 GB over
  // 30 mutants), so each runner is replaced after this many.
  maxTestRunnerReuse: 40,
  timeoutMS: 60_000,
  timeoutFactor: 2,
  reporters: ["clear-text", "progress", "json", "html"],
  // MUTATION_REPORT names a part's report (tools/mutation/parts.sh).
  jsonReporter: { fileName: process.env.MUTATION_REPORT ?? "reports/mutation/mutation.json" },
  htmlReporter: { fileName: "reports/mutation/mutation.html" },
  tempDirName: ".cache/stryker-tmp",
  cleanTempDir: true,
};
