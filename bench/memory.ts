/**
 * `npm run bench:memory`: where the function process's memory goes. Serves the function bundle
 * (pinned to CPU 0, as in `npm run bench`) once per variant of Node flags and settings, drives it
 * with the warm-standby steady state, 8 concurrent, and prints process.memoryUsage() of the child
 * and its caches' sizes after each phase: a bounded count of identical requests (answered from
 * the response cache), then of distinct requests of one composite (a composite tag differs in
 * each, so each one composes), then a fleet of 40 composites of their own names in turn (each
 * composes, then reuses its memo entry). Heap, caches and memo are read after the fleet phase.
 * Figures only; nothing here asserts them.
 *
 *   --requests N  requests per phase (default 400)
 *   --bundle P    the bundle to serve (default: build/function/main.mjs, built first)
 *   --only L,...  run only the variants with these labels
 */
import { spawnSync } from "node:child_process";
import { loadavg } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { RunFunctionRequest } from "@crossplane-org/function-sdk-typescript";
import { withDefaults } from "../src/api/index.js";
import { benchClaim, PLACEHOLDER, requestOf, ROOT, steadyObserved, variantOf } from "./support/claims.js";
import { runtimeEnv, runtimeFlags, serveFunction, type Served } from "./support/server.js";
import { MiB, round } from "./support/stats.js";

const { values: opts } = parseArgs({
  options: { requests: { type: "string", default: "400" }, bundle: { type: "string" }, only: { type: "string" } },
});
const REQUESTS = Number(opts.requests);
const CONCURRENCY = 8;
const FLEET = 40;
const probe = join(ROOT, "bench/support/memory-probe.mjs");

interface Variant {
  label: string;
  flags: string[];
  env?: Record<string, string>;
}

const shipped = runtimeFlags();
const shippedEnv = runtimeEnv();
/** What the image sets, without the named flag or variable. */
const without = (name: string): Pick<Variant, "flags" | "env"> => ({
  flags: shipped.filter((f) => !f.startsWith(`${name}=`)),
  env: Object.fromEntries(Object.entries(shippedEnv).filter(([k]) => k !== name)),
});
const VARIANTS: Variant[] = [
  { label: "as shipped", flags: shipped, env: shippedEnv },
  { label: "no flags, no env", flags: [] },
  { label: "without semi-space cap", ...without("--max-semi-space-size") },
  { label: "without old-space cap", ...without("--max-old-space-size") },
  { label: "without mmap threshold", ...without("MALLOC_MMAP_THRESHOLD_") },
  { label: "with MALLOC_ARENA_MAX=2", flags: shipped, env: { ...shippedEnv, MALLOC_ARENA_MAX: "2" } },
  { label: "response cache 32 MiB", flags: shipped, env: { ...shippedEnv, FUNCTION_RESPONSE_CACHE_MIB: "32" } },
  { label: "response cache off", flags: shipped, env: { ...shippedEnv, FUNCTION_RESPONSE_CACHE_MIB: "0" } },
  { label: "compose memo 32 MiB", flags: shipped, env: { ...shippedEnv, FUNCTION_MEMO_MIB: "32" } },
  { label: "compose memo off", flags: shipped, env: { ...shippedEnv, FUNCTION_MEMO_MIB: "0" } },
];

