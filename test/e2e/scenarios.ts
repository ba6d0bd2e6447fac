/**
 * Scenarios on the real control plane that change a live environment: a tier upgrade
 * (backup-restore -> pilot light -> warm standby) and three faults (the function killed mid-reconcile
 * and started again, the function returning Fatal on a spec update, Crossplane restarted). In each
 * the composed objects keep their identity, the same uids: nothing composed is deleted, and the
 * environment converges again. One claim of its own, so the scenarios run beside the examples.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import {
  PatchStrategy,
  setHeaderOptions,
  type CustomObjectsApi,
  type KubernetesObject,
  type KubernetesObjectApi,
} from "@kubernetes/client-node";
import { API_GROUP, API_VERSION, CLAIM_PLURAL, COMPOSITE_PLURAL } from "../../src/api/group.js";
import { condition } from "../../tools/drctl/drctl.js";
import { REPO_ROOT, until, type ControlPlane } from "./controlplane.js";

type Obj = KubernetesObject & { spec?: Record<string, any>; status?: Record<string, any> };

export interface ScenarioContext {
  cp: ControlPlane;
  custom: CustomObjectsApi;
  objects: KubernetesObjectApi;
  /** Waits until the composed resources match what the function desires for the live composite. */
  converged(ns: string, name: string, timeoutMs?: number): Promise<{ xr: Obj; composed: Map<string, Obj> }>;
  create(o: Obj): Promise<void>;
  needXrd(): void;
  summary: Array<[string, string]>;
}

const NAME = "upgrade";
const SUFFIX = "upg01";
/** A step converges in well under this on the shared machine; a hang fails the step, not the run. */
const STEP_MS = 150_000;

/** The pilot-light example as a team starts it: backup-restore, one region, no secondary named. */
function claimAt(tier: "backup-restore" | "pilot-light" | "warm-standby"): Obj {
  const example = parseYaml(readFileSync(join(REPO_ROOT, "examples/pilot-light.yaml"), "utf8")) as Obj;
  const { secondaryRegion, network, ...rest } = example.spec!;
  const { secondaryCidr, ...single } = network as Record<string, unknown>;
  const spec =
    tier === "backup-restore"
      ? { ...rest, environmentSuffix: SUFFIX, network: single, tier }
      : { ...rest, environmentSuffix: SUFFIX, secondaryRegion, network: { ...single, secondaryCidr }, tier };
  return { ...example, metadata: { name: NAME, namespace: example.metadata!.namespace }, spec };
}

const NS = claimAt("backup-restore").metadata!.namespace!;

/** Composition resource name -> uid. */
type Identities = Map<string, string>;
const identities = (composed: Map<string, Obj>): Identities => new Map([...composed].map(([k, o]) => [k, o.metadata!.uid!]));

/** Objects of `before` that are gone, replaced (another uid) or being deleted now. */
async function lost(ctx: ScenarioContext, before: Map<string, Obj>): Promise<string[]> {
  const out: string[] = [];
  for (const [name, o] of before) {
    try {
      const now = (await ctx.objects.read({ apiVersion: o.apiVersion!, kind: o.kind!, metadata: { name: o.metadata!.name! } })) as Obj;
      if (now.metadata?.uid !== o.metadata?.uid) out.push(`${name}: replaced (uid ${o.metadata?.uid} -> ${now.metadata?.uid})`);
      else if (now.metadata?.deletionTimestamp) out.push(`${name}: being deleted`);
    } catch (e) {
      out.push(`${name}: ${(e as { code?: number }).code === 404 ? "deleted" : String(e)}`);
    }
  }
  return out;
}

/** What the provider would write into a composed resource's status once AWS answers (no provider runs here). */
async function reportAtProvider(ctx: ScenarioContext, o: Obj, atProvider: Record<string, unknown>): Promise<void> {
  const [group, version] = o.apiVersion!.split("/");
  await ctx.custom.patchClusterCustomObjectStatus(
    { group, version, plural: `${o.kind!.toLowerCase()}s`, name: o.metadata!.name!, body: { status: { atProvider } } },
    setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
  );
}

