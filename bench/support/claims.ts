/**
 * Claims and requests the benchmarks send: the example claims (or bench/claims/ when examples/ has
 * none for a tier), the observed state of an environment that exists and is ready (what Crossplane
 * sends on every reconcile once it is up), and many distinct claims for the scale run.
 */
import { existsSync, readFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { parse } from "yaml";
import { RunFunctionResponse, Severity, type RunFunctionRequest } from "@crossplane-org/function-sdk-typescript";
import { compositeOf, render, requestFor, type Claim } from "../../functions/src/render.js";
import type { ObservedResource } from "../../functions/src/environment.js";
import { TIERS } from "../../src/api/index.js";
import { fabricateShaped } from "../../tools/policy/settle.js";

export const ROOT = new URL("../..", import.meta.url).pathname;
export type Tier = (typeof TIERS)[number];
export { TIERS };

export function exampleClaim(tier: Tier): Claim {
  const path = [join(ROOT, "examples", `${tier}.yaml`), join(ROOT, "bench/claims", `${tier}.yaml`)].find((p) => existsSync(p));
  if (!path) throw new Error(`no claim for tier ${tier} in examples/ or bench/claims/`);
  const claim = parse(readFileSync(path, "utf8")) as Claim;
  // The API server assigns a uid; a fixed one keeps requests (and bucket names) identical run to run.
  claim.metadata = { uid: uidOf(claim.metadata?.name ?? tier), ...claim.metadata };
  return claim;
}

function uidOf(seed: string): string {
  const h = createHash("sha256").update(seed).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** A plausible value AWS would report for an atProvider field; the function only copies it. */
function fakeAtProvider(key: string, field: string, region: string): string {
  const id = createHash("sha256").update(`${key}/${field}`).digest("hex").slice(0, 12);
  if (/arn$/i.test(field)) return `arn:aws:bench:${region}:123456789012:${key}/${id}`;
  if (/url$/i.test(field)) return `https://${id}.execute-api.${region}.amazonaws.com/live`;
  if (/endpoint$/i.test(field)) return `${key}.cluster-${id}.${region}.rds.amazonaws.com`;
  return `${key}-${id}`;
}

const STATUS_FIELDS: Record<string, string[]> = { Cluster: ["endpoint", "readerEndpoint"], Stage: ["invokeUrl"] };

const WAITS = /^(\S+) waits for (\S+) of (\S+)$/;

/**
 * The observed composed resources of an environment that is fully up: every desired resource as
 * applied, with the AWS-decided values its siblings wait for and a Ready condition. Found by
 * rendering until nothing waits any more.
 */
export async function steadyObserved(claim: Claim): Promise<Record<string, ObservedResource>> {
  const observed: Record<string, ObservedResource> = {};
  const regionOf = (r: Record<string, unknown>) => (r.spec as { forProvider?: { region?: string } })?.forProvider?.region ?? "us-east-1";
  for (let round = 0; round < 10; round++) {
    const rsp = RunFunctionResponse.toJSON(await render(claim, observed)) as {
      desired?: { resources?: Record<string, { resource: Record<string, unknown> }> };
      results?: Array<{ severity: string; message: string }>;
    };
    const fatal = rsp.results?.find((r) => r.severity === "SEVERITY_FATAL" || r.severity === Severity[Severity.SEVERITY_FATAL]);
    if (fatal) throw new Error(`render failed: ${fatal.message}`);
    const waits = (rsp.results ?? []).map((r) => WAITS.exec(r.message)).filter((m): m is RegExpExecArray => m !== null);
    for (const [name, { resource }] of Object.entries(rsp.desired?.resources ?? {})) {
      const previous = observed[name]?.status?.atProvider ?? {};
      observed[name] = {
        ...(resource as ObservedResource),
        metadata: { ...(resource.metadata as object), name: `${name}-${uidOf(name).slice(0, 5)}` },
        status: {
          // Every resource reports an id and ARN; clusters and stages their endpoints (the composite's status reads them).
          atProvider: {
            ...Object.fromEntries(
              ["id", "arn", ...(STATUS_FIELDS[String(resource.kind)] ?? [])].map((f) => [f, fakeAtProvider(name, f, regionOf(resource))]),
            ),
            ...previous,
          },
          conditions: [
            { type: "Ready", status: "True", reason: "Available" },
            { type: "Synced", status: "True", reason: "ReconcileSuccess" },
          ],
        },
      };
    }
    if (waits.length === 0) return observed;
    for (const [, , field, key] of waits) {
      // What is waited for may not be composed yet this round (it may wait itself); it is observed all the same.
      const o = (observed[key] ??= { status: { atProvider: {}, conditions: [] } });
      // Lists and names AWS gives a shape to (validation records, the team's zone) as the policy's settle makes them.
      o.status!.atProvider![field] =
        fabricateShaped(field, key, o as never, claim) ?? fakeAtProvider(key, field, regionOf(o as Record<string, unknown>));
    }
  }
  throw new Error(`${claim.metadata?.name}: resources still wait for observed values after 10 rounds`);
}

/**
 * A fixed-length value in the bench requests, overwritten in place (no length prefix changes) to
 * make a request new without encoding it again: a tag of the composite, which every composed
 * resource carries, so each variant composes anew.
 */
export const PLACEHOLDER = { read: "bench-read-0000000" } as const;

/** `request` with the first occurrence of a placeholder replaced by the n-th value of the same length. */
export function variantOf(request: Buffer, placeholder: string, n: number): Buffer {
  const at = request.indexOf(placeholder);
  if (at < 0) throw new Error(`placeholder ${placeholder} is not in the request`);
  const copy = Buffer.from(request);
  const value = String(n).padStart(placeholder.length - placeholder.lastIndexOf("-") - 1, "0");
  copy.write(value, at + placeholder.length - value.length, "latin1");
  return copy;
}

/** The bench's claim of a tier: the example, with the API server's defaults and the READ placeholder among its tags. */
export function benchClaim(tier: Tier, defaults: (spec: unknown) => unknown): Claim {
  const claim = exampleClaim(tier);
  const spec = defaults(claim.spec) as Record<string, unknown>;
  claim.spec = { ...spec, tags: { ...(spec.tags as Record<string, string>), BenchRun: PLACEHOLDER.read } };
  return claim;
}

/** The RunFunctionRequest Crossplane sends for a claim's composite and the observed resources. */
export function requestOf(claim: Claim, observed: Record<string, ObservedResource> = {}): RunFunctionRequest {
  return requestFor(compositeOf(claim), observed);
}

const REGION_PAIRS: Array<[string, string]> = [
  ["us-east-1", "us-west-2"],
  ["us-east-2", "us-east-1"],
  ["eu-west-1", "eu-central-1"],
  ["eu-central-1", "eu-west-1"],
  ["ap-southeast-2", "ap-southeast-1"],
  ["ca-central-1", "us-east-2"],
];

/** `count` distinct, valid claims spread over tiers, AZ counts, regions and options. */
export function distinctClaims(count: number): Claim[] {
  return Array.from({ length: count }, (_, i) => {
    const tier = TIERS[i % TIERS.length];
    const [primaryRegion, secondaryRegion] = REGION_PAIRS[Math.floor(i / TIERS.length) % REGION_PAIRS.length];
    const name = `env-${i}`;
    return {
      apiVersion: "dr.platform.io/v1alpha1",
      kind: "DisasterRecoveryEnvironment",
      metadata: { name, namespace: `team-${i % 17}`, uid: uidOf(name) },
      spec: {
        tier,
        environmentSuffix: `e${i.toString(36)}`,
        primaryRegion,
        ...(tier === "backup-restore" ? {} : { secondaryRegion }),
        protection: i % 2 === 0,
        network: { availabilityZones: 2 + (i % 2), cidr: `10.${(2 * i) % 250}.0.0/16`, secondaryCidr: `10.${((2 * i) % 250) + 1}.0.0/16` },
        database: { minCapacity: 0.5, maxCapacity: 2 + (i % 8), backupRetentionDays: 7 + (i % 28) },
        messaging: { enabled: i % 3 === 0 },
        alerts: { emails: [`oncall-${i}@example.com`] },
        tags: { CostCenter: `cc-${i % 50}` },
      },
    };
  });
}

/** One claim of a tier with a given AZ count, otherwise like the first distinct claim of that tier. */
export function shapedClaim(tier: Tier, availabilityZones: number): Claim {
  const base = distinctClaims(TIERS.length).find((c) => c.spec?.tier === tier)!;
  const spec = base.spec as { network: Record<string, unknown> };
  return { ...base, spec: { ...base.spec, network: { ...spec.network, availabilityZones } } };
}
