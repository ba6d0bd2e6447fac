/** The e2e suite alone (the default jest config ignores test/e2e): one worker, long timeouts. */
import base from "../../jest.config.js";

export default {
  ...base,
  rootDir: "../..",
  testMatch: ["<rootDir>/test/e2e/**/*.test.ts"],
  testPathIgnorePatterns: ["/node_modules/"],
  maxWorkers: 1,
  testTimeout: 120_000,
  collectCoverageFrom: [],
  // The harness stops every process it started in afterAll; HTTP keep-alive sockets must not hold jest open.
  forceExit: true,
};
