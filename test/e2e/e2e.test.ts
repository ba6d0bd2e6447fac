/**
 * End to end on a real control plane: etcd, kube-apiserver, kube-controller-manager (garbage
 * collector) and Crossplane core, all built from their Go modules, with our composition function
 * called by Crossplane over mutual TLS. Run with `npm run test:e2e` (test/e2e/run.sh).
 *
 * Provider CRDs are the REAL ones of the pinned provider release (provider-crds.ts): the API server
 * validates every composed resource against the provider's schema and CEL rules, prunes what the
 * schema does not list, and fills its defaults; each stored resource is compared with what the
 * function sent plus those defaults, so a pruned field shows as a difference. No provider runs:
 * nothing becomes Ready and nothing reaches AWS.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml, parseAllDocuments } from "yaml";
import {
  CustomObjectsApi,
  KubernetesObjectApi,
  loadYaml,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
  type KubernetesObject,
} from "@kubernetes/client-node";
import {
  API_GROUP,
  API_VERSION,
  CLAIM_PLURAL,
  COMPOSITE_PLURAL,
  NAMESPACED_API_GROUP,
  NAMESPACED_PLURAL,
  NAMESPACED_XRD_NAME,
  XRD_NAME,
} from "../../src/api/group.js";
import { synth } from "../../charts/main.js";
import { requestFor } from "../../functions/src/render.js";
import { fromCompose } from "@crossplane-org/function-sdk-typescript";
import { compose } from "../../functions/src/function.js";
import { Drctl, condition } from "../../tools/drctl/drctl.js";
import { ControlPlane, CROSSPLANE_CRDS, CROSSPLANE_VERSION, REPO_ROOT, until } from "./controlplane.js";
import { providerCrds, PROVIDER_CRDS_DIR, PROVIDER_RELEASE, withSchemaDefaults, type Crd } from "./provider-crds.js";
import { INVALID_CLAIMS, IMMUTABLE_CHANGES } from "../support/invalid-claims.js";
import { liveChangeScenarios } from "./scenarios.js";

type Obj = KubernetesObject & { spec?: Record<string, any>; status?: Record<string, any> };

const FUNCTION_NAME = "function-dr-environment";
const RESOURCE_NAME = "crossplane.io/composition-resource-name";
const PAUSED = "crossplane.io/paused";
const SETTLE_MS = 180_000;
/** Kinds that hold data: spec.protection decides whether deleting the claim orphans them in AWS. */
const STATEFUL = new Set([
  "rds.aws.upbound.io/Cluster",
  "rds.aws.upbound.io/GlobalCluster",
  "dynamodb.aws.upbound.io/Table",
  "s3.aws.upbound.io/Bucket",
  "kms.aws.upbound.io/Key",
]);

const cp = new ControlPlane();
let kc: KubeConfig;
let objects: KubernetesObjectApi;
let custom: CustomObjectsApi;
let distDir: string;
/** The provider CRD of each composable kind by "group/Kind". */
const crdOf = new Map<string, Crd>();
const summary: Array<[string, string]> = [];
/** Set when the XRD never establishes: every later scenario needs it, so they fail at once. */
let xrdBroken = "";
let refused = 0;
const needXrd = () => {
  if (xrdBroken) throw new Error(`skipped: the XRD was not established (see the first failure)`);
};
const started = Date.now();

const allExamples = readdirSync(join(REPO_ROOT, "examples"))
  .filter((f) => f.endsWith(".yaml"))
  .map((f) => [f, parseYaml(readFileSync(join(REPO_ROOT, "examples", f), "utf8")) as Obj] as const)
  .filter(([, o]) => o.kind === "DisasterRecoveryEnvironment");
/** The claim flavor's examples (claims) and the namespaced flavor's (namespaced composites). */
const examples = allExamples.filter(([, o]) => o.apiVersion === `${API_GROUP}/${API_VERSION}`);
const namespacedExamples = allExamples.filter(([, o]) => o.apiVersion === `${NAMESPACED_API_GROUP}/${API_VERSION}`);

function docs(file: string): Obj[] {
  return parseAllDocuments(readFileSync(file, "utf8"))
    .map((d) => d.toJS() as Obj)
    .filter(Boolean);
}

