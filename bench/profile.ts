/**
 * `npm run bench:profile [-- tier iterations]`: the hot path of one RunFunction (protobuf decode,
 * compose, protobuf encode) in a loop under the V8 profiler; writes a .cpuprofile to bench/results/
 * (open it in Chrome DevTools) and prints the functions with the most self time.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Session } from "node:inspector/promises";
import { fromCompose, RunFunctionRequest, RunFunctionResponse } from "@crossplane-org/function-sdk-typescript";
import { compose } from "../functions/src/function.js";
import { withDefaults } from "../src/api/index.js";
import { exampleClaim, requestOf, ROOT, steadyObserved, type Tier } from "./support/claims.js";

const tier = (process.argv[2] ?? "warm-standby") as Tier;
const iterations = Number(process.argv[3] ?? 300);
const claim = exampleClaim(tier);
claim.spec = withDefaults(claim.spec) as Record<string, unknown>;
const bytes = Buffer.from(RunFunctionRequest.encode(requestOf(claim, await steadyObserved(claim))).finish());
const handler = fromCompose(compose);
const once = async () => RunFunctionResponse.encode(await handler.RunFunction(RunFunctionRequest.decode(bytes))).finish();
for (let i = 0; i < 100; i++) await once();

const session = new Session();
session.connect();
await session.post("Profiler.enable");
await session.post("Profiler.setSamplingInterval", { interval: 100 });
await session.post("Profiler.start");
const t = performance.now();
for (let i = 0; i < iterations; i++) await once();
const elapsed = performance.now() - t;
const { profile } = await session.post("Profiler.stop");
session.disconnect();

const dir = join(ROOT, "bench/results");
mkdirSync(dir, { recursive: true });
const file = join(dir, `${tier}.cpuprofile`);
writeFileSync(file, JSON.stringify(profile));

// Self time per function, and total time (each sample counted once per function on its stack).
const keyOf = new Map<number, string>();
const parent = new Map<number, number>();
for (const node of profile.nodes) {
  const { functionName, url, lineNumber } = node.callFrame;
  keyOf.set(
    node.id,
    `${functionName || "(anonymous)"} ${url.replace(/^.*node_modules\//, "").replace(`file://${ROOT}`, "")}:${lineNumber + 1}`,
  );
  for (const child of node.children ?? []) parent.set(child, node.id);
}
const self = new Map<string, number>();
const inclusive = new Map<string, number>();
let total = 0;
profile.samples?.forEach((id, i) => {
  const us = profile.timeDeltas?.[i] ?? 0;
  total += us;
  self.set(keyOf.get(id)!, (self.get(keyOf.get(id)!) ?? 0) + us);
  const seen = new Set<string>();
  for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) seen.add(keyOf.get(n)!);
  for (const k of seen) inclusive.set(k, (inclusive.get(k) ?? 0) + us);
});
console.log(
  `${tier}: ${iterations} decode+compose+encode in ${elapsed.toFixed(0)} ms (${(elapsed / iterations).toFixed(2)} ms each); profile: ${file}`,
);
const top = (m: Map<string, number>, n: number) =>
  [...m]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, us]) => `${((100 * us) / total).toFixed(1).padStart(5)}%  ${k}`)
    .join("\n");
console.log(`self time:\n${top(self, 25)}\n\ntotal time:\n${top(inclusive, 45)}`);
