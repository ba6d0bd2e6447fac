/**
 * `npm run bench`: the composition function's latency, throughput, memory, scale and startup, its
 * artifacts' sizes, and the same figures for crossplane-contrib's function-patch-and-transform (Go)
 * given an equivalent Input. Prints a table and writes bench/results/latest.json. Figures are read,
 * never asserted. All load goes to 127.0.0.1, is bounded in count and time, and every process the
 * bench starts is stopped by it.
 *
 *   --quick            fewer iterations and a short soak (a smoke run, not figures to quote)
 *   --no-go            skip patch-and-transform (no Go toolchain needed)
 *   --soak-requests N  requests of the memory soak (default 100000)
 *   --soak-seconds S   time bound of the memory soak (default 180)
 *   --concurrency N    concurrent requests of the throughput run (default 8)
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { loadavg, tmpdir, cpus } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { fromCompose, RunFunctionRequest, RunFunctionResponse, Severity } from "@crossplane-org/function-sdk-typescript";
import { compose } from "../functions/src/function.js";
import { decodeRunFunctionRequest, encodeRunFunctionResponse } from "../functions/src/codec.js";
import { render } from "../functions/src/render.js";
import { withDefaults } from "../src/api/index.js";
import { distinctClaims, exampleClaim, requestOf, ROOT, shapedClaim, steadyObserved, TIERS, type Tier } from "./support/claims.js";
import { patchAndTransformBinary, patchAndTransformInput } from "./support/patch-and-transform.js";
import { hasTaskset, pin, runtimeEnv, runtimeFlags, serveFunction, type FunctionCommand, type Served } from "./support/server.js";
import { distribution, MiB, round, type Distribution } from "./support/stats.js";

const { values: opts } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    "no-go": { type: "boolean", default: false },
    "soak-requests": { type: "string", default: "100000" },
    "soak-seconds": { type: "string", default: "180" },
    concurrency: { type: "string", default: "8" },
  },
});
const QUICK = opts.quick;
const ITER = QUICK ? 200 : 3000;
const WARMUP = QUICK ? 50 : 500;
const LATENCY_SECONDS = QUICK ? 10 : 40;
const THROUGHPUT_SECONDS = QUICK ? 3 : 15;
const SOAK_REQUESTS = QUICK ? 5000 : Number(opts["soak-requests"]);
const SOAK_SECONDS = QUICK ? 20 : Number(opts["soak-seconds"]);
const CONCURRENCY = Number(opts.concurrency);
const SCALE_CLAIMS = QUICK ? 200 : 1000;
const BENCH_TIERS: Tier[] = ["backup-restore", "warm-standby"];

// The server gets CPU 0 and this process (the client) CPU 1, so "one core" means one core.
const SERVER_CPU = cpus().length > 1 ? "0" : undefined;
const pinned = SERVER_CPU !== undefined && pin(process.pid, "1");

const log = (s: string) => process.stderr.write(`${s}\n`);
const results: Record<string, unknown> = {
  when: new Date().toISOString(),
  machine: {
    cpus: cpus().length,
    model: cpus()[0]?.model,
    node: process.version,
    loadavgAtStart: loadavg().map((x) => round(x)),
    serverPinnedToCpu0: hasTaskset && pinned,
  },
  options: { ITER, WARMUP, LATENCY_SECONDS, THROUGHPUT_SECONDS, SOAK_REQUESTS, SOAK_SECONDS, CONCURRENCY, SCALE_CLAIMS, quick: QUICK },
};
const running: Served[] = [];
process.once("SIGINT", async () => {
  await Promise.allSettled(running.map((s) => s.stop()));
  process.exit(130);
});

// ---------------------------------------------------------------------------------------------
// Requests: the steady state Crossplane sends once an environment is up (XR plus every composed
// resource observed and Ready). The XR carries the API server's defaults, as in a cluster.

interface Workload {
  tier: Tier;
  resources: number;
  request: Buffer;
  response: RunFunctionResponse;
  /** The same request with the equivalent patch-and-transform Input. */
  ptRequest: Buffer;
  ptPatches: number;
}

