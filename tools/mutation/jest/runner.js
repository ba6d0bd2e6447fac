/**
 * Jest's test runner for mutant runs (jest.mutation.config.js): one test file at a time, and once a
 * file has a failing test the mutant is killed, so the rest are not run. Stryker needs one failing
 * test for its verdict; jest's own `bail` exits the process, which would end Stryker's worker.
 * Outside a mutant run (the dry run, a plain jest run) every file runs as usual.
 */
import JestRunner from "jest-runner";

export default class StopAtFirstKillRunner extends JestRunner.default {
  async runTests(tests, watcher, options) {
    if (!options.serial || process.env.__STRYKER_ACTIVE_MUTANT__ === undefined) return super.runTests(tests, watcher, options);
    let killed = false;
    const unsubscribe = [
      this.on("test-file-success", ([, result]) => {
        if (result.numFailingTests > 0 || result.testExecError) killed = true;
      }),
      this.on("test-file-failure", () => {
        killed = true;
      }),
    ];
    try {
      for (const test of tests) {
        if (killed) break;
        await super.runTests([test], watcher, options);
      }
    } finally {
      for (const off of unsubscribe) off();
    }
  }
}
