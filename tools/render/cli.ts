#!/usr/bin/env node
/**
 * npm run render -- <claim.yaml> [--observed <file|dir>] [--output yaml|json] [--graph <file.svg|file.png>]
 *
 * Renders a claim without a cluster: claim -> composite -> the composition function in-process,
 * printed as `crossplane render --include-function-results` prints it (the XR with its status,
 * every composed resource, then the function's results). A summary goes to stderr.
 *
 * Exit codes: 0 rendered, 1 an input could not be read or the function refused, 2 usage or an
 * invalid claim.
 */
import { parseArgs } from "node:util";
import { stringify } from "yaml";
import { ClaimValidationError, validateSpec } from "../../src/api/index.js";
import { claimSpecOf, type ObservedResource } from "../../functions/src/environment.js";
import { compositeOf, render, type Claim } from "../../functions/src/render.js";
import { COMPOSE_STEP } from "../../compositions/dr-environment.js";
import { InputError, readClaim, readObserved } from "./load.js";
import { documentsOf, FatalResultError, renderedOf, type K8sObject, type Rendered } from "./output.js";
import { writeGraph } from "./graph.js";

const USAGE = "usage: npm run render -- <claim.yaml> [--observed <file|dir>] [--output yaml|json] [--graph <file.svg|file.png>]";

class UsageError extends Error {}

/** A claim the API server would reject: every field and the rule it breaks. */
class InvalidClaimError extends Error {
  constructor(
    readonly path: string,
    readonly errors: { field: string; message: string }[],
  ) {
    super(`${path} is not a valid claim:\n${errors.map((e) => `  ${e.field}: ${e.message}`).join("\n")}`);
  }
}

function options(argv: string[]) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        observed: { type: "string" },
        output: { type: "string", short: "o", default: "yaml" },
        graph: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return undefined;
  if (positionals.length !== 1)
    throw new UsageError(positionals.length === 0 ? "a claim file is required" : `one claim file expected, got ${positionals.length}`);
  if (values.output !== "yaml" && values.output !== "json") throw new UsageError(`--output must be yaml or json, got ${values.output}`);
  return { claim: positionals[0]!, observed: values.observed, output: values.output as "yaml" | "json", graph: values.graph };
}

/** The composite for a claim, or every reason the API server would refuse it. */
function compositeFor(path: string, claim: K8sObject): K8sObject {
  let xr: K8sObject;
  try {
    xr = compositeOf(claim as Claim) as K8sObject;
  } catch (error) {
    throw new InvalidClaimError(path, [{ field: "kind", message: (error as Error).message }]);
  }
  const errors: { field: string; message: string }[] = [];
  if (!xr.metadata?.name) errors.push({ field: "metadata.name", message: "is required" });
  try {
    validateSpec(claimSpecOf(xr));
  } catch (error) {
    if (!(error instanceof ClaimValidationError)) throw error;
    errors.push(...error.errors);
  }
  if (errors.length > 0) throw new InvalidClaimError(path, errors);
  return xr;
}

function formatSeconds(s: number): string {
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${s % 60 ? `${s % 60}s` : ""}`;
  return `${Math.floor(s / 3600)}h${s % 3600 ? `${Math.round((s % 3600) / 60)}m` : ""}`;
}

/** One line for a person: what is composed, how fast it recovers, what it costs at least. */
function summaryOf(r: Rendered): string {
  const kinds = new Map<string, number>();
  for (const c of r.composed) kinds.set(c.kind ?? "?", (kinds.get(c.kind ?? "?") ?? 0) + 1);
  const perKind = [...kinds]
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
    .map(([k, n]) => `${n} ${k}`)
    .join(", ");
  const status = (r.composite.status ?? {}) as {
    recovery?: { rpoSeconds?: number; rtoSeconds?: number };
    estimatedMonthlyCostUSD?: number;
    failoverUrl?: string;
    secondary?: unknown;
  };
  const rpo = status.recovery?.rpoSeconds;
  const rto = status.recovery?.rtoSeconds;
  const cost = status.estimatedMonthlyCostUSD;
  const warnings = r.results.filter((x) => x.severity === "SEVERITY_WARNING").length;
  return [
    `${r.composite.metadata?.name}: ${r.composed.length} resources (${perKind})`,
    `RPO ${rpo === undefined ? "?" : formatSeconds(rpo)}, RTO ${rto === undefined ? "?" : formatSeconds(rto)}`,
    `~$${cost === undefined ? "?" : cost.toFixed(2)}/month`,
    ...(status.failoverUrl
      ? [`clients call ${status.failoverUrl}, which follows the active region`]
      : status.secondary
        ? ["no failover hostname (spec.dns): clients switch between the per-region URLs"]
        : []),
    ...(warnings > 0 ? [`${warnings} waiting for observed values`] : []),
  ].join("; ");
}

function formatDocuments(docs: K8sObject[], output: "yaml" | "json"): string {
  if (output === "json") return `${JSON.stringify(docs, null, 2)}\n`;
  // `---` before every document, as crossplane render writes its stream.
  return docs.map((d) => `---\n${stringify(d, { lineWidth: 0 })}`).join("");
}

async function main(argv: string[]): Promise<number> {
  try {
    const opts = options(argv);
    if (!opts) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    const xr = compositeFor(opts.claim, readClaim(opts.claim));
    const observed = opts.observed ? readObserved(opts.observed) : {};
    const rsp = await render(xr as Claim, observed as Record<string, ObservedResource>);
    const rendered = renderedOf(xr, observed, rsp, COMPOSE_STEP);
    process.stdout.write(formatDocuments(documentsOf(rendered), opts.output));
    process.stderr.write(`${summaryOf(rendered)}\n`);
    if (opts.graph) {
      const { nodes, edges } = await writeGraph(opts.graph, rendered.composed, `${xr.metadata?.name} (${xr.spec?.tier ?? "?"})`);
      process.stderr.write(`wrote ${opts.graph}: ${nodes} resources, ${edges} selector edges\n`);
    }
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`error: ${error.message}\n${USAGE}\n`);
      return 2;
    }
    if (error instanceof InvalidClaimError) {
      process.stderr.write(`error: ${error.message}\n`);
      return 2;
    }
    if (error instanceof InputError || error instanceof FatalResultError) {
      process.stderr.write(`error: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

process.exitCode = await main(process.argv.slice(2));
