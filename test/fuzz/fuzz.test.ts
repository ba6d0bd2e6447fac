/**
 * Property-based fuzzing of the composition function: FUZZ_RUNS cases per property (1,000 by
 * default; `npm run fuzz` runs 10,000). The properties run in the fuzz runner's own processes,
 * two at once: under jest's ESM sandbox the same cases cost about twice the CPU. A failure shows
 * the runner's output, with fast-check's shrunk counterexample. The seed is printed on every run;
 * FUZZ_SEED=<seed> replays one.
 */
import { spawnSync } from "node:child_process";
import { PROPERTIES } from "./properties.js";

const RUNS = Number(process.env.FUZZ_RUNS ?? 1000);
const ROOT = new URL("../..", import.meta.url).pathname;
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);

describe(`fuzzing, ${RUNS} cases per property, seed ${SEED}`, () => {
  let output = "";
  let status: number | null = null;
  beforeAll(() => {
    // Printed whatever the outcome: a run that passes today and fails tomorrow is replayed by it.
    process.stdout.write(`fuzz seed ${SEED} (replay: FUZZ_SEED=${SEED})\n`);
    const run = spawnSync(
      process.execPath,
      ["--import", "tsx", "test/fuzz/run.ts", "--runs", String(RUNS), "--jobs", "2", "--seed", String(SEED)],
      {
        cwd: ROOT,
        encoding: "utf8",
        timeout: 30 * 60_000,
      },
    );
    output = `${run.stdout}${run.stderr}`;
    status = run.status;
  }, 30 * 60_000);

  it("the runner exits 0", () => {
    expect({ status, output: status === 0 ? "" : output }).toEqual({ status: 0, output: "" });
  });

  it.each(PROPERTIES.map((p) => [p.name, p.checks.join("; ")] as const))("%s: %s", (name) => {
    const line = output.split("\n").find((l) => l.includes(` ${name}: `)) ?? "";
    const [, verdict, cases, failed] = /^(PASS|FAIL) .*: (\d+) cases, (\d+) failed/.exec(line) ?? [];
    expect({ line, verdict, failed }).toEqual({ line, verdict: "PASS", failed: "0" });
    expect(Number(cases)).toBeGreaterThanOrEqual(RUNS);
  });
});
