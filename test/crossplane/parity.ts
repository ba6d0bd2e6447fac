/**
 * npm run test:crossplane — holds `npm run render` against the real Crossplane CLI.
 *
 * 1. Builds (or reuses) the pinned Crossplane CLI from the Go module proxy (ensure-crank.sh).
 * 2. Synthesizes the package (XRD, Composition, Function) into a scratch directory.
 * 3. Serves the composition function on loopback with --insecure and points `crossplane render`
 *    at it through the Development runtime annotations.
 * 4. For every example claim (and one claim with observed resources): `crossplane render` of its
 *    composite vs `npm run render` of the claim; both YAML streams parsed and compared object by
 *    object.
 * 5. `crossplane beta validate` of the rendered XR (with its full spec) and the example claims
 *    against the XRD, and of the package objects against Crossplane's own CRDs.
 *
 * Exits non-zero on any difference or validation failure. Scratch files: .cache/crossplane/.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse, stringify } from "yaml";
import { compositeOf, type Claim } from "../../functions/src/render.js";
import { CLAIM_KIND } from "../../src/api/index.js";
import { startFunction } from "../support/function-server.js";
import { compare, documents } from "./compare.js";

const CROSSPLANE_VERSION = process.env.CROSSPLANE_VERSION ?? "v2.2.0";
const ROOT = resolve(import.meta.dirname, "../..");
const WORK = join(ROOT, ".cache/crossplane");
const RESOURCE_NAME = "crossplane.io/composition-resource-name";

type Obj = Record<string, any>;

const started = Date.now();
const elapsed = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)}s`;
const say = (line: string) => process.stderr.write(`parity: ${line}\n`);

function run(
  cmd: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; input?: string } = {},
): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, {
    cwd: ROOT,
    encoding: "utf8",
    maxBuffer: 256 << 20,
    env: { ...process.env, ...opts.env },
    input: opts.input,
  });
  if (r.error) throw r.error;
  return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

/** The golden cases keep observed resources as a map by name; crossplane wants annotated objects. */
function observedStream(map: Record<string, Obj>): string {
  return Object.entries(map)
    .map(([name, o]) =>
      stringify({ ...o, metadata: { ...o.metadata, annotations: { ...o.metadata?.annotations, [RESOURCE_NAME]: name } } }),
    )
    .map((doc) => `---\n${doc}`)
    .join("");
}

interface Case {
  name: string;
  claimFile: string;
  observedFile?: string;
}

function cases(): Case[] {
  const examples = readdirSync(join(ROOT, "examples"))
    .filter((f) => f.endsWith(".yaml"))
    .map((f) => join(ROOT, "examples", f))
    .filter((f) => (parse(readFileSync(f, "utf8")) as Obj | null)?.kind === CLAIM_KIND)
    .map((f) => ({
      name: f
        .split("/")
        .pop()!
        .replace(/\.yaml$/, ""),
      claimFile: f,
    }));
  const withObserved: Case[] = [];
  const golden = join(ROOT, "test/cases/warm-standby-observed");
  try {
    const dir = join(WORK, "cases", "warm-standby-observed");
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, "observed.yaml"),
      observedStream(parse(readFileSync(join(golden, "observed.yaml"), "utf8")) as Record<string, Obj>),
    );
    withObserved.push({ name: "warm-standby-observed", claimFile: join(golden, "claim.yaml"), observedFile: join(dir, "observed.yaml") });
  } catch (error) {
    say(`skipping the observed case: ${(error as Error).message}`);
  }
  return [...examples, ...withObserved];
}

/** Crossplane's own CRDs from the module the CLI was built from, as validate's "Crossplane image". */
function seedCrossplaneSchemas(cacheDir: string, image: string): void {
  const info = JSON.parse(
    execFileSync("go", ["mod", "download", "-json", `github.com/crossplane/crossplane/v2@${CROSSPLANE_VERSION}`], {
      cwd: "/tmp",
      encoding: "utf8",
      env: { ...process.env, GOFLAGS: "-mod=mod" },
    }),
  ) as { Dir: string };
  const crdDir = join(info.Dir, "cluster/crds");
  const target = join(cacheDir, image.replaceAll(":", "@"));
  mkdirSync(target, { recursive: true });
  const crds = readdirSync(crdDir)
    .filter((f) => f.endsWith(".yaml"))
    .map((f) => readFileSync(join(crdDir, f), "utf8"));
  writeFileSync(join(target, "package.yaml"), crds.map((c) => `${c.trim()}\n---\n`).join(""));
}

interface ValidateSummary {
  missing: number;
  success: number;
  failure: number;
  output: string;
}