async function create(o: Obj): Promise<void> {
  // The client serializes built-in kinds through its typed models, which drop JSON keys such as
  // x-kubernetes-preserve-unknown-fields on plain objects: loadYaml maps them onto the models first.
  // Discovery is cached per client; a fresh one sees CRDs created a moment ago.
  await KubernetesObjectApi.makeApiClient(kc).create(loadYaml<Obj>(JSON.stringify(o)));
}

async function established(crdName: string, timeoutMs = 60_000): Promise<void> {
  await until(
    `CRD ${crdName} Established`,
    async () => {
      const crd = (await objects.read({
        apiVersion: "apiextensions.k8s.io/v1",
        kind: "CustomResourceDefinition",
        metadata: { name: crdName },
      })) as Obj;
      return condition(crd, "Established")?.status === "True";
    },
    timeoutMs,
  );
}

async function ensureNamespace(name: string): Promise<void> {
  try {
    await objects.create({ apiVersion: "v1", kind: "Namespace", metadata: { name } });
  } catch (e) {
    if ((e as { code?: number }).code !== 409) throw e;
  }
}

/**
 * Registers the function without an image registry. Crossplane's function runner only reads the
 * active FunctionRevision of the Function (label pkg.crossplane.io/package) and dials its
 * status.endpoint; with --package-runtime=External nothing else sets that endpoint. Both objects
 * carry crossplane.io/paused so the package manager never tries to pull the package image.
 */
async function registerFunction(): Promise<void> {
  const meta = docs(join(distDir, "function/crossplane.yaml"))[0];
  // Crossplane's rule for function packages: no capabilities declared means "composition".
  const capabilities = (meta.spec?.capabilities as string[] | undefined) ?? ["composition"];
  const installed = docs(join(distDir, "install/functions.yaml")).find((o) => o.metadata?.name === FUNCTION_NAME);
  const pkg = (installed?.spec?.package as string | undefined) ?? `example.invalid/${FUNCTION_NAME}:v0.0.0`;
  await create({
    apiVersion: "pkg.crossplane.io/v1",
    kind: "Function",
    metadata: { name: FUNCTION_NAME, annotations: { [PAUSED]: "true" } },
    spec: { package: pkg },
  });
  const fn = (await objects.read({ apiVersion: "pkg.crossplane.io/v1", kind: "Function", metadata: { name: FUNCTION_NAME } })) as Obj;
  const revision = `${FUNCTION_NAME}-local`;
  await create({
    apiVersion: "pkg.crossplane.io/v1",
    kind: "FunctionRevision",
    metadata: {
      name: revision,
      labels: { "pkg.crossplane.io/package": FUNCTION_NAME },
      annotations: { [PAUSED]: "true" },
      ownerReferences: [
        { apiVersion: "pkg.crossplane.io/v1", kind: "Function", name: FUNCTION_NAME, uid: fn.metadata!.uid!, controller: true },
      ],
    },
    spec: { desiredState: "Active", image: pkg, revision: 1 },
  });
  await custom.patchClusterCustomObjectStatus(
    {
      group: "pkg.crossplane.io",
      version: "v1",
      plural: "functionrevisions",
      name: revision,
      // The gRPC target Crossplane dials; the function's certificate names 127.0.0.1.
      body: { status: { endpoint: `dns:///127.0.0.1:${cp.functionPort}`, capabilities } },
    },
    setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
  );
}

async function getClaim(ns: string, name: string): Promise<Obj> {
  return (await custom.getNamespacedCustomObject({
    group: API_GROUP,
    version: API_VERSION,
    namespace: ns,
    plural: CLAIM_PLURAL,
    name,
  })) as Obj;
}

async function getComposite(name: string): Promise<Obj> {
  return (await custom.getClusterCustomObject({ group: API_GROUP, version: API_VERSION, plural: COMPOSITE_PLURAL, name })) as Obj;
}

interface Live {
  xr: Obj;
  composed: Map<string, Obj>;
}

async function live(ns: string, name: string): Promise<Live | undefined> {
  const claim = await getClaim(ns, name);
  const xrName = claim.spec?.resourceRef?.name as string | undefined;
  if (!xrName) return undefined;
  const xr = await getComposite(xrName);
  const refs = (xr.spec?.crossplane?.resourceRefs ?? xr.spec?.resourceRefs ?? []) as Array<{
    apiVersion: string;
    kind: string;
    name?: string;
  }>;
  const composed = new Map<string, Obj>();
  for (const r of refs) {
    if (!r.name) continue;
    const o = (await objects.read({ apiVersion: r.apiVersion, kind: r.kind, metadata: { name: r.name } })) as Obj;
    composed.set(o.metadata?.annotations?.[RESOURCE_NAME] ?? r.name, o);
  }
  return { xr, composed };
}

