/**
 * `npm run bench:synth`: wall time of `npm run synth`'s process (tsx + cdk8s app), fresh each run,
 * plus the in-process synth alone. Prints figures; the target (cold <= 3 s) is read, not asserted.
 *   --runs N   processes to start (default 5)
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { performance } from "node:perf_hooks";
import { REPO_ROOT, synth } from "../charts/main.js";

const { values } = parseArgs({ options: { runs: { type: "string", default: "5" } } });
const runs = Number(values.runs);
const tsxCli = createRequire(import.meta.url).resolve("tsx/cli");
const out = mkdtempSync(join(tmpdir(), "dr-bench-synth-"));

function timeProcess(): number {
  const start = performance.now();
  execFileSync(process.execPath, [tsxCli, join(REPO_ROOT, "charts/main.ts")], {
    env: { ...process.env, CDK8S_OUTDIR: out },
    stdio: "ignore",
  });
  return performance.now() - start;
}

const processes = Array.from({ length: runs }, timeProcess);
const inProcess = Array.from({ length: runs }, () => {
  const start = performance.now();
  synth(out);
  return performance.now() - start;
});
rmSync(out, { recursive: true, force: true });

const summary = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return `min ${s[0].toFixed(0)} ms, median ${s[Math.floor(s.length / 2)].toFixed(0)} ms, max ${s[s.length - 1].toFixed(0)} ms`;
};
console.log(`synth process (tsx charts/main.ts), ${runs} runs: first ${processes[0].toFixed(0)} ms; ${summary(processes)}`);
console.log(`synth in-process after import, ${runs} runs: ${summary(inProcess)}`);
