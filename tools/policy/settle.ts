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
/** One entry of status.pending: `<resource> waits for <field> of <resource>`. */
export const WAITING = /^(\S+) waits for (\w+) of (\S+)$/;
const MAX_ROUNDS = 10;

export interface Settled {
  resources: Resources;
  /** Renders it took. */
  rounds: number;
  /** What the last render was given as observed: the values AWS reported, as fabricated here. */
  observed: Record<string, ObservedResource>;
  fatal?: string;
  /** The last render's response. */
  response: RunFunctionResponse;
  /** Everything a render reported waiting for on the way, as [waiting resource, field, resource it is read from]. */
  waited: Array<[string, string, string]>;
}

interface Known {
  apiVersion?: string;
  kind?: string;
  metadata?: { annotations?: Record<string, string> };
  spec?: Record<string, any>;
}

/**
 * Values that are not an id: their shape comes from what the resource asks for, or, for what the
 * environment only observes (the team's hosted zone), from what the claim says exists.
 */
export function fabricateShaped(field: string, key: string, known: Known | undefined, claim: Claim): unknown {
  const forProvider = known?.spec?.forProvider ?? {};
  const region = forProvider.region ?? "us-east-1";
  const id = shortHash(`${key}/${field}`, 12);
  const observeOnly = JSON.stringify(known?.spec?.managementPolicies) === JSON.stringify(["Observe"]);
  if (known?.kind === "Zone" && observeOnly) {
    const dns = (claim.spec?.dns ?? {}) as { zoneName?: string };
    if (field === "name") return dns.zoneName;
    if (field === "zoneId") return known.metadata?.annotations?.["crossplane.io/external-name"];
  }
  if (field === "domainValidationOptions" && typeof forProvider.domainName === "string") {
    // ACM gives an account the same record for a name in every region: derived from the name only.
    const name = forProvider.domainName as string;
    return [
      {
        domainName: name,
        resourceRecordName: `_${shortHash(`${name}/name`, 32)}.${name}.`,
        resourceRecordType: "CNAME",
        resourceRecordValue: `_${shortHash(`${name}/value`, 32)}.${shortHash(name, 10)}.acm-validations.aws.`,
      },
    ];
  }
  if (field === "fqdn" && typeof forProvider.name === "string") return (forProvider.name as string).replace(/\.$/, "");
  if (field === "regionalDomainName") return `d-${id.slice(0, 10)}.execute-api.${region}.amazonaws.com`;
  if (field === "regionalZoneId") return `Z${shortHash(`regional-zone/${region}`, 12).toUpperCase()}`;
  return undefined;
}

/** A value of the shape AWS would give `field` of `key`. */
export function fabricate(field: string, key: string, known: Known | undefined, claim: Claim): unknown {
  const shaped = fabricateShaped(field, key, known, claim);
  if (shaped !== undefined) return shaped;
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
export function nextObserved(
  rsp: RenderedJson,
  observed: Record<string, ObservedResource> = {},
  claim: Claim = {},
): Record<string, ObservedResource> {
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
      atProvider: { ...entry.status?.atProvider, [field]: fabricate(field, key, desired[key]?.resource as never, claim) },
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

/** Renders `claim` until it waits for nothing, from nothing observed or from what an earlier claim left (`from`). */
export async function settle(claim: Claim, maxRounds = MAX_ROUNDS, from: Record<string, ObservedResource> = {}): Promise<Settled> {
  let observed = from;
  const waited: Settled["waited"] = [];
  for (let round = 1; round <= maxRounds; round++) {
    const response = await render(claim, observed);
    const rsp = RunFunctionResponse.toJSON(response) as RenderedJson;
    const fatal = fatalOf(rsp);
    if (fatal) return { resources: resourcesOf(rsp), rounds: round, fatal, response, observed, waited };
    const waiting = waitingFor(rsp);
    if (waiting.length === 0) return { resources: resourcesOf(rsp), rounds: round, response, observed, waited };
    waited.push(...waiting);
    observed = nextObserved(rsp, observed, claim);
  }
  throw new Error(`the composition still waits for observed values after ${maxRounds} renders`);
}