/** A namespaced composite and what it composes, all in its namespace. */
async function liveNamespaced(ns: string, name: string): Promise<Live | undefined> {
  const xr = (await custom.getNamespacedCustomObject({
    group: NAMESPACED_API_GROUP,
    version: API_VERSION,
    namespace: ns,
    plural: NAMESPACED_PLURAL,
    name,
  })) as Obj;
  const refs = (xr.spec?.crossplane?.resourceRefs ?? []) as Array<{ apiVersion: string; kind: string; name?: string }>;
  if (refs.length === 0) return undefined;
  const composed = new Map<string, Obj>();
  for (const r of refs) {
    if (!r.name) continue;
    const o = (await objects.read({ apiVersion: r.apiVersion, kind: r.kind, metadata: { name: r.name, namespace: ns } })) as Obj;
    composed.set(o.metadata?.annotations?.[RESOURCE_NAME] ?? r.name, o);
  }
  return { xr, composed };
}

const handler = fromCompose(compose);

/** What the function desires for the composite and composed resources as the API server has them now. */
async function expected(l: Live): Promise<Map<string, Obj>> {
  const rsp = await handler.RunFunction(requestFor(l.xr as never, Object.fromEntries(l.composed) as never));
  return new Map(Object.entries(rsp.desired?.resources ?? {}).map(([k, v]) => [k, v.resource as Obj]));
}

/** Paths where the stored value differs from the sent one (a pruned field shows as "(absent)"). */
function fieldDifferences(sent: unknown, stored: unknown, path: string): string[] {
  if (deepEqual(sent, stored)) return [];
  if (sent && stored && typeof sent === "object" && typeof stored === "object" && Array.isArray(sent) === Array.isArray(stored)) {
    const keys = [...new Set([...Object.keys(sent), ...Object.keys(stored)])];
    return keys.flatMap((k) =>
      fieldDifferences((sent as Record<string, unknown>)[k], (stored as Record<string, unknown>)[k], `${path}.${k}`),
    );
  }
  const show = (v: unknown) => (v === undefined ? "(absent)" : JSON.stringify(v).slice(0, 120));
  return [`${path}: sent ${show(sent)}, stored ${show(stored)}`];
}

/**
 * What the API server stores for a desired resource that it accepts unchanged: the desired spec
 * plus the defaults of the provider's schema for that version.
 */
function storedForm(d: Obj): Obj {
  const crd = crdOf.get(`${d.apiVersion!.split("/")[0]}/${d.kind}`);
  return crd ? withSchemaDefaults(d, crd, d.apiVersion!.split("/")[1]) : d;
}

/** Crossplane's usage controller records what each Usage selector resolved to: not the function's to compare. */
function withoutResolvedUsage(o: Obj): Obj {
  if (o.kind !== "Usage") return o;
  const copy = structuredClone(o);
  for (const side of ["of", "by"]) delete copy.spec?.[side]?.resourceRef;
  return copy;
}

/** Differences between desired and stored composed resources; empty when Crossplane applied exactly what the function sent. */
function mismatches(want: Map<string, Obj>, got: Map<string, Obj>): string[] {
  const out: string[] = [];
  for (const [name, d] of want) {
    const o = got.get(name);
    if (!o) {
      out.push(`${name}: not in the API server`);
      continue;
    }
    if (o.apiVersion !== d.apiVersion || o.kind !== d.kind) out.push(`${name}: ${o.apiVersion} ${o.kind}, want ${d.apiVersion} ${d.kind}`);
    const spec = fieldDifferences(storedForm(d).spec, withoutResolvedUsage(o).spec, "spec");
    if (spec.length > 0) out.push(`${name} (${d.kind}): ${spec.slice(0, 3).join(", ")}`);
    const ext = d.metadata?.annotations?.["crossplane.io/external-name"];
    if (ext && o.metadata?.annotations?.["crossplane.io/external-name"] !== ext)
      out.push(`${name}: external-name ${o.metadata?.annotations?.["crossplane.io/external-name"]}, want ${ext}`);
  }
  for (const name of got.keys()) if (!want.has(name)) out.push(`${name}: in the API server but no longer desired`);
  return out;
}

