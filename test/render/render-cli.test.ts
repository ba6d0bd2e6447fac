/**
 * `npm run render` as a person runs it: the real CLI in a child process, on the committed example
 * claims, on broken inputs, with observed resources and with --graph.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, parseAllDocuments, stringify } from "yaml";
import { jest } from "@jest/globals";
import { COMPOSITE_KIND, flavorOf, NAMESPACED_KIND } from "../../src/api/index.js";

const RESOURCE_NAME = "crossplane.io/composition-resource-name";
const EXAMPLES = readdirSync("examples")
  .filter((f) => f.endsWith(".yaml"))
  .filter((f) => (parse(readFileSync(join("examples", f), "utf8")) as { kind?: string }).kind === "DisasterRecoveryEnvironment");

type Obj = Record<string, any>;

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, ["--import", "tsx", "tools/render/cli.ts", ...args], { encoding: "utf8", maxBuffer: 64 << 20 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function docs(stream: string): Obj[] {
  return parseAllDocuments(stream).map((d) => {
    expect(d.errors).toEqual([]);
    return d.toJS() as Obj;
  });
}

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), "render-cli-"));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

jest.setTimeout(120_000);

test("there are example claims to render", () => {
  expect(EXAMPLES.length).toBeGreaterThan(0);
});

describe.each(EXAMPLES)("npm run render -- examples/%s", (file) => {
  let out: ReturnType<typeof cli>;
  beforeAll(() => {
    out = cli(join("examples", file));
  });

  test("exits 0 with the XR first, then every composed resource, then results", () => {
    expect(out.stderr).not.toMatch(/error/i);
    expect(out.code).toBe(0);
    const [xr, ...rest] = docs(out.stdout);
    const claim = parse(readFileSync(join("examples", file), "utf8")) as Obj;
    const namespaced = flavorOf(claim.apiVersion) === "namespaced";
    // A claim renders as the composite Crossplane makes of it; a namespaced composite as itself.
    const compositeKind = namespaced ? NAMESPACED_KIND : COMPOSITE_KIND;
    expect([xr!.apiVersion, xr!.kind]).toEqual([claim.apiVersion, compositeKind]);
    expect(xr!.status.conditions.find((c: Obj) => c.type === "Ready")).toBeDefined();

    const composed = rest.filter((d) => d.kind !== "Result");
    const results = rest.filter((d) => d.kind === "Result");
    expect(composed.length).toBe(xr!.status.resources.desired);
    for (const c of composed) {
      expect(c.metadata.annotations[RESOURCE_NAME]).toMatch(/^[a-z0-9-]+$/);
      expect(c.metadata.ownerReferences).toEqual([
        expect.objectContaining({ kind: compositeKind, name: xr!.metadata.name, controller: true }),
      ]);
      // The namespaced flavor composes only the provider's namespaced kinds (and Usages), in the composite's namespace.
      if (namespaced)
        expect([c.apiVersion.includes(".aws.m.upbound.io/") || c.kind === "Usage", c.metadata.namespace]).toEqual([
          true,
          claim.metadata.namespace,
        ]);
    }
    const names = composed.map((c) => c.metadata.annotations[RESOURCE_NAME]);
    expect(names).toEqual([...names].sort());
    expect(new Set(names).size).toBe(names.length);
    // Results come last: nothing but Results after the first one.
    expect(rest.slice(composed.length).every((d) => d.kind === "Result")).toBe(true);
    for (const r of results)
      expect(r).toEqual({
        apiVersion: "render.crossplane.io/v1beta1",
        kind: "Result",
        reason: expect.stringMatching(/^(SelectComposition|ComposeResources)$/),
        severity: expect.stringMatching(/^(Normal|Warning)$/),
        message: expect.any(String),
      });
    // One event per composed resource that is not ready yet, as Crossplane's reconciler emits.
    const unready = results.filter((r) => /^Composed resource ".+" is not yet ready$/.test(r.message));
    expect(unready.length).toBeGreaterThan(0);
    expect(unready.length).toBeLessThanOrEqual(composed.length);
  });

  test("summarizes tier, regions, counts, recovery objectives, cost and what it waits for on stderr, in a few short lines", () => {
    const xr = docs(out.stdout)[0]!;
    const claim = parse(readFileSync(join("examples", file), "utf8")) as Obj;
    const lines = out.stderr.trim().split("\n");
    expect(lines.length).toBeLessThanOrEqual(6);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(140);
    expect(lines[0]).toContain(`${xr.metadata.name}: ${claim.spec.tier}, ${xr.status.primary.region}`);
    expect(out.stderr).toContain(`${xr.status.resources.desired} resources: `);
    expect(out.stderr).toMatch(/RPO \d+[smh]/);
    expect(out.stderr).toMatch(/RTO \d+[smh]/);
    expect(out.stderr).toContain(`~$${xr.status.estimatedMonthlyCostUSD.toFixed(2)}/month`);
    const waiting = (xr.status.pending as string[]).filter((p) => / waits for /.test(p)).length;
    expect(out.stderr).toContain(waiting > 0 ? `wait for ${waiting} values AWS decides` : "waiting for nothing");
    // How clients follow a failover: the team's hostname, or by hand between the regions' URLs.
    if (xr.status.failoverUrl) expect(out.stderr).toContain(`clients call ${xr.status.failoverUrl}`);
    else if (xr.status.secondary)
      expect(out.stderr).toContain("no failover hostname (spec.dns): clients switch between the per-region URLs");
    else expect(out.stderr).not.toContain("failover");
  });
});

test("--format json prints the same objects as the YAML stream", () => {
  const file = join("examples", EXAMPLES[0]!);
  const json = cli(file, "--format", "json");
  expect(json.code).toBe(0);
  expect(JSON.parse(json.stdout)).toEqual(docs(cli(file).stdout));
});

test("a bad claim names every field and rule and exits 2", () => {
  const claim = parse(readFileSync(join("examples", EXAMPLES[0]!), "utf8")) as Obj;
  claim.spec.environmentSuffix = "Not_Valid!";
  claim.spec.tier = "gold";
  const file = join(scratch, "bad.yaml");
  writeFileSync(file, stringify(claim));
  const out = cli(file);
  expect(out.code).toBe(2);
  expect(out.stdout).toBe("");
  expect(out.stderr).toContain(`${file} is not a valid claim`);
  expect(out.stderr).toMatch(/spec\.environmentSuffix: .+/);
  expect(out.stderr).toMatch(/spec\.tier: .+/);
});

test("a claim of the wrong kind exits 2 naming kind", () => {
  const file = join(scratch, "wrong-kind.yaml");
  writeFileSync(file, stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x" } }));
  const out = cli(file);
  expect(out.code).toBe(2);
  expect(out.stderr).toMatch(/kind: .*ConfigMap/);
});

test("a missing claim file says which file", () => {
  const file = join(scratch, "no-such-claim.yaml");
  const out = cli(file);
  expect(out.code).toBe(2);
  expect(out.stderr).toContain(`cannot read claim ${file}: no such file`);
});

test("unparsable YAML says where", () => {
  const file = join(scratch, "broken.yaml");
  writeFileSync(file, "apiVersion: dr.platform.io/v1alpha1\nkind: DisasterRecoveryEnvironment\nmetadata:\n  name: [unclosed\n");
  const out = cli(file);
  expect(out.code).toBe(2);
  expect(out.stderr).toMatch(new RegExp(`cannot parse claim ${file.replace(/[.]/g, "\\.")}:\\d+:\\d+`));
});

test("usage errors exit 2", () => {
  expect(cli().code).toBe(2);
  const toml = cli(join("examples", EXAMPLES[0]!), "--format", "toml");
  expect(toml.code).toBe(2);
  expect(toml.stderr).toContain("--format must be yaml or json");
  expect(cli(join("examples", EXAMPLES[0]!), "--output", "json").stderr).toContain("--output takes the file to write");
  expect(cli("--no-such-flag", "x.yaml").code).toBe(2);
});

test("--help prints the options and exit codes and exits 0", () => {
  const out = cli("--help");
  expect(out.code).toBe(0);
  for (const option of ["--output", "--format", "--observed", "--settled", "--graph"]) expect(out.stdout).toContain(option);
  expect(out.stdout).toContain("exit codes: 0 rendered, 1 the function refused, 2 usage or bad input");
});

test("--observed keeps the names of existing resources and composes what waited for them", () => {
  const golden = "test/cases/warm-standby-observed";
  const observed = parse(readFileSync(join(golden, "observed.yaml"), "utf8")) as Record<string, Obj>;
  const dir = join(scratch, "observed");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
  // One file per resource, annotated as Crossplane annotates composed resources.
  for (const [name, o] of Object.entries(observed)) {
    writeFileSync(join(dir, `${name}.yaml`), stringify({ ...o, metadata: { ...o.metadata, annotations: { [RESOURCE_NAME]: name } } }));
  }
  const before = docs(cli(join(golden, "claim.yaml")).stdout);
  const out = cli(join(golden, "claim.yaml"), "--observed", dir);
  expect(out.code).toBe(0);
  const after = docs(out.stdout);
  const byName = new Map(
    after.filter((d) => d.kind !== "Result" && d.kind !== COMPOSITE_KIND).map((d) => [d.metadata.annotations[RESOURCE_NAME], d]),
  );
  for (const [name, o] of Object.entries(observed)) {
    if (!byName.has(name)) continue;
    expect(byName.get(name)!.metadata.name).toBe(o.metadata.name);
    expect(byName.get(name)!.metadata.generateName).toBeUndefined();
  }
  const pending = (d: Obj[]) => (d[0]!.status.pending as string[]).length;
  expect(pending(after)).toBeLessThan(pending(before));
  const composed = (d: Obj[]) => d.filter((x) => x.metadata?.annotations?.[RESOURCE_NAME]).length;
  expect(composed(after)).toBeGreaterThan(composed(before));
});

test("--observed without the resource-name annotation says which file", () => {
  const file = join(scratch, "observed-unannotated.yaml");
  writeFileSync(file, stringify({ apiVersion: "ec2.aws.upbound.io/v1beta1", kind: "VPC", metadata: { name: "x" } }));
  const out = cli(join("examples", EXAMPLES[0]!), "--observed", file);
  expect(out.code).toBe(2);
  expect(out.stderr).toContain(`observed resources ${file}, document 1 (VPC)`);
});

test("--graph writes an SVG with a node per composed resource and edges for selectors", () => {
  const example = EXAMPLES.find((f) => f.includes("warm")) ?? EXAMPLES[0]!;
  const file = join(scratch, "graph.svg");
  const out = cli(join("examples", example), "--graph", file);
  expect(out.code).toBe(0);
  const svg = readFileSync(file, "utf8");
  expect(svg.startsWith("<?xml") || svg.startsWith("<svg")).toBe(true);
  const names = docs(out.stdout)
    .filter((d) => d.metadata?.annotations?.[RESOURCE_NAME])
    .map((d) => d.metadata.annotations[RESOURCE_NAME] as string);
  const nodeTitles = [...svg.matchAll(/<g id="node\d+" class="node">\s*<title>([^<]+)<\/title>/g)].map((m) =>
    m[1]!.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code))),
  );
  expect(nodeTitles.filter((t) => t !== "legend").sort()).toEqual([...names].sort());
  const edges = [...svg.matchAll(/<g id="edge\d+" class="edge">/g)].length;
  expect(edges).toBeGreaterThan(0);
  expect(out.stderr).toMatch(new RegExp(`wrote ${file.replace(/[.]/g, "\\.")}: ${names.length} resources, \\d+ selector edges`));
});

/** A claim file in the scratch directory: the first example with `edit` applied. */
function claimWith(name: string, edit: (claim: Obj) => void): string {
  const claim = parse(readFileSync(join("examples", EXAMPLES[0]!), "utf8")) as Obj;
  edit(claim);
  const file = join(scratch, `${name}.yaml`);
  writeFileSync(file, stringify(claim));
  return file;
}