async function patchClaim(ctx: ScenarioContext, spec: Record<string, unknown>): Promise<void> {
  await ctx.custom.patchNamespacedCustomObject(
    { group: API_GROUP, version: API_VERSION, namespace: NS, plural: CLAIM_PLURAL, name: NAME, body: { spec } },
    setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
  );
}

/** Converged with the composite carrying `check`: the change reached Crossplane and the function. */
async function convergedWith(ctx: ScenarioContext, what: string, check: (l: { xr: Obj; composed: Map<string, Obj> }) => boolean) {
  return until(
    what,
    async () => {
      const l = await ctx.converged(NS, NAME, STEP_MS);
      return check(l) ? l : undefined;
    },
    STEP_MS,
    1000,
  );
}

const tagged = (value: string) => (l: { composed: Map<string, Obj> }) =>
  [...l.composed.values()].every((o) => o.spec?.forProvider?.tags === undefined || o.spec.forProvider.tags.E2EFault === value);

export function liveChangeScenarios(context: () => ScenarioContext): void {
  /** The environment as the previous scenario left it; each scenario starts from it. */
  let last: { xr: Obj; composed: Map<string, Obj> } | undefined;
  const settled = () => {
    if (!last) throw new Error("skipped: the upgrade scenario did not converge (see its failure)");
    return last;
  };

  describe("tier upgrade on the real control plane", () => {
    it(
      "backup-restore -> pilot light -> warm standby keeps every composed object (same uid) and adds the secondary",
      async () => {
        const ctx = context();
        ctx.needXrd();
        const t0 = Date.now();
        await ctx.create(claimAt("backup-restore"));
        let l = await convergedWith(ctx, "backup-restore to converge", (x) => x.xr.spec?.tier === "backup-restore");
        const counts = [l.composed.size];
        for (const tier of ["pilot-light", "warm-standby"] as const) {
          const before = l.composed;
          const { spec } = claimAt(tier);
          await patchClaim(ctx, { tier, secondaryRegion: spec!.secondaryRegion, network: spec!.network });
          l = await convergedWith(ctx, `${tier} to converge`, (x) => x.xr.spec?.tier === tier);
          expect({ tier, lost: await lost(ctx, before) }).toEqual({ tier, lost: [] });
          const kept = identities(l.composed);
          const changed = [...identities(before)].filter(([k, uid]) => kept.get(k) !== uid).map(([k]) => k);
          expect({ tier, changed }).toEqual({ tier, changed: [] });
          counts.push(l.composed.size);
        }
        // Each tier composes more: the secondary region and the global database come on top.
        expect(counts[1]).toBeGreaterThan(counts[0]);
        expect(l.composed.get("primary-aurora-global-cluster")?.spec?.forProvider?.sourceDbClusterIdentifierSelector).toBeDefined();
        expect(l.composed.get("primary-aurora-cluster")?.spec?.forProvider?.globalClusterIdentifier).toBeUndefined();
        last = l;
        ctx.summary.push([
          "tier upgrade backup-restore -> pilot-light -> warm-standby",
          `${counts.join(" -> ")} composed objects, none deleted or replaced (${((Date.now() - t0) / 1000).toFixed(1)}s)`,
        ]);
      },
      3 * STEP_MS + 30_000,
    );
  });

  describe("faults on the real control plane", () => {
    it(
      "the function killed mid-reconcile and started again: nothing composed is deleted, the change converges",
      async () => {
        const ctx = context();
        const before = settled().composed;
        const t0 = Date.now();
        // The update starts a reconcile at once (Crossplane watches the composite); the function dies under it.
        await patchClaim(ctx, { tags: { ...claimAt("warm-standby").spec!.tags, E2EFault: "function-killed" } });
        await ctx.cp.kill("function", "SIGKILL");
        // While the function is away Crossplane cannot compose: it must keep what exists.
        await new Promise((r) => setTimeout(r, 20_000));
        expect(await lost(ctx, before)).toEqual([]);
        ctx.cp.restart("function");
        last = await convergedWith(ctx, "the tag to converge after the function restarted", tagged("function-killed"));
        expect(await lost(ctx, before)).toEqual([]);
        ctx.summary.push([
          "fault: function killed and restarted",
          `nothing deleted, converged in ${((Date.now() - t0) / 1000).toFixed(1)}s`,
        ]);
      },
      STEP_MS + 60_000,
    );

    it(
      "the function returns Fatal on a spec update: nothing composed is deleted, the composite says why, and it converges once fixed",
      async () => {
        const ctx = context();
        const before = settled().composed;
        const t0 = Date.now();
        // The team's DNS, then the zone observed as the provider reports it (no provider runs here).
        const dns = { hostedZoneId: "Z0123456789EXAMPLE0UPG", zoneName: "upgrade.example.com", hostname: "api.upgrade.example.com" };
        await patchClaim(ctx, { dns });
        const withZone = await convergedWith(ctx, "the team's zone to be composed", (x) => x.composed.has("primary-team-zone"));
        // The function checks the zone once it composes the records, which need the API's id too.
        await reportAtProvider(ctx, withZone.composed.get("primary-rest-api")!, { id: "e2eapi0001" });
        await reportAtProvider(ctx, withZone.composed.get("primary-team-zone")!, { name: `${dns.zoneName}.`, zoneId: dns.hostedZoneId });
        const good = await convergedWith(ctx, "the health check to follow the API's id", (x) => x.composed.has("primary-health-check"));
        // Valid for the API server, refused by the function: the zone named is not the zone observed.
        await patchClaim(ctx, { dns: { ...dns, zoneName: "other.example.com", hostname: "api.other.example.com" } });
        const xrName = good.xr.metadata!.name!;
        let lastSynced = "";
        const refused = await until(
          "the composite to report the Fatal result",
          async () => {
            const xr = (await ctx.custom.getClusterCustomObject({
              group: API_GROUP,
              version: API_VERSION,
              plural: COMPOSITE_PLURAL,
              name: xrName,
            })) as Obj;
            const synced = condition(xr, "Synced");
            lastSynced = JSON.stringify(synced);
            return synced?.status === "False" && /spec\.dns\.zoneName/.test(synced.message ?? "") ? synced.message : undefined;
          },
          STEP_MS,
          1000,
        ).catch((e: Error) => {
          throw new Error(`${e.message}; last Synced: ${lastSynced}`, { cause: e });
        });
        expect(refused).toContain("other.example.com");
        // A few reconciles more: Fatal keeps the previous desired state, so nothing goes.
        await new Promise((r) => setTimeout(r, 20_000));
        expect(await lost(ctx, good.composed)).toEqual([]);
        await patchClaim(ctx, { dns });
        last = await convergedWith(ctx, "the fixed spec to converge", (x) => x.xr.spec?.dns?.zoneName === dns.zoneName);
        expect(await lost(ctx, before)).toEqual([]);
        ctx.summary.push([
          "fault: Fatal on a spec update",
          `refused naming spec.dns.zoneName, nothing deleted, converged again in ${((Date.now() - t0) / 1000).toFixed(1)}s`,
        ]);
      },
      4 * STEP_MS,
    );

    it(
      "Crossplane restarted: nothing composed is deleted, and a change made while it was down converges",
      async () => {
        const ctx = context();
        const before = settled().composed;
        const t0 = Date.now();
        // Killed, not stopped: no graceful shutdown, as when its pod is lost.
        await ctx.cp.kill("crossplane", "SIGKILL");
        await patchClaim(ctx, { tags: { ...claimAt("warm-standby").spec!.tags, E2EFault: "crossplane-restarted" } });
        ctx.cp.restart("crossplane");
        last = await convergedWith(ctx, "the tag to converge after Crossplane restarted", tagged("crossplane-restarted"));
        expect(await lost(ctx, before)).toEqual([]);
        ctx.summary.push(["fault: Crossplane restarted", `nothing deleted, converged in ${((Date.now() - t0) / 1000).toFixed(1)}s`]);
      },
      STEP_MS + 60_000,
    );
  });
}