function deepEqual(a: unknown, b: unknown): boolean {
  const norm = (v: unknown): unknown =>
    v && typeof v === "object"
      ? Array.isArray(v)
        ? v.map(norm)
        : Object.fromEntries(
            Object.entries(v)
              .sort(([x], [y]) => x.localeCompare(y))
              .map(([k, x]) => [k, norm(x)]),
          )
      : v;
  return JSON.stringify(norm(a)) === JSON.stringify(norm(b));
}

/** Waits until every desired resource exists with the desired spec and nothing else is composed. */
async function converged(ns: string, name: string, timeoutMs = SETTLE_MS, read = live): Promise<Live> {
  let last: string[] = [];
  try {
    return await until(
      `${ns}/${name} composed resources to match the function's desired state`,
      async () => {
        cp.assertAlive();
        const l = await read(ns, name);
        if (!l || l.composed.size === 0) {
          last = ["no composed resources yet"];
          return undefined;
        }
        last = mismatches(await expected(l), l.composed);
        return last.length === 0 ? l : undefined;
      },
      timeoutMs,
      1000,
    );
  } catch (e) {
    throw new Error(
      `${(e as Error).message}\nlast differences: ${last.slice(0, 15).join("; ")}\ncrossplane log tail:\n${cp.logTail("crossplane", 15)}`,
      { cause: e },
    );
  }
}

function apiError(e: unknown): string {
  const err = e as { code?: number; body?: unknown; message?: string };
  const body = typeof err.body === "string" ? err.body : JSON.stringify(err.body ?? "");
  try {
    return `${err.code} ${(JSON.parse(body) as { message: string }).message}`;
  } catch {
    return `${err.code} ${body || err.message}`;
  }
}

beforeAll(async () => {
  const t0 = Date.now();
  const crossplaneCrds = readdirSync(CROSSPLANE_CRDS)
    .filter((f) => f.endsWith(".yaml"))
    .flatMap((f) => docs(join(CROSSPLANE_CRDS, f)));
  const provider = providerCrds();
  await cp.start({
    beforeCrossplane: async (config) => {
      kc = config;
      objects = KubernetesObjectApi.makeApiClient(kc);
      custom = kc.makeApiClient(CustomObjectsApi);
      for (const crd of crossplaneCrds) await create(crd);
      for (const crd of provider.crds) {
        crdOf.set(`${crd.spec.group}/${crd.spec.names.kind}`, crd);
        await create(crd as unknown as Obj);
      }
      for (const crd of [...crossplaneCrds, ...(provider.crds as unknown as Obj[])]) await established(crd.metadata!.name!);
      await ensureNamespace("crossplane-system");
      // The Usage deletion guard: Crossplane refuses deleting a resource in use through this webhook.
      for (const webhook of cp.webhookConfigurations()) await create(webhook as Obj);
    },
  });
  for (const ns of new Set(allExamples.map(([, o]) => o.metadata?.namespace ?? "default"))) await ensureNamespace(ns);

  distDir = join(cp.dir, "dist");
  synth(distDir);
  await registerFunction();
  for (const o of [...docs(join(distDir, "package/xrd.yaml")), ...docs(join(distDir, "package/composition.yaml"))]) await create(o);
  // The namespaced flavor's package beside it: XRD, Composition and activation policy.
  for (const f of ["xrd", "composition", "activation-policy"])
    for (const o of docs(join(distDir, `package-namespaced/${f}.yaml`))) await create(o);
  summary.push([
    "control plane up, CRDs applied",
    `${((Date.now() - t0) / 1000).toFixed(1)}s (${crossplaneCrds.length} Crossplane ${CROSSPLANE_VERSION} CRDs, ` +
      `${provider.crds.length} provider-upjet-aws ${PROVIDER_RELEASE} CRDs from ${PROVIDER_CRDS_DIR})`,
  ]);
  if (provider.deprecated.length > 0)
    summary.push([`kinds emitted at a version provider ${PROVIDER_RELEASE} deprecates`, provider.deprecated.join(", ")]);
}, 600_000);

afterAll(async () => {
  summary.push([
    "bad claims and immutable changes refused by the API server with the field named",
    `${refused}/${INVALID_CLAIMS.length + IMMUTABLE_CHANGES.length}`,
  ]);
  summary.push(["peak RSS of the control plane processes", `${Math.round(cp.peakRssKiB / 1024)} MiB`]);
  summary.push(["total", `${((Date.now() - started) / 1000).toFixed(1)}s`]);
  process.stdout.write(`\nE2E summary\n${summary.map(([k, v]) => `  ${k}: ${v}`).join("\n")}\n`);
  await cp.stop();
}, 120_000);