test.each([
  ["an unknown field", (c: Obj) => (c.spec.teir = c.spec.tier), "spec.teir: unknown field; did you mean spec.tier?"],
  [
    "a nested typo",
    (c: Obj) => (c.spec.network = { availabilityZone: 2 }),
    "spec.network.availabilityZone: unknown field; did you mean spec.network.availabilityZones?",
  ],
  [
    "a misspelled list field",
    (c: Obj) => (c.spec.alerts = { email: ["a@example.com"] }),
    "spec.alerts.email: unknown field; did you mean spec.alerts.emails?",
  ],
  [
    "a wrong apiVersion",
    (c: Obj) => (c.apiVersion = "dr.platform.io/v9"),
    'apiVersion: "dr.platform.io/v9" is not served; did you mean dr.platform.io/v1alpha1?',
  ],
  ["an unknown top-level field", (c: Obj) => (c.sepc = {}), "sepc: unknown field; did you mean spec?"],
])("a claim with %s is refused with exit 2, naming the field", (_, edit, message) => {
  const out = cli(claimWith("strict", edit));
  expect(out.code).toBe(2);
  expect(out.stdout).toBe("");
  expect(out.stderr).toContain(message);
});

test("schema, CEL and domain rules are reported in one pass", () => {
  const file = claimWith("all-at-once", (c) => {
    c.spec.tier = "warm-standby";
    c.spec.primaryRegion = "us-west-1";
    c.spec.secondaryRegion = "us-east-2";
    c.spec.environmentSuffix = "Bad_Suffix";
    c.spec.network = { cidr: "10.0.3.0/16", availabilityZones: 3 };
    c.spec.database = { minCapacity: 0.75, maxCapcity: 4 };
  });
  const out = cli(file);
  expect(out.code).toBe(2);
  expect(out.stderr).toMatch(/spec\.environmentSuffix: must match the pattern/);
  expect(out.stderr).toContain("spec.network.cidr must be a network address");
  expect(out.stderr).toContain("spec.database.minCapacity must be a multiple of 0.5");
  expect(out.stderr).toContain("spec.database.maxCapcity: unknown field");
  expect(out.stderr).toContain("spec.network.availabilityZones: spec.primaryRegion us-west-1 offers 2 availability zones, 3 requested");
});