/** Sends `REQUESTS` requests, `CONCURRENCY` at a time; returns the wall time in seconds. */
async function load(server: Served, next: (i: number) => Buffer): Promise<number> {
  let i = 0;
  const started = Date.now();
  const worker = async () => {
    while (i < REQUESTS) await server.call(next(i++));
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return (Date.now() - started) / 1000;
}

interface Probe {
  before: number;
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  newSpace?: number;
  caches?: { response: { entries: number; bytes: number }; validated: number; memo?: { composites: number; bytes: number } };
}

const mib = (x: number) => round(x / MiB, 1);

async function figures(server: Served) {
  const m = (await server.heap()) as unknown as Probe;
  return {
    rssAfterLoad: mib(m.before),
    afterGc: {
      rss: mib(m.rss),
      heapTotal: mib(m.heapTotal),
      heapUsed: mib(m.heapUsed),
      external: mib(m.external),
      arrayBuffers: mib(m.arrayBuffers),
    },
    newSpace: mib(m.newSpace ?? NaN),
    caches: m.caches && {
      responseEntries: m.caches.response.entries,
      responseMiB: mib(m.caches.response.bytes),
      validated: m.caches.validated,
      memoComposites: m.caches.memo?.composites,
      memoMiB: mib(m.caches.memo?.bytes ?? 0),
    },
  };
}

async function main() {
  let bundle = opts.bundle;
  if (!bundle) {
    const built = spawnSync("npm", ["run", "-s", "xpkg:function-bundle"], { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] });
    if (built.status !== 0) throw new Error("bundling functions/src/main.ts failed");
    bundle = join(ROOT, "build/function/main.mjs");
  }
  const claim = benchClaim("warm-standby", withDefaults);
  const observed = await steadyObserved(claim);
  const request = Buffer.from(RunFunctionRequest.encode(requestOf(claim, observed)).finish());
  // A fleet: FLEET composites of their own names (so each has its own AWS names and memo entry), each sent twice.
  const fleet = Array.from({ length: FLEET }, (_, n) =>
    Buffer.from(
      RunFunctionRequest.encode(requestOf({ ...claim, metadata: { ...claim.metadata, name: `orders-${n}` } }, observed)).finish(),
    ),
  );
  const only = opts.only?.split(",");
  const rows: string[] = [];
  const results: Record<string, unknown> = {};
  const load0 = loadavg();
  for (const v of VARIANTS.filter((x) => !only || only.includes(x.label))) {
    const server = await serveFunction(
      {
        label: v.label,
        command: process.execPath,
        proto: "v1",
        reportsHeap: true,
        args: (address) => [...v.flags, "--expose-gc", "--import", probe, bundle!, "--insecure", "--address", address],
      },
      { cpu: "0", env: { ...process.env, ...v.env, FUNCTION_MEMORY_PROBE: "1" } },
    );
    try {
      const idle = await figures(server);
      const sameS = await load(server, () => request);
      const same = await figures(server);
      const distinctS = await load(server, (i) => variantOf(request, PLACEHOLDER.read, i));
      const distinct = await figures(server);
      const fleetS = await load(server, (i) => fleet[i % FLEET]!);
      const fleetFigures = await figures(server);
      results[v.label] = {
        flags: v.flags,
        env: v.env,
        idle,
        same: { seconds: sameS, ...same },
        distinct: { seconds: distinctS, ...distinct },
        fleet: { seconds: fleetS, ...fleetFigures },
      };
      const g = fleetFigures.afterGc;
      const c = fleetFigures.caches;
      const setting = [...v.flags, ...Object.entries(v.env ?? {}).map(([k, x]) => `${k}=${x}`)].join(" ") || "-";
      rows.push(
        `| ${v.label} | ${setting} | ${idle.afterGc.rss} | ${same.rssAfterLoad} | ${distinct.rssAfterLoad} | ${fleetFigures.rssAfterLoad} | ${g.rss} | ${g.heapTotal} / ${g.heapUsed} | ${g.external} / ${g.arrayBuffers} | ${fleetFigures.newSpace} | ${c ? `${c.responseEntries} / ${c.responseMiB}` : "?"} | ${c?.validated ?? "?"} | ${c ? `${c.memoComposites ?? "?"} / ${c.memoMiB}` : "?"} | ${round(distinctS, 1)} / ${round(fleetS, 1)} |`,
      );
    } finally {
      await server.stop();
    }
  }
  const avg = (l: number[]) => l.map((x) => x.toFixed(2)).join(" ");
  console.log(
    `load average ${avg(load0)} at start, ${avg(loadavg())} at end; ${REQUESTS} identical then ${REQUESTS} distinct warm-standby requests (${round(request.length / 1024, 0)} KiB), ${CONCURRENCY} concurrent`,
  );
  console.log(
    "| variant | flags / env | RSS idle | RSS after identical | RSS after distinct | RSS after fleet | RSS after GC | heap total / used | external / arrayBuffers | new space | response cache entries / MiB | validated entries | memo composites / MiB | distinct / fleet phase s |",
  );
  console.log("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
  for (const row of rows) console.log(row);
  console.log(`\n(MiB) ${JSON.stringify(results)}`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