describe("the package on a real API server with real Crossplane", () => {
  it("XRD is established and offered; the XR and claim CRDs appear", async () => {
    try {
      await until(
        "XRD Established and Offered",
        async () => {
          cp.assertAlive();
          const xrd = (await objects.read({
            apiVersion: "apiextensions.crossplane.io/v1",
            kind: "CompositeResourceDefinition",
            metadata: { name: XRD_NAME },
          })) as Obj;
          return condition(xrd, "Established")?.status === "True" && condition(xrd, "Offered")?.status === "True";
        },
        90_000,
      );
    } catch (e) {
      // Crossplane reports why the API server refused the CRDs it rendered from the XRD only in events.
      const why =
        cp
          .logOf("crossplane")
          .split("\n")
          .filter((l) => l.includes("cannot apply rendered composite resource"))
          .at(-1) ?? "";
      xrdBroken = `${(e as Error).message}\n${why.slice(why.indexOf("cannot apply"), why.indexOf("cannot apply") + 3000)}`;
      throw new Error(xrdBroken, { cause: e });
    }
    await established(XRD_NAME);
    await established(`${CLAIM_PLURAL}.${API_GROUP}`);
    summary.push(["XRD established, claim + XR CRDs", "ok"]);
  }, 150_000);

  it.each(examples)(
    "example %s is accepted, reaches the function over TLS, and every desired resource is stored as sent",
    async (file, claim) => {
      needXrd();
      const t0 = Date.now();
      await create(claim);
      const l = await converged(claim.metadata!.namespace!, claim.metadata!.name!);
      // The composite carries what only the function sets: proof Crossplane called it.
      const xr = await until(
        "the composite to report Synced and the function's status",
        async () => {
          const x = await getComposite(l.xr.metadata!.name!);
          return condition(x, "Synced")?.status === "True" && x.status?.recovery?.strategy ? x : undefined;
        },
        60_000,
      );
      expect(xr.status?.resources?.desired).toBe(l.composed.size);
      summary.push([
        `example ${file}`,
        `${l.composed.size} composed resources match the function's desired state (${((Date.now() - t0) / 1000).toFixed(1)}s)`,
      ]);
    },
    SETTLE_MS + 30_000,
  );

  it.each(INVALID_CLAIMS)("the API server refuses %s, naming %s", async (_, field, spec) => {
    needXrd();
    const base = examples[0][1];
    const bad = {
      apiVersion: base.apiVersion,
      kind: base.kind,
      metadata: { name: "invalid", namespace: base.metadata!.namespace },
      spec,
    } as Obj;
    let message = "";
    try {
      await KubernetesObjectApi.makeApiClient(kc).create(bad, undefined, "All");
    } catch (e) {
      message = apiError(e);
    }
    expect(message).toMatch(/^422 /);
    expect(message).toContain(field);
    refused++;
  });

  const warm = examples.find(([, o]) => o.spec?.tier === "warm-standby")?.[1];
  const ref = () => ({ ns: warm!.metadata!.namespace!, name: warm!.metadata!.name! });

  it.each(IMMUTABLE_CHANGES)("the API server refuses changing %s on a live claim, naming %s", async (_, field, patch) => {
    needXrd();
    let message = "";
    try {
      await custom.patchNamespacedCustomObject(
        {
          group: API_GROUP,
          version: API_VERSION,
          namespace: ref().ns,
          plural: CLAIM_PLURAL,
          name: ref().name,
          body: { spec: patch },
          dryRun: "All",
        },
        setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
      );
    } catch (e) {
      message = apiError(e);
    }
    expect(message).toMatch(/^422 /);
    expect(message).toContain(field);
    refused++;
  });

  it(
    "updating a claim updates the composed resources",
    async () => {
      needXrd();
      const { ns, name } = ref();
      const before = await converged(ns, name);
      const maxCapacity = warm!.spec!.database?.maxCapacity === 8 ? 16 : 8;
      await custom.patchNamespacedCustomObject(
        {
          group: API_GROUP,
          version: API_VERSION,
          namespace: ns,
          plural: CLAIM_PLURAL,
          name,
          body: { spec: { database: { maxCapacity }, tags: { E2E: "updated" } } },
        },
        setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
      );
      const after = await until(
        "the update to reach the composed resources",
        async () => {
          const l = await converged(ns, name);
          return [...l.composed.values()].some((o) => o.spec?.forProvider?.tags?.E2E === "updated") ? l : undefined;
        },
        SETTLE_MS,
        1000,
      );
      const changed = [...after.composed].filter(([k, o]) => !deepEqual(o.spec, before.composed.get(k)?.spec)).length;
      expect(changed).toBeGreaterThan(0);
      summary.push(["claim update", `${changed} composed resources updated to the new desired state`]);
    },
    2 * SETTLE_MS,
  );

  it("drctl status prints a tree by region with readiness and recovery objectives", async () => {
    needXrd();
    const { ns, name } = ref();
    const lines = await new Drctl(kc).status(name, ns);
    const text = lines.join("\n");
    process.stdout.write(`\n$ drctl status ${name} -n ${ns}\n${lines.slice(0, 12).join("\n")}\n  ...\n${lines.slice(-3).join("\n")}\n`);
    expect(text).toContain(`DisasterRecoveryEnvironment ${ns}/${name}`);
    expect(text).toMatch(/primary us-[a-z]+-\d, active: \d+\/\d+ ready/);
    expect(text).toMatch(/secondary [a-z]+-[a-z]+-\d: \d+\/\d+ ready/);
    expect(text).toMatch(/recovery: .+, RPO \d+s, RTO \d+s/);
  });

  it("drctl wait returns once Synced and times out on Ready naming what is not ready", async () => {
    needXrd();
    const { ns, name } = ref();
    const d = new Drctl(kc);
    await d.wait(name, ns, "Synced", 60);
    // No provider runs, so no composed resource ever becomes Ready.
    await expect(d.wait(name, ns, "Ready", 3)).rejects.toThrow(/not Ready after 3s.*not ready: /s);
  });

  it(
    "drctl failover --to secondary switches the active region and reports what changed",
    async () => {
      needXrd();
      const { ns, name } = ref();
      const lines = await new Drctl(kc).failover(name, ns, "secondary", 120);
      process.stdout.write(`\n$ drctl failover ${name} -n ${ns} --to secondary\n${lines.slice(0, 15).join("\n")}\n`);
      expect(lines[0]).toBe("activeRegion: primary -> secondary");
      expect((await getClaim(ns, name)).spec?.failover?.activeRegion).toBe("secondary");
      await converged(ns, name);
      expect((await new Drctl(kc).failover(name, ns, "secondary"))[0]).toMatch(/already active in secondary/);
      summary.push(["drctl failover", `${lines.length - 1} change(s) reported`]);
    },
    SETTLE_MS,
  );

  it.each(examples.map(([f, o]) => [f, o] as const))(
    "deleting claim %s deletes its composed objects; stateful ones carry the deletionPolicy spec.protection asks for",
    async (file, claim) => {
      needXrd();
      const ns = claim.metadata!.namespace!;
      const name = claim.metadata!.name!;
      const l = await converged(ns, name);
      const policies = [...l.composed.values()].map((o) => o.spec?.deletionPolicy ?? "Delete");
      // Stateful resources follow spec.protection; account-level singletons are always orphaned by design.
      const stateful = [...l.composed.values()].filter((o) => STATEFUL.has(`${o.apiVersion!.split("/")[0]}/${o.kind}`));
      expect(stateful.length).toBeGreaterThan(0);
      const policy = (o: Obj) => o.spec?.deletionPolicy ?? "Delete";
      const named = (os: Obj[]) => os.map((o) => o.metadata?.annotations?.[RESOURCE_NAME]);
      // The API server's default applies when the claim does not say.
      if ((await getClaim(ns, name)).spec?.protection === true) {
        // Data stores are kept; S3 buckets the composition can refill (Lambda code) may still go.
        expect(named(stateful.filter((o) => o.kind !== "Bucket" && policy(o) !== "Orphan"))).toEqual([]);
        expect(stateful.some((o) => o.kind === "Bucket" && policy(o) === "Orphan")).toBe(true);
      } else {
        expect(named(stateful.filter((o) => policy(o) === "Orphan"))).toEqual([]);
      }
      await custom.deleteNamespacedCustomObject({ group: API_GROUP, version: API_VERSION, namespace: ns, plural: CLAIM_PLURAL, name });
      await until(
        `${file}: claim, composite and composed resources to be deleted`,
        async () => {
          cp.assertAlive();
          const gone = async (o: Obj) =>
            objects
              .read({ apiVersion: o.apiVersion!, kind: o.kind!, metadata: { name: o.metadata!.name!, namespace: o.metadata!.namespace } })
              .then(
                () => false,
                (e: { code?: number }) => e.code === 404,
              );
          for (const o of [l.xr, ...l.composed.values()]) if (!(await gone(o))) return false;
          return gone({ ...claim, metadata: { name, namespace: ns } });
        },
        SETTLE_MS,
        1000,
      );
      const orphaned = policies.filter((p) => p === "Orphan").length;
      summary.push([
        `delete ${file}`,
        `${l.composed.size} composed objects removed; ${orphaned} marked Orphan (the provider would keep their AWS resources)`,
      ]);
    },
    2 * SETTLE_MS,
  );
});