test("-o writes the stream to the file and prints only the summary", () => {
  const file = join(scratch, "rendered.yaml");
  const out = cli(join("examples", EXAMPLES[0]!), "-o", file);
  expect(out.code).toBe(0);
  expect(out.stdout).toBe("");
  expect(docs(readFileSync(file, "utf8"))).toEqual(docs(cli(join("examples", EXAMPLES[0]!)).stdout));
  expect(out.stderr).toContain(`wrote ${file}: the XR, `);
});

test("--settled composes the complete environment: nothing waits, more resources than a first render", () => {
  const example = join("examples", EXAMPLES.find((f) => f.includes("warm")) ?? EXAMPLES[0]!);
  const out = cli(example, "--settled");
  expect(out.code).toBe(0);
  const [xr, ...rest] = docs(out.stdout);
  expect((xr!.status.pending as string[]).filter((p) => / waits for /.test(p))).toEqual([]);
  expect(rest.filter((d) => d.kind === "Result" && d.severity === "SEVERITY_WARNING")).toEqual([]);
  expect(xr!.status.resources.desired).toBeGreaterThan(docs(cli(example).stdout)[0]!.status.resources.desired);
  expect(out.stderr).toContain("waiting for nothing");
});

test("--graph of a settled warm standby draws every link between regions and a legend", () => {
  const example = join("examples", EXAMPLES.find((f) => f.includes("warm")) ?? EXAMPLES[0]!);
  const file = join(scratch, "dr.svg");
  const out = cli(example, "--settled", "--graph", file, "-o", join(scratch, "dr.yaml"));
  expect(out.code).toBe(0);
  const svg = readFileSync(file, "utf8").replace(/&#45;/g, "-").replace(/&gt;/g, ">");
  const edgeTitles = new Set([...svg.matchAll(/<g id="edge\d+" class="edge">\s*<title>([^<]+)<\/title>/g)].map((m) => m[1]!));
  for (const link of [
    "primary-aurora-cluster->primary-aurora-global-cluster",
    "secondary-aurora-cluster->primary-aurora-global-cluster",
    "primary-table->secondary-table-replica",
    "primary-bucket-replication->secondary-bucket",
    "secondary-bucket-replication->primary-bucket",
    "primary-backup-plan->secondary-backup-vault",
    "primary-failover-alias->secondary-failover-alias",
  ])
    expect(edgeTitles).toContain(link);
  for (const label of ["legend", "global database", "table replica", "bucket replication", "backup copy", "failover pair"])
    expect(svg).toContain(label);
  expect(out.stderr).toMatch(/\d+ links between regions/);
});

test("--graph with an extension it cannot write is a usage error before anything is rendered", () => {
  const file = join(scratch, "graph.jpg");
  const out = cli(join("examples", EXAMPLES[0]!), "--graph", file);
  expect(out.code).toBe(2);
  expect(out.stdout).toBe("");
  expect(out.stderr).toContain("the file must end in .svg or .png");
});
