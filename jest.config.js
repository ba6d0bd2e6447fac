/** Jest runs the TypeScript sources as ES modules; type checking is `npm run typecheck`'s job. */
export default {
  testEnvironment: "node",
  extensionsToTreatAsEsm: [".ts"],
  moduleNameMapper: { "^(\\.{1,2}/.*)\\.js$": "$1" },
  transform: {
    "^.+\\.ts$": ["ts-jest", { useESM: true, diagnostics: false }],
  },
  testMatch: ["<rootDir>/test/**/*.test.ts"],
  testPathIgnorePatterns: ["/node_modules/", "<rootDir>/test/e2e/", "<rootDir>/test/crossplane/"],
  collectCoverageFrom: ["src/**/*.ts", "functions/src/**/*.ts", "compositions/**/*.ts", "charts/**/*.ts", "tools/**/*.ts"],
  coverageReporters: ["text-summary", "json-summary"],
  maxWorkers: 2,
  // Emulator-backed hooks and gRPC round trips run on shared 2-core machines; a generous ceiling
  // keeps a loaded machine from failing them while a hung test still ends.
  testTimeout: 60_000,
};