// Tier upgrade and fault scenarios on their own claim (test/e2e/scenarios.ts).
liveChangeScenarios(() => ({ cp, custom, objects, converged, create, needXrd, summary }));

describe("the namespaced flavor on the same control plane", () => {
  const USAGE_HELD = "primary-database-key-used-by-primary-aurora-cluster";
  /** What a provider puts on a managed resource while it deletes the external one; the test plays that provider. */
  const STAND_IN_FINALIZER = "e2e.dr.platform.io/stand-in-provider";
  const [file, example] = namespacedExamples[0] ?? ["none", undefined];
  const ns = () => example!.metadata!.namespace!;
  const name = () => example!.metadata!.name!;
  const read = (o: Obj) =>
    objects.read({ apiVersion: o.apiVersion!, kind: o.kind!, metadata: { name: o.metadata!.name!, namespace: o.metadata!.namespace } });
  const gone = (o: Obj) =>
    read(o).then(
      () => false,
      (e: { code?: number }) => e.code === 404,
    );

  it("has an example: a namespaced composite", () => {
    expect(namespacedExamples.map(([f]) => f)).toEqual(["warm-standby-namespaced.yaml"]);
  });

  it("its v2 XRD is established beside the claim flavor's, and so is the namespaced composite's CRD", async () => {
    needXrd();
    await until(
      "the namespaced XRD Established",
      async () => {
        cp.assertAlive();
        const xrd = (await objects.read({
          apiVersion: "apiextensions.crossplane.io/v2",
          kind: "CompositeResourceDefinition",
          metadata: { name: NAMESPACED_XRD_NAME },
        })) as Obj;
        return condition(xrd, "Established")?.status === "True";
      },
      90_000,
    );
    await established(NAMESPACED_XRD_NAME);
    const crd = (await objects.read({
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: NAMESPACED_XRD_NAME },
    })) as Obj;
    expect(crd.spec?.scope).toBe("Namespaced");
    summary.push(["namespaced XRD established beside the claim XRD", "ok"]);
  }, 150_000);

  it(
    `${file} in its team's namespace is composed there, only the provider's namespaced kinds and Usages, every one stored as sent`,
    async () => {
      needXrd();
      const t0 = Date.now();
      await create(example!);
      const l = await converged(ns(), name(), SETTLE_MS, liveNamespaced);
      const outside = [...l.composed.values()].filter(
        (o) => o.metadata?.namespace !== ns() || !(o.apiVersion!.includes(".aws.m.upbound.io/") || o.kind === "Usage"),
      );
      expect(outside.map((o) => `${o.apiVersion} ${o.kind} ${o.metadata?.namespace}`)).toEqual([]);
      const xr = await until(
        "the namespaced composite to report Synced and the function's status",
        async () => {
          const x = (await liveNamespaced(ns(), name()))?.xr;
          return x && condition(x, "Synced")?.status === "True" && x.status?.recovery?.strategy ? x : undefined;
        },
        60_000,
      );
      expect(xr.status?.resources?.desired).toBe(l.composed.size);
      const usages = [...l.composed.values()].filter((o) => o.kind === "Usage").length;
      summary.push([
        `namespaced example ${file}`,
        `${l.composed.size} composed in ${ns()} (${usages} Usages) match the function's desired state (${((Date.now() - t0) / 1000).toFixed(1)}s)`,
      ]);
    },
    SETTLE_MS + 30_000,
  );

  it("Crossplane resolves every Usage to the resource it protects and the one using it, marks the first in use and makes the Usage owned by the second", async () => {
    needXrd();
    const l = (await liveNamespaced(ns(), name()))!;
    const byLabels = (side: { apiVersion: string; kind: string; resourceSelector: { matchLabels: Record<string, string> } }) =>
      [...l.composed.values()].filter(
        (o) =>
          o.apiVersion === side.apiVersion &&
          o.kind === side.kind &&
          Object.entries(side.resourceSelector.matchLabels).every(([k, v]) => o.metadata?.labels?.[k] === v),
      );
    const usages = [...l.composed.entries()].filter(([, o]) => o.kind === "Usage");
    expect(usages.length).toBeGreaterThan(10);
    for (const [key, composedUsage] of usages) {
      const u = await until(
        `Usage ${key} to resolve both sides and report Ready`,
        async () => {
          const o = (await read(composedUsage)) as Obj;
          return o.spec?.of?.resourceRef?.name && o.spec?.by?.resourceRef?.name && condition(o, "Ready")?.status === "True" ? o : undefined;
        },
        60_000,
        500,
      );
      const [of] = byLabels(u.spec!.of);
      const [by] = byLabels(u.spec!.by);
      expect([key, u.spec!.of.resourceRef.name, u.spec!.by.resourceRef.name]).toEqual([key, of?.metadata?.name, by?.metadata?.name]);
      const used = (await read(of!)) as Obj;
      expect([key, used.metadata?.labels?.["crossplane.io/in-use"]]).toEqual([key, "true"]);
      expect([key, (u.metadata?.ownerReferences ?? []).some((r) => r.uid === by!.metadata!.uid)]).toEqual([key, true]);
    }
    summary.push([
      "Usages resolved by Crossplane's usage controller",
      `${usages.length}/${usages.length} Ready, used resources marked in use`,
    ]);
  }, 180_000);

  it(
    "deleting the composite: the key waits, in use, while the cluster it encrypts is still being deleted; then everything goes in order",
    async () => {
      needXrd();
      const l = (await liveNamespaced(ns(), name()))!;
      const usage = l.composed.get(USAGE_HELD)!;
      const cluster = l.composed.get("primary-aurora-cluster")!;
      const key = l.composed.get("primary-database-key")!;
      const unrelated = l.composed.get("primary-dashboard")!;
      expect([usage?.kind, cluster?.kind, key?.kind, unrelated?.kind]).toEqual(["Usage", "Cluster", "Key", "Dashboard"]);
      const patchFinalizers = (finalizers: string[]) =>
        objects.patch(
          { apiVersion: cluster.apiVersion, kind: cluster.kind, metadata: { name: cluster.metadata!.name!, namespace: ns(), finalizers } },
          undefined,
          undefined,
          undefined,
          undefined,
          PatchStrategy.MergePatch,
        );
      // No provider runs: hold the cluster as a provider holds a resource whose AWS deletion is under way.
      await patchFinalizers([STAND_IN_FINALIZER]);
      await custom.deleteNamespacedCustomObject({
        group: NAMESPACED_API_GROUP,
        version: API_VERSION,
        namespace: ns(),
        plural: NAMESPACED_PLURAL,
        name: name(),
      });
      // The cluster waits for its instance (a Usage too), then is deleted and held.
      await until(
        "the cluster to be deleted and held",
        async () => ((await read(cluster)) as Obj).metadata?.deletionTimestamp,
        SETTLE_MS,
        1000,
      );
      await until("a resource nothing uses to be gone", () => gone(unrelated), SETTLE_MS, 1000);
      // While the cluster is held, the key it is encrypted with stays, in use and not deleting.
      for (let i = 0; i < 10; i++) {
        const k = (await read(key)) as Obj;
        expect([k.metadata?.deletionTimestamp, k.metadata?.labels?.["crossplane.io/in-use"], await gone(usage)]).toEqual([
          undefined,
          "true",
          false,
        ]);
        await new Promise((r) => setTimeout(r, 1000));
      }
      await patchFinalizers([]);
      await until("the key to go once the cluster is gone", () => gone(key), SETTLE_MS, 1000);
      await until(
        `${file}: the composite, its composed resources and its Usages to be deleted`,
        async () => {
          cp.assertAlive();
          for (const o of [l.xr, ...l.composed.values()]) if (!(await gone(o))) return false;
          return true;
        },
        SETTLE_MS,
        1000,
      );
      summary.push([
        `delete namespaced ${file}`,
        `the database key stayed in use for 10s while its cluster was held, then went; all ${l.composed.size} removed`,
      ]);
    },
    2 * SETTLE_MS,
  );
});