async function workload(tier: Tier): Promise<Workload> {
  const claim = exampleClaim(tier);
  claim.spec = withDefaults(claim.spec) as Record<string, unknown>;
  const observed = await steadyObserved(claim);
  const req = requestOf(claim, observed);
  const response = await render(claim, observed);
  const fatal = response.results.find((r) => r.severity === Severity.SEVERITY_FATAL);
  if (fatal) throw new Error(`${tier}: ${fatal.message}`);
  const desired = Object.fromEntries(
    Object.entries(response.desired?.resources ?? {}).map(([k, r]) => [k, r.resource as Record<string, unknown>]),
  );
  const pt = patchAndTransformInput((req.observed!.composite!.resource as { spec: Record<string, unknown> }).spec, desired);
  return {
    tier,
    resources: Object.keys(desired).length,
    request: Buffer.from(RunFunctionRequest.encode(req).finish()),
    response,
    ptRequest: Buffer.from(RunFunctionRequest.encode({ ...req, input: pt.input }).finish()),
    ptPatches: pt.patches,
  };
}

// ---------------------------------------------------------------------------------------------

interface InProcess {
  handler: Distribution;
  /** The SDK's generated codec (kept under these keys since the first runs). */
  decode: Distribution;
  encode: Distribution;
  /** The same payload through JSON (the floor), our byte-level codec and the SDK's codec. */
  codec: Record<
    "jsonParse" | "jsonStringify" | "jsonFloor" | "oursDecode" | "oursEncode" | "ours" | "sdkDecode" | "sdkEncode" | "sdk",
    Distribution
  >;
}

async function inProcess(w: Workload): Promise<InProcess> {
  const handler = fromCompose(compose);
  const samples: Record<string, number[]> = {};
  const add = (k: string, v: number) => (samples[k] ??= []).push(v);
  // The JSON floor reads and writes the same request and response as plain objects.
  const requestJson = JSON.stringify(RunFunctionRequest.decode(w.request));
  const warmUntil = performance.now() + LATENCY_SECONDS * 250;
  let until = Infinity;
  for (let i = 0, measured = 0; measured < ITER && performance.now() < until; i++) {
    // Warm-up: WARMUP calls or a quarter of the time budget, then ITER measured calls within the budget.
    const warm = i < WARMUP && performance.now() < warmUntil;
    if (!warm && until === Infinity) until = performance.now() + LATENCY_SECONDS * 1000;
    const timed = <T>(k: string, f: () => T): T => {
      const t = performance.now();
      const out = f();
      if (!warm) add(k, performance.now() - t);
      return out;
    };
    const req = timed("sdkDecode", () => RunFunctionRequest.decode(w.request));
    timed("oursDecode", () => decodeRunFunctionRequest(w.request));
    const parsed = timed("jsonParse", () => JSON.parse(requestJson) as unknown);
    const t = performance.now();
    const rsp = await handler.RunFunction(req);
    if (!warm) add("handler", performance.now() - t);
    timed("sdkEncode", () => RunFunctionResponse.encode(rsp).finish());
    timed("oursEncode", () => encodeRunFunctionResponse(rsp));
    timed("jsonStringify", () => JSON.stringify(rsp));
    if (!warm) measured++;
    void parsed;
  }
  const sum = (a: string, b: string) => samples[a]!.map((x, i) => x + samples[b]![i]!);
  const codec = {
    jsonParse: distribution(samples.jsonParse!),
    jsonStringify: distribution(samples.jsonStringify!),
    jsonFloor: distribution(sum("jsonParse", "jsonStringify")),
    oursDecode: distribution(samples.oursDecode!),
    oursEncode: distribution(samples.oursEncode!),
    ours: distribution(sum("oursDecode", "oursEncode")),
    sdkDecode: distribution(samples.sdkDecode!),
    sdkEncode: distribution(samples.sdkEncode!),
    sdk: distribution(sum("sdkDecode", "sdkEncode")),
  };
  return { handler: distribution(samples.handler!), decode: codec.sdkDecode, encode: codec.sdkEncode, codec };
}

/**
 * The request with its meta tag replaced (a second field 1 wins over the first), so every call
 * is new to the function's response cache: the cost of a reconcile whose inputs changed.
 */
