/** The mutation score of reports taken together: what counts, what a later report replaces, and the exit code. */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FileResult, MutantStatus, MutationTestResult } from "mutation-testing-report-schema";
import { mergeReports, score } from "../../tools/mutation/score.js";

const ROOT = new URL("../..", import.meta.url).pathname;

/** A file's result with one mutant per status given, on lines 1, 2, ... */
function file(...statuses: MutantStatus[]): FileResult {
  return {
    language: "typescript",
    source: statuses.map(() => "x;").join("\n"),
    mutants: statuses.map((status, index) => ({
      id: String(index),
      mutatorName: "BooleanLiteral",
      replacement: "false",
      location: { start: { line: index + 1, column: 1 }, end: { line: index + 1, column: 2 } },
      status,
    })),
  };
}

const report = (files: Record<string, FileResult>): MutationTestResult => ({
  schemaVersion: "2",
  thresholds: { high: 80, low: 60 },
  files,
});

describe("mutation score", () => {
  it("counts killed and timed-out mutants as detected, over the mutants that compile", () => {
    const result = score({ "a.ts": file("Killed", "Timeout", "Survived", "NoCoverage", "CompileError") });
    expect(result).toMatchObject({ detected: 2, valid: 4, invalid: 1, score: 50 });
    expect(result.undetected.map(({ line, status }) => [line, status])).toEqual([
      [3, "Survived"],
      [4, "NoCoverage"],
    ]);
  });

  it("takes the union of reports, a file measured twice counted once from the last report", () => {
    const files = mergeReports([
      report({ "a.ts": file("Survived"), "b.ts": file("Killed") }),
      report({ "a.ts": file("Killed", "Killed") }),
    ]);
    expect(score(files)).toMatchObject({ detected: 3, valid: 3, score: 100 });
  });

  it("exits 1 below --min, 0 at or above it, 2 for a file that is not a report", () => {
    const dir = mkdtempSync(join(tmpdir(), "mutation-score-"));
    const path = join(dir, "mutation.json");
    writeFileSync(path, JSON.stringify(report({ "a.ts": file("Killed", "Killed", "Killed", "Survived") })));
    writeFileSync(join(dir, "bad.json"), JSON.stringify({ schemaVersion: "2" }));
    const run = (...args: string[]) =>
      spawnSync(process.execPath, ["--import", "tsx", "tools/mutation/cli.ts", ...args], { cwd: ROOT, encoding: "utf8" });
    const below = run(path);
    expect(below.status).toBe(1);
    expect(below.stdout).toContain("a.ts:4\tSurvived\tBooleanLiteral\tfalse");
    expect(below.stdout).toContain("mutation score 75.0 %: 3 of 4 compiling mutants detected");
    expect(run("--min", "75", path).status).toBe(0);
    const bad = run(join(dir, "bad.json"));
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("files: must be the object of a mutation-testing JSON report");
  });
});
