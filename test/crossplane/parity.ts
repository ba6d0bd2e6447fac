/**
 * npm run test:crossplane — holds `npm run render` against the real Crossplane CLI.
 *
 * 1. Builds (or reuses) the pinned Crossplane CLI (github.com/crossplane/cli/v2) and Crossplane
 *    core from the Go module proxy, with the e2e build (test/e2e/build.sh; E2E_CACHE is shared).
 * 2. Synthesizes the package (XRD, Composition, Function) into a scratch directory.
 * 3. Serves the composition function on loopback with --insecure and points
 *    `crossplane composition render` at it through the Development runtime annotations; the
 *    render itself runs in the local Crossplane binary (--crossplane-binary), not in a container.
 * 4. For every example claim (and one claim with observed resources): `crossplane composition
 *    render` of its composite vs `npm run render` of the claim; both YAML streams parsed and
 *    compared object by object.
 * 5. `crossplane resource validate` of the rendered XR (with its full spec) and every composed
 *    resource against the XRD and the provider's real CRDs (../shared/provider-crds), of the
 *    example claims against the XRD, and of the package objects against Crossplane's own CRDs.
 *    Every resource must have a schema and be valid.
 *
 * Exits non-zero on any difference or validation failure. Scratch files: .cache/crossplane/.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse, stringify } from "yaml";
import { compositeOf, type Claim } from "../../functions/src/render.js";
import { API_VERSION_STRING, CLAIM_KIND } from "../../src/api/index.js";
import { startFunction } from "../support/function-server.js";
import { BIN, CROSSPLANE_CRDS, CROSSPLANE_VERSION, pinnedVersion } from "../e2e/controlplane.js";
import { PROVIDER_CRDS_DIR, PROVIDER_RELEASE, providerCrds } from "../e2e/provider-crds.js";
import { compare, documents } from "./compare.js";

const CLI_VERSION = pinnedVersion("CROSSPLANE_CLI_VERSION");
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
    // The claim flavor's claims: the namespaced example renders with the other package (not compared here yet).
    .filter((f) => {
      const o = parse(readFileSync(f, "utf8")) as Obj | null;
      return o?.kind === CLAIM_KIND && o?.apiVersion === API_VERSION_STRING;
    })
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

/** Crossplane's own CRDs from the module the e2e build took them from, as validate's "Crossplane image". */
function seedCrossplaneSchemas(cacheDir: string, image: string): void {
  const crdDir = CROSSPLANE_CRDS;
  const target = join(cacheDir, image.replaceAll(":", "@"));
  mkdirSync(target, { recursive: true });
  const crds = readdirSync(crdDir)
    .filter((f) => f.endsWith(".yaml"))
    .map((f) => readFileSync(join(crdDir, f), "utf8"));
  writeFileSync(join(target, "package.yaml"), crds.map((c) => `${c.trim()}\n---\n`).join(""));
}

interface ValidateResult {
  summary: { total: number; valid: number; invalid: number; missingSchemas: number };
  resources: Array<{
    apiVersion: string;
    kind: string;
    name: string;
    status: string;
    errors?: Array<{ type: string; field?: string; message: string }>;
  }>;
}

function validate(
  cli: string,
  extensions: string[],
  resources: string,
  cacheDir: string,
  image: string,
): ValidateResult & { output: string } {
  const args = ["resource", "validate", extensions.join(","), resources, "--cache-dir", cacheDir, "--crossplane-image", image];
  const r = run(cli, [...args, "--output", "json"]);
  try {
    return { ...(JSON.parse(r.stdout) as ValidateResult), output: r.stdout };
  } catch {
    throw new Error(`crossplane resource validate printed no JSON result (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
}

/** One line per resource that is not valid, naming it and each field error. */
function notValid(v: ValidateResult): string[] {
  return v.resources
    .filter((r) => r.status !== "valid")
    .map(
      (r) =>
        `${r.apiVersion} ${r.kind} ${r.name}: ${r.status}${(r.errors ?? []).map((e) => `; ${e.type} ${e.field ?? ""}: ${e.message}`).join("")}`,
    );
}

async function main(): Promise<number> {
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });

  let t = Date.now();
  const built = run("bash", [join(ROOT, "test/e2e/build.sh"), "crossplane", "cli"]);
  process.stderr.write(built.stdout + built.stderr);
  if (built.code !== 0) throw new Error("could not build Crossplane and its CLI (test/e2e/build.sh crossplane cli)");
  const cli = join(BIN, "crossplane-cli");
  const crossplane = join(BIN, "crossplane");
  say(
    `Crossplane CLI ${CLI_VERSION} and Crossplane ${CROSSPLANE_VERSION} ready in ${elapsed(t)}: ${run(cli, ["version", "--client"]).stdout.trim()}`,
  );

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

      const render = ["composition", "render", xrFile, composition, functions, "--xrd", xrd, "--crossplane-binary", crossplane];
      const theirs = run(cli, [...render, "--include-function-results", ...observedArgs]);
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
      const full = run(cli, [...render, "--include-full-xr", ...observedArgs]);
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
    // The released CRD files of the kinds the function composes, read where they are, not copied.
    const provider = providerCrds();
    const rendered = validate(cli, [xrd, ...provider.files], fullXrs.join(","), cacheDir, image);
    const claimResult = validate(cli, [xrd], claims.join(","), cacheDir, image);
    const packageResult = validate(cli, [xrd], [xrd, composition, functions].join(","), cacheDir, image);
    writeFileSync(join(WORK, "validate.json"), [rendered.output, claimResult.output, packageResult.output].join("\n"));
    // Every rendered document is the XR or a composed resource: each must have a schema.
    const renderedDocuments = fullXrs.reduce((n, f) => n + documents(readFileSync(f, "utf8"), f).length, 0);
    for (const [what, v, expected] of [
      [`rendered XRs and composed resources (provider-upjet-aws ${PROVIDER_RELEASE} CRDs)`, rendered, renderedDocuments],
      ["example claims", claimResult, claims.length],
      ["XRD, Composition and Function", packageResult, 3],
    ] as const) {
      const s = v.summary;
      say(`validate ${what}: ${s.valid} valid, ${s.invalid} invalid, ${s.missingSchemas} without a schema, of ${s.total}`);
      problems.push(...notValid(v).map((line) => `crossplane resource validate: ${line}`));
      if (s.total !== expected || s.valid !== expected)
        problems.push(
          `crossplane resource validate: expected ${expected} of the ${what} validated and valid, got ${s.valid} of ${s.total}`,
        );
    }
    say(`validated in ${elapsed(t)} against ${provider.crds.length} provider CRDs from ${PROVIDER_CRDS_DIR}`);
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