function retagged(request: Buffer, n: number): Buffer {
  const tag = Buffer.from(`bench-${n}`);
  return Buffer.concat([request, Buffer.from([0x0a, tag.length + 2, 0x0a, tag.length]), tag]);
}

async function latency(server: Served, request: Buffer, fresh = false): Promise<Distribution> {
  const nth = (i: number) => (fresh ? retagged(request, i) : request);
  let i = 0;
  for (const until = performance.now() + LATENCY_SECONDS * 250; i < WARMUP && performance.now() < until; i++) await server.call(nth(i));
  const samples: number[] = [];
  for (let n = 0, until = performance.now() + LATENCY_SECONDS * 1000; n < ITER && performance.now() < until; n++, i++) {
    const body = nth(i);
    const t = performance.now();
    await server.call(body);
    samples.push(performance.now() - t);
  }
  return distribution(samples);
}

/** `concurrency` requests in flight for `seconds` (or until `maxRequests`); requests per second completed. */
async function load(
  server: Served,
  request: Buffer,
  seconds: number,
  maxRequests = Infinity,
): Promise<{ requests: number; seconds: number; perSecond: number; errors: number }> {
  let sent = 0,
    done = 0,
    errors = 0;
  const start = performance.now();
  const until = start + seconds * 1000;
  const worker = async () => {
    while (performance.now() < until && sent < maxRequests) {
      sent++;
      try {
        await server.call(request);
        done++;
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const elapsed = (performance.now() - start) / 1000;
  return { requests: done, seconds: round(elapsed), perSecond: round(done / elapsed, 0), errors };
}

// ---------------------------------------------------------------------------------------------

const tsxCli = createRequire(import.meta.url).resolve("tsx/cli");
const probe = join(ROOT, "bench/support/memory-probe.mjs");
const BUNDLE = join(ROOT, "build/function/main.mjs");

// Served as the runtime image serves it: its Node flags and environment (functions/Dockerfile).
const ours = (label: string, entry: string[]): FunctionCommand => ({
  label,
  command: process.execPath,
  proto: "v1",
  reportsHeap: true,
  env: runtimeEnv(),
  args: (address) => [...runtimeFlags(), "--expose-gc", "--import", probe, ...entry, "--insecure", "--address", address],
});
const bundled = ours("ours (bundle)", [BUNDLE]);
const underTsx = ours("ours (tsx)", ["--import", "tsx", join(ROOT, "functions/src/main.ts")]);
const patchAndTransform = (path: string): FunctionCommand => ({
  label: "patch-and-transform",
  command: path,
  proto: "v1beta1",
  args: (address) => ["--insecure", "--address", address],
});

async function started(fn: FunctionCommand): Promise<Served> {
  const s = await serveFunction(fn, { cpu: SERVER_CPU });
  running.push(s);
  return s;
}
async function stopped(s: Served): Promise<void> {
  await s.stop();
  running.splice(running.indexOf(s), 1);
}

async function startup(fn: FunctionCommand, request: Buffer, runs: number) {
  const listening: number[] = [],
    first: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const s = await started(fn);
    await s.call(request);
    first.push(performance.now() - t);
    listening.push(s.listeningMs);
    await stopped(s);
  }
  return { listeningMs: distribution(listening), firstResponseMs: distribution(first) };
}

function synthCold(): { coldMs: number; warmMs: number } | { error: string } {
  const out = mkdtempSync(join(tmpdir(), "dr-bench-synth-"));
  try {
    const times = [0, 1].map(() => {
      const t = performance.now();
      const r = spawnSync(process.execPath, [tsxCli, join(ROOT, "charts/main.ts")], {
        env: { ...process.env, CDK8S_OUTDIR: out },
        stdio: "ignore",
        timeout: 120_000,
      });
      if (r.status !== 0) throw new Error(`synth exited ${r.status}`);
      return performance.now() - t;
    });
    return { coldMs: round(times[0], 0), warmMs: round(times[1], 0) };
  } catch (error) {
    return { error: (error as Error).message };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

async function artifacts() {
  const size = (p: string) => {
    try {
      return statSync(join(ROOT, p)).size;
    } catch {
      return undefined;
    }
  };
  let lambda: Record<string, number> = {};
  try {
    const { lambdaBundles } = (await import("../functions/lambda/bundles.generated.js")) as {
      lambdaBundles: Record<string, { sizeBytes: number }>;
    };
    lambda = Object.fromEntries(Object.entries(lambdaBundles).map(([k, v]) => [k, v.sizeBytes]));
  } catch {
    /* no Lambda bundles generated yet */
  }
  return {
    compositionBytes: size("dist/package/composition.yaml"),
    xrdBytes: size("dist/package/xrd.yaml"),
    functionBundleBytes: size("build/function/main.mjs"),
    lambdaBundleBytes: lambda,
  };
}

async function scale() {
  const claims = distinctClaims(SCALE_CLAIMS);
  for (const c of claims.slice(0, 30)) await render(c); // warm-up: JIT and lazily built caches
  let resources = 0;
  const t = performance.now();
  for (const c of claims) resources += Object.keys((await render(c)).desired?.resources ?? {}).length;
  const totalMs = performance.now() - t;
  const shapes: Array<Record<string, unknown>> = [];
  for (const tier of TIERS) {
    for (const azs of [2, 3]) {
      const claim = shapedClaim(tier, azs);
      const first = await render(claim);
      const n = Object.keys(first.desired?.resources ?? {}).length;
      const bytes = RunFunctionResponse.encode(first).finish().length;
      const samples: number[] = [];
      for (let i = 0; i < (QUICK ? 30 : 150); i++) {
        const s = performance.now();
        await render(claim);
        samples.push(performance.now() - s);
      }
      const dist = distribution(samples.slice(QUICK ? 5 : 20));
      shapes.push({
        tier,
        availabilityZones: azs,
        resources: n,
        responseKiB: round(bytes / 1024, 0),
        p50Ms: round(dist.p50),
        perResourceUs: round((dist.p50 * 1000) / n, 1),
      });
    }
  }
  return { claims: claims.length, resources, totalMs: round(totalMs, 0), perClaimMs: round(totalMs / claims.length), shapes };
}

// ---------------------------------------------------------------------------------------------

async function main() {
  log(
    `bench: load ${loadavg()
      .map((x) => x.toFixed(2))
      .join(" ")}, ${cpus().length} cpus, server ${SERVER_CPU !== undefined && hasTaskset ? "pinned to cpu 0" : "not pinned"}`,
  );
  log("building the function bundle (npm run xpkg:function-bundle) ...");
  const bundle = spawnSync("npm", ["run", "-s", "xpkg:function-bundle"], { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] });
  if (bundle.status !== 0) throw new Error("bundling functions/src/main.ts failed");

  const pt = opts["no-go"] ? { reason: "--no-go" } : patchAndTransformBinary();
  if (!pt.path) log(`patch-and-transform skipped: ${pt.reason}`);

  log("preparing requests ...");
  const workloads = new Map<Tier, Workload>();
  for (const tier of BENCH_TIERS) workloads.set(tier, await workload(tier));
  results.workloads = Object.fromEntries(
    [...workloads].map(([t, w]) => [
      t,
      {
        resources: w.resources,
        requestKiB: round(w.request.length / 1024, 0),
        responseKiB: round(RunFunctionResponse.encode(w.response).finish().length / 1024, 0),
        ptRequestKiB: round(w.ptRequest.length / 1024, 0),
        ptPatches: w.ptPatches,
      },
    ]),
  );
  const ws = workloads.get("warm-standby")!;

  log("in-process latency ...");
  const inProc: Record<string, InProcess> = {};
  for (const [t, w] of workloads) inProc[t] = await inProcess(w);
  results.inProcess = inProc;

  log("startup ...");
  const startupRuns = QUICK ? 2 : 5;
  results.startup = {
    "ours (bundle)": await startup(bundled, ws.request, startupRuns),
    "ours (tsx)": await startup(underTsx, ws.request, QUICK ? 1 : 3),
    ...(pt.path ? { "patch-and-transform": await startup(patchAndTransform(pt.path), ws.ptRequest, startupRuns) } : {}),
  };

  // Both functions serve at once, measured alternately on the same machine state.
  const servers: Array<{ s: Served; req: (w: Workload) => Buffer }> = [{ s: await started(bundled), req: (w) => w.request }];
  if (pt.path) servers.push({ s: await started(patchAndTransform(pt.path)), req: (w) => w.ptRequest });

  // The same resources come back from both: checked once, before measuring.
  if (pt.path) {
    const theirs = RunFunctionResponse.decode(await servers[1].s.call(ws.ptRequest));
    const mine = ws.response.desired?.resources ?? {};
    const comparable = (r: unknown) => {
      const { metadata, ...rest } = (r ?? {}) as { metadata?: Record<string, unknown> };
      const { name: _name, ...meta } = metadata ?? {};
      return JSON.stringify(sortKeys({ ...rest, metadata: meta }));
    };
    const same = Object.entries(mine).filter(
      ([k, r]) => comparable(theirs.desired?.resources?.[k]?.resource) === comparable(r.resource),
    ).length;
    const fatal = theirs.results.find((r) => r.severity === Severity.SEVERITY_FATAL)?.message;
    results.equivalence = {
      ours: Object.keys(mine).length,
      theirs: Object.keys(theirs.desired?.resources ?? {}).length,
      identical: same,
      fatal,
    };
    log(
      `patch-and-transform composed ${Object.keys(theirs.desired?.resources ?? {}).length} resources, ${same} identical to ours${fatal ? `; fatal: ${fatal}` : ""}`,
    );
  }

  log("gRPC latency ...");
  const grpcLatency: Record<string, Record<string, Distribution>> = {};
  for (const { s, req } of servers) {
    for (const [tier, w] of workloads) (grpcLatency[s.label] ??= {})[tier] = await latency(s, req(w));
  }
  // Ours again with every request new to its response cache (a changed input on each reconcile).
  for (const [tier, w] of workloads)
    (grpcLatency["ours (bundle), cache miss"] ??= {})[tier] = await latency(servers[0]!.s, w.request, true);
  results.grpcLatency = grpcLatency;

  log(`throughput (${CONCURRENCY} concurrent, ${THROUGHPUT_SECONDS}s each) ...`);
  const throughput: Record<string, unknown> = {};
  const rssAfterLoad: Record<string, number | undefined> = {};
  for (const { s, req } of servers) {
    throughput[s.label] = await load(s, req(ws), THROUGHPUT_SECONDS);
    rssAfterLoad[s.label] = await s.rss();
  }
  results.throughput = throughput;
  results.rssAfterLoadMiB = Object.fromEntries(
    Object.entries(rssAfterLoad).map(([k, v]) => [k, v === undefined ? undefined : round(v / MiB, 1)]),
  );

  // The soak sends the smaller environment: more requests in the time bound, and a leak grows per request.
  const soakTier: Tier = "backup-restore";
  log(`memory soak (${soakTier}): up to ${SOAK_REQUESTS} requests or ${SOAK_SECONDS}s ...`);
  const ourServer = servers[0].s;
  const before = { rss: await ourServer.rss(), heap: await ourServer.heap() };
  const soak = await load(ourServer, workloads.get(soakTier)!.request, SOAK_SECONDS, SOAK_REQUESTS);
  const rssAfter = await ourServer.rss();
  const after = { rss: rssAfter, heap: await ourServer.heap() };
  results.soak = {
    tier: soakTier,
    ...soak,
    rssBeforeMiB: round((before.rss ?? NaN) / MiB, 1),
    rssAfterMiB: round((after.rss ?? NaN) / MiB, 1),
    heapUsedBeforeMiB: round((before.heap?.heapUsed ?? NaN) / MiB, 1),
    heapUsedAfterMiB: round((after.heap?.heapUsed ?? NaN) / MiB, 1),
  };
  for (const { s } of [...servers]) await stopped(s);

  log(`scale: ${SCALE_CLAIMS} distinct claims in-process ...`);
  results.scale = await scale();
  log("synth and artifacts ...");
  results.synth = synthCold();
  results.artifacts = await artifacts();
  results.machine = { ...(results.machine as object), loadavgAtEnd: loadavg().map((x) => round(x)) };

  if (pt.path) {
    const o = grpcLatency["ours (bundle)"]["warm-standby"],
      t = grpcLatency["patch-and-transform"]["warm-standby"];
    const th = throughput as Record<string, { perSecond: number }>;
    results.ratioOursToPatchAndTransform = {
      p50: round(o.p50 / t.p50),
      p99: round(o.p99 / t.p99),
      throughput: round(th["ours (bundle)"].perSecond / th["patch-and-transform"].perSecond),
      rss: round((rssAfterLoad["ours (bundle)"] ?? NaN) / (rssAfterLoad["patch-and-transform"] ?? NaN)),
    };
  }

  mkdirSync(join(ROOT, "bench/results"), { recursive: true });
  writeFileSync(join(ROOT, "bench/results/latest.json"), JSON.stringify(results, null, 2) + "\n");
  console.log(table(results));
  console.log("\nwritten to bench/results/latest.json");
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === "object")
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
    );
  return v;
}

// ---------------------------------------------------------------------------------------------

function table(r: Record<string, any>): string {
  const rows: string[][] = [["measure", "backup-restore", "warm-standby", "patch-and-transform (warm-standby)", "ours / P&T"]];
  const ms = (x?: number) => (x === undefined || !Number.isFinite(x) ? "-" : `${x.toFixed(2)} ms`);
  const g = r.grpcLatency ?? {};
  const ratio = r.ratioOursToPatchAndTransform ?? {};
  const w = r.workloads ?? {};
  rows.push([
    "composed resources",
    `${w["backup-restore"]?.resources}`,
    `${w["warm-standby"]?.resources}`,
    `${r.equivalence?.theirs ?? "-"} (${r.equivalence?.identical ?? "-"} identical)`,
    "",
  ]);
  rows.push([
    "request / response size",
    `${w["backup-restore"]?.requestKiB} / ${w["backup-restore"]?.responseKiB} KiB`,
    `${w["warm-standby"]?.requestKiB} / ${w["warm-standby"]?.responseKiB} KiB`,
    `${w["warm-standby"]?.ptRequestKiB} KiB request (input: ${w["warm-standby"]?.ptPatches} patches)`,
    "",
  ]);
  for (const p of ["p50", "p90", "p99"] as const) {
    rows.push([
      `in-process compose ${p}`,
      ms(r.inProcess?.["backup-restore"]?.handler[p]),
      ms(r.inProcess?.["warm-standby"]?.handler[p]),
      "",
      "",
    ]);
  }
  rows.push([
    "in-process protobuf decode+encode p50",
    ms((r.inProcess?.["backup-restore"]?.decode.p50 ?? NaN) + (r.inProcess?.["backup-restore"]?.encode.p50 ?? NaN)),
    ms((r.inProcess?.["warm-standby"]?.decode.p50 ?? NaN) + (r.inProcess?.["warm-standby"]?.encode.p50 ?? NaN)),
    "",
    "",
  ]);
  const c = (tier: Tier, k: string) => r.inProcess?.[tier]?.codec?.[k]?.p50 as number | undefined;
  const times = (tier: Tier, k: string) => {
    const x = c(tier, k),
      floor = c(tier, "jsonFloor");
    return x === undefined || floor === undefined ? "-" : `${ms(x)} (${(x / floor).toFixed(1)}x floor)`;
  };
  rows.push(["JSON floor: parse + stringify p50", ms(c("backup-restore", "jsonFloor")), ms(c("warm-standby", "jsonFloor")), "", ""]);
  rows.push(["our codec: decode + encode p50", times("backup-restore", "ours"), times("warm-standby", "ours"), "", ""]);
  rows.push(["SDK codec: decode + encode p50", times("backup-restore", "sdk"), times("warm-standby", "sdk"), "", ""]);
  for (const p of ["p50", "p99"] as const) {
    rows.push([
      `gRPC RunFunction ${p}, cache miss`,
      ms(g["ours (bundle), cache miss"]?.["backup-restore"]?.[p]),
      ms(g["ours (bundle), cache miss"]?.["warm-standby"]?.[p]),
      "",
      "",
    ]);
  }
  for (const p of ["p50", "p90", "p99"] as const) {
    const pt = g["patch-and-transform"]?.["warm-standby"]?.[p];
    rows.push([
      `gRPC RunFunction ${p}`,
      ms(g["ours (bundle)"]?.["backup-restore"]?.[p]),
      ms(g["ours (bundle)"]?.["warm-standby"]?.[p]),
      ms(pt),
      p === "p90" ? "" : `${ratio[p] ?? "-"}`,
    ]);
  }
  const th = r.throughput ?? {};
  rows.push([
    `throughput, 1 core, ${r.options.CONCURRENCY} concurrent`,
    "",
    `${th["ours (bundle)"]?.perSecond ?? "-"} req/s`,
    `${th["patch-and-transform"]?.perSecond ?? "-"} req/s`,
    `${ratio.throughput ?? "-"}`,
  ]);
  rows.push([
    "RSS after throughput run",
    "",
    `${r.rssAfterLoadMiB?.["ours (bundle)"] ?? "-"} MiB`,
    `${r.rssAfterLoadMiB?.["patch-and-transform"] ?? "-"} MiB`,
    `${ratio.rss ?? "-"}`,
  ]);
  const s = r.soak ?? {};
  rows.push([
    `soak (${s.tier}): ${s.requests} requests in ${s.seconds} s`,
    "",
    `RSS ${s.rssBeforeMiB} -> ${s.rssAfterMiB} MiB, heap ${s.heapUsedBeforeMiB} -> ${s.heapUsedAfterMiB} MiB`,
    "",
    "",
  ]);
  const st = r.startup ?? {};
  const start = (k: string) =>
    st[k] ? `${st[k].listeningMs.p50.toFixed(0)} ms listening, ${st[k].firstResponseMs.p50.toFixed(0)} ms first response` : "-";
  rows.push(["startup (median)", `tsx: ${start("ours (tsx)")}`, `bundle: ${start("ours (bundle)")}`, start("patch-and-transform"), ""]);
  const sc = r.scale ?? {};
  rows.push([
    `scale: ${sc.claims} distinct claims`,
    "",
    `${sc.totalMs} ms total, ${sc.perClaimMs} ms per claim (${sc.resources} resources)`,
    "",
    "",
  ]);
  const a = r.artifacts ?? {};
  const kib = (b?: number) => (b === undefined ? "-" : `${(b / 1024).toFixed(1)} KiB`);
  rows.push([
    "synth cold / warm",
    "",
    "synth" in r && "coldMs" in r.synth ? `${r.synth.coldMs} / ${r.synth.warmMs} ms` : `${r.synth?.error}`,
    "",
    "",
  ]);
  rows.push([
    "Composition / XRD / function bundle",
    "",
    `${kib(a.compositionBytes)} / ${kib(a.xrdBytes)} / ${kib(a.functionBundleBytes)}`,
    "",
    "",
  ]);
  rows.push([
    "Lambda bundles",
    "",
    Object.entries(a.lambdaBundleBytes ?? {})
      .map(([k, v]) => `${k} ${kib(v as number)}`)
      .join(", ") || "-",
    "",
    "",
  ]);

  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  const line = (row: string[]) => `| ${row.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
  const shapeRows = (sc.shapes ?? []) as Array<Record<string, unknown>>;
  const shapes = [
    "| tier | AZs | resources | response | p50 in-process | per resource |",
    "| --- | --- | --- | --- | --- | --- |",
    ...shapeRows.map(
      (x) => `| ${x.tier} | ${x.availabilityZones} | ${x.resources} | ${x.responseKiB} KiB | ${x.p50Ms} ms | ${x.perResourceUs} us |`,
    ),
  ];
  return [
    `load average ${r.machine.loadavgAtStart.join(" ")} -> ${r.machine.loadavgAtEnd?.join(" ")}; ${r.machine.cpus} CPUs; node ${r.machine.node}`,
    line(rows[0]),
    `| ${widths.map((n) => "-".repeat(n)).join(" | ")} |`,
    ...rows.slice(1).map(line),
    "",
    "cost by tier and AZ count (rendered in-process, no observed resources):",
    ...shapes,
  ].join("\n");
}

main().catch(async (error) => {
  await Promise.allSettled(running.map((s) => s.stop()));
  console.error(error);
  process.exitCode = 1;
});
