/**
 * Renders a claim to the state it reaches once AWS has answered: resources that wait for a value
 * AWS decides (ARNs, ids, prefix lists) appear only after it is observed, so policy judged on a
 * first render would miss them. Each round feeds the desired resources back as observed and
 * fabricates every value the function reported waiting for, until nothing waits. Deterministic:
 * fabricated values derive from names only.
 */
import { RunFunctionResponse, Severity } from "@crossplane-org/function-sdk-typescript";
import { render, type Claim } from "../../functions/src/render.js";
import type { ObservedResource } from "../../functions/src/environment.js";
import { shortHash } from "../../src/naming.js";
import type { Resources } from "./resources.js";

export const FAKE_ACCOUNT = "123456789012";
const WAITING = /^(\S+) waits for (\w+) of (\S+)$/;
const MAX_ROUNDS = 10;

export interface Settled {
  resources: Resources;
  /** Renders it took. */
  rounds: number;
  /** The observed state of the last render: what AWS had answered by then. */
  observed: Record<string, ObservedResource>;
  fatal?: string;
}

/** A value of the shape AWS would give `field` of `key`. */
function fabricate(field: string, key: string, known?: { apiVersion?: string; kind?: string; spec?: Record<string, any> }): string {
  const service = known?.apiVersion?.split(".")[0] ?? "aws";
  const region = known?.spec?.forProvider?.region ?? "us-east-1";
  const id = shortHash(`${key}/${field}`, 12);
  if (field === "prefixListId") return `pl-${id.slice(0, 8)}`;
  if (/arn$/i.test(field)) {
    const arn = `arn:aws:${service}:${region}:${FAKE_ACCOUNT}:${(known?.kind ?? "resource").toLowerCase()}/${key}`;
    // Log group ARNs end in `:*`, which the blocks strip.
    return known?.kind === "Group" && service === "cloudwatchlogs" ? `${arn}:*` : arn;
  }
  return `${field.toLowerCase()}-${id}`;
}

/** What a render reports waiting for, as [waiting resource, field, resource it is read from]. */
export function waitingFor(rsp: RenderedJson): Array<[string, string, string]> {
  const pending: string[] = rsp.desired?.composite?.resource?.status?.pending ?? [];
  return pending
    .map((w) => WAITING.exec(w))
    .filter((m): m is RegExpExecArray => m !== null)
    .map(([, a, field, key]) => [a, field, key]);
}

/** The observed state after AWS has created what `rsp` desires and told every value it waits for. */
export function nextObserved(rsp: RenderedJson, observed: Record<string, ObservedResource> = {}): Record<string, ObservedResource> {
  const next = { ...observed };
  const desired: Record<string, { resource: ObservedResource }> = rsp.desired?.resources ?? {};
  for (const [key, { resource }] of Object.entries(desired)) {
    next[key] = {
      ...resource,
      metadata: { ...resource.metadata, name: `${key}-${shortHash(key, 5)}` },
      status: { ...next[key]?.status, conditions: [{ type: "Ready", status: "True", reason: "Available" }] },
    };
  }
  for (const [, field, key] of waitingFor(rsp)) {
    const entry = (next[key] = { ...next[key] });
    entry.status = {
      ...entry.status,
      atProvider: { ...entry.status?.atProvider, [field]: fabricate(field, key, desired[key]?.resource as never) },
    };
  }
  return next;
}

/** A RunFunctionResponse as JSON. */
export type RenderedJson = Record<string, any>;

export const fatalOf = (rsp: RenderedJson): string | undefined =>
  (rsp.results as Array<{ severity: string; message: string }> | undefined)?.find((r) => r.severity === Severity[Severity.SEVERITY_FATAL])
    ?.message;

export const resourcesOf = (rsp: RenderedJson): Resources =>
  Object.fromEntries(Object.entries<{ resource: unknown }>(rsp.desired?.resources ?? {}).map(([k, v]) => [k, v.resource])) as Resources;

/** Renders `claim` until it waits for nothing. */
export async function settle(claim: Claim, maxRounds = MAX_ROUNDS): Promise<Settled> {
  let observed: Record<string, ObservedResource> = {};
  for (let round = 1; round <= maxRounds; round++) {
    const rsp = RunFunctionResponse.toJSON(await render(claim, observed)) as RenderedJson;
    const fatal = fatalOf(rsp);
    if (fatal) return { resources: resourcesOf(rsp), rounds: round, observed, fatal };
    if (waitingFor(rsp).length === 0) return { resources: resourcesOf(rsp), rounds: round, observed };
    observed = nextObserved(rsp, observed);
  }
  throw new Error(`the composition still waits for observed values after ${maxRounds} renders`);
}