function validate(crank: string, extensions: string[], resources: string, cacheDir: string, image: string): ValidateSummary {
  const r = run(crank, ["beta", "validate", extensions.join(","), resources, "--cache-dir", cacheDir, "--crossplane-image", image]);
  const m = /Total (\d+) resources: (\d+) missing schemas, (\d+) success cases, (\d+) failure cases/.exec(r.stdout);
  if (!m) throw new Error(`crossplane beta validate printed no summary (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  return { missing: Number(m[2]), success: Number(m[3]), failure: Number(m[4]), output: r.stdout };
}

async function main(): Promise<number> {
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });

  let t = Date.now();
  const built = run("bash", [join(ROOT, "test/crossplane/ensure-crank.sh")], { env: { CROSSPLANE_VERSION } });
  process.stderr.write(built.stderr);
  if (built.code !== 0) throw new Error("could not build the Crossplane CLI");
  const crank = built.stdout.trim();
  say(`Crossplane CLI ready in ${elapsed(t)}: ${run(crank, ["version", "--client"]).stdout.trim()}`);

  t = Date.now();
  const synth = join(WORK, "synth");
  const s = run(process.execPath, ["--import", "tsx", "charts/main.ts"], { env: { CDK8S_OUTDIR: synth } });
  if (s.code !== 0) throw new Error(`synth failed:\n${s.stderr}`);
  const xrd = join(synth, "package/xrd.yaml");
  const composition = join(synth, "package/composition.yaml");
  say(`package synthesized in ${elapsed(t)}`);

  const fn = await startFunction();
  const problems: string[] = [];
  try {
    // The Function object the package installs, told to use the function already running here.
    const functionObject = parse(readFileSync(join(synth, "examples/functions.yaml"), "utf8")) as Obj;
    functionObject.metadata.annotations = {
      ...functionObject.metadata.annotations,
      "render.crossplane.io/runtime": "Development",
      "render.crossplane.io/runtime-development-target": fn.address,
    };
    const functions = join(WORK, "functions.yaml");
    writeFileSync(functions, stringify(functionObject));

    const fullXrs: string[] = [];
    for (const c of cases()) {
      t = Date.now();
      const dir = join(WORK, "cases", c.name);
      mkdirSync(dir, { recursive: true });
      // crossplane render takes the composite, not the claim: the same conversion our CLI uses.
      const xr = compositeOf(parse(readFileSync(c.claimFile, "utf8")) as Claim);
      const xrFile = join(dir, "xr.yaml");
      writeFileSync(xrFile, stringify(xr));
      const observedArgs = c.observedFile ? ["--observed-resources", c.observedFile] : [];

      const theirs = run(crank, ["render", xrFile, composition, functions, "--xrd", xrd, "--include-function-results", ...observedArgs]);
      writeFileSync(join(dir, "crossplane.yaml"), theirs.stdout);
      if (theirs.code !== 0) {
        problems.push(`${c.name}: crossplane render failed: ${theirs.stderr.trim()}`);
        continue;
      }
      const ours = run("npm", ["run", "--silent", "render", "--", c.claimFile, ...(c.observedFile ? ["--observed", c.observedFile] : [])]);
      writeFileSync(join(dir, "ours.yaml"), ours.stdout);
      if (ours.code !== 0) {
        problems.push(`${c.name}: npm run render failed: ${ours.stderr.trim()}`);
        continue;
      }
      const found = compare(c.name, documents(theirs.stdout, "crossplane render"), documents(ours.stdout, "npm run render"));
      problems.push(...found);
      const count = documents(theirs.stdout, "crossplane render").length;
      say(`${c.name}: ${found.length === 0 ? "identical" : `${found.length} differences`} (${count} documents, ${elapsed(t)})`);

      // For validation the XR needs its spec: --include-full-xr copies it in.
      const full = run(crank, ["render", xrFile, composition, functions, "--xrd", xrd, "--include-full-xr", ...observedArgs]);
      if (full.code !== 0) problems.push(`${c.name}: crossplane render --include-full-xr failed: ${full.stderr.trim()}`);
      fullXrs.push(join(dir, "rendered-full.yaml"));
      writeFileSync(fullXrs.at(-1)!, full.stdout);
    }

    t = Date.now();
    const cacheDir = join(WORK, "validate-cache");
    // A local name, not a registry reference: validate reads it from the seeded cache only.
    const image = `local/crossplane-crds:${CROSSPLANE_VERSION}`;
    seedCrossplaneSchemas(cacheDir, image);
    const claims = cases().map((c) => c.claimFile);
    const rendered = validate(crank, [xrd], fullXrs.join(","), cacheDir, image);
    const claimResult = validate(crank, [xrd], claims.join(","), cacheDir, image);
    const packageResult = validate(crank, [xrd], [xrd, composition, functions].join(","), cacheDir, image);
    writeFileSync(join(WORK, "validate.txt"), [rendered.output, claimResult.output, packageResult.output].join("\n"));
    for (const [what, v, expectSuccess] of [
      ["rendered XRs and resources", rendered, fullXrs.length],
      ["example claims", claimResult, claims.length],
      ["XRD, Composition and Function", packageResult, 3],
    ] as const) {
      say(`validate ${what}: ${v.success} valid, ${v.failure} invalid, ${v.missing} without a schema`);
      if (v.failure > 0)
        problems.push(`crossplane beta validate: ${v.failure} of the ${what} are invalid (see .cache/crossplane/validate.txt)`);
      if (v.success < expectSuccess)
        problems.push(`crossplane beta validate: expected at least ${expectSuccess} of the ${what} validated, got ${v.success}`);
    }
    say(`validated in ${elapsed(t)}; composed provider-upjet-aws resources have no schema here (see README, Render)`);
  } finally {
    await fn.stop();
  }

  for (const p of problems.slice(0, 50)) process.stderr.write(`  ${p}\n`);
  if (problems.length > 50) process.stderr.write(`  ... and ${problems.length - 50} more\n`);
  say(`${problems.length === 0 ? "passed" : `FAILED with ${problems.length} problems`} in ${elapsed(started)}`);
  return problems.length === 0 ? 0 : 1;
}

process.exitCode = await main().catch((error: unknown) => {
  process.stderr.write(`parity: ${(error as Error).message}\n`);
  return 1;
});
