/**
 * `npm run fuzz [-- --runs 10000 --jobs 2 --seed 1]`: runs every fuzzed property for `runs` cases,
 * split over `jobs` processes with distinct seeds, and prints how many cases each property passed.
 * Exits 1 with the shrunk counterexample when any case fails.
 */
import { spawn } from "node:child_process";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import fc from "fast-check";
import { PROPERTIES } from "./properties.js";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "10000" },
    jobs: { type: "string", default: String(Math.min(availableParallelism(), 4)) },
    seed: { type: "string", default: process.env.FUZZ_SEED ?? String(Date.now() % 2 ** 31) },
    shard: { type: "string" },
  },
});
const runs = Number(values.runs);
const jobs = Math.max(1, Number(values.jobs));
const seed = Number(values.seed);

interface ShardResult {
  property: string;
  numRuns: number;
  failed: boolean;
  report?: string;
  /** CPU time the shard spent on the property: wall time says more about the machine's other load. */
  cpuMs: number;
}

/** One shard: runs every property for its share of cases and prints the results as one JSON line. */
async function shard(index: number): Promise<void> {
  const share = Math.ceil(runs / jobs);
  const results: ShardResult[] = [];
  for (const property of PROPERTIES) {
    const start = process.cpuUsage();
    const details = await property.run({ numRuns: share, seed: seed + index });
    const cpu = process.cpuUsage(start);
    results.push({
      property: property.name,
      numRuns: details.numRuns,
      failed: details.failed,
      report: fc.defaultReportMessage(details),
      cpuMs: (cpu.user + cpu.system) / 1000,
    });
  }
  process.stdout.write(`${JSON.stringify(results)}\n`);
}

async function main(): Promise<void> {
  const started = performance.now();
  console.log(`fuzzing ${PROPERTIES.length} properties, ${runs} cases each, over ${jobs} processes, seed ${seed}`);
  const self = fileURLToPath(import.meta.url);
  const outputs = await Promise.all(
    Array.from(
      { length: jobs },
      (_, i) =>
        new Promise<ShardResult[]>((resolve, reject) => {
          const child = spawn(
            process.execPath,
            ["--import", "tsx", self, "--runs", String(runs), "--jobs", String(jobs), "--seed", String(seed), "--shard", String(i)],
            {
              stdio: ["ignore", "pipe", "inherit"],
            },
          );
          let out = "";
          child.stdout.on("data", (d) => (out += d));
          child.once("exit", (code) => {
            try {
              resolve(JSON.parse(out.trim().split("\n").pop() ?? ""));
            } catch {
              reject(new Error(`fuzz shard ${i} exited ${code} without results`));
            }
          });
        }),
    ),
  );

  let failed = false;
  for (const property of PROPERTIES) {
    const shards = outputs.map((o) => o.find((r) => r.property === property.name)!);
    const cases = shards.reduce((n, r) => n + r.numRuns, 0);
    const cpuMs = shards.reduce((n, r) => n + r.cpuMs, 0);
    const bad = shards.filter((r) => r.failed);
    console.log(
      `${bad.length ? "FAIL" : "PASS"}  ${property.name}: ${cases} cases, ${bad.length} failed, ${(cpuMs / cases).toFixed(1)} ms CPU per case`,
    );
    for (const check of property.checks) console.log(`        ${bad.length ? "failed" : `${cases} cases`}: ${check}`);
    for (const r of bad) console.log(r.report);
    failed ||= bad.length > 0;
  }
  console.log(`fuzzing took ${((performance.now() - started) / 1000).toFixed(0)} s`);
  process.exitCode = failed ? 1 : 0;
}

if (values.shard !== undefined) await shard(Number(values.shard));
else await main();
