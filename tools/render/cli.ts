#!/usr/bin/env node
/**
 * npm run render -- <claim.yaml> [-o <file>] [--format yaml|json] [--observed <file|dir>] [--settled] [--graph <file.svg|file.png>]
 *
 * Renders a claim without a cluster: claim -> composite -> the composition function in-process,
 * written as `crossplane render --include-function-results` writes it (the XR with its status,
 * every composed resource, then the function's results): to the file `-o` names, else to stdout.
 * A short summary for a person goes to stderr first.
 *
 * Exit codes (tools/cli/exit.ts): 0 rendered, 1 the function refused, 2 usage or bad input (an
 * unreadable file, or a claim the API server would refuse).
 */
import { writeFileSync } from "node:fs";
import { extname } from "node:path";
import { parseArgs } from "node:util";
import { stringify } from "yaml";
import { ClaimValidationError, describeError, validateClaim } from "../../src/api/index.js";
import { buildEnvironment, type CompositeResource, type ObservedResource } from "../../functions/src/environment.js";
import { drLinks } from "../../functions/src/dr-links.js";
import { compositeOf, render, type Claim } from "../../functions/src/render.js";
import { COMPOSE_STEP } from "../../compositions/dr-environment.js";
import { settle } from "../policy/settle.js";
import { BadInputError, EXIT, runCli, UsageError } from "../cli/exit.js";
import { readClaim, readObserved } from "./load.js";
import { documentsOf, renderedOf, type K8sObject } from "./output.js";
import { GRAPH_FORMATS, writeGraph } from "./graph.js";
import { summaryOf } from "./summary.js";

const USAGE = `usage: npm run render -- <claim.yaml> [options]

  -o, --output <file>       write the rendered stream to <file> (default: stdout)
      --format yaml|json    format of the stream (default: json for a .json file, else yaml)
      --observed <file|dir> observed composed resources, as crossplane render --observed-resources
      --settled             render as if AWS had answered every value it decides (what the policy checks)
      --graph <file>        draw the composed resources and the links between regions (${GRAPH_FORMATS.join(", ")})
  -h, --help                this help

exit codes: 0 rendered, 1 the function refused, 2 usage or bad input`;

/** Thrown for a claim the API server would refuse: every field and rule, exit 2. */
class InvalidClaimError extends BadInputError {
  constructor(path: string, error: ClaimValidationError) {
    super(`${path} is not a valid claim:\n${error.errors.map((e) => `  ${describeError(e)}`).join("\n")}`);
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
        output: { type: "string", short: "o" },
        format: { type: "string" },
        settled: { type: "boolean" },
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
  if (values.output === "yaml" || values.output === "json")
    throw new UsageError(`--output takes the file to write; for the format use --format ${values.output}`);
  const format = values.format ?? (values.output && extname(values.output) === ".json" ? "json" : "yaml");
  if (format !== "yaml" && format !== "json") throw new UsageError(`--format must be yaml or json, got ${format}`);
  if (values.settled && values.observed)
    throw new UsageError("--settled and --observed exclude each other: --settled makes up the observed state");
  if (values.graph && !GRAPH_FORMATS.includes(extname(values.graph).toLowerCase()))
    throw new UsageError(`--graph ${values.graph}: the file must end in ${GRAPH_FORMATS.join(" or ")}`);
  return {
    claim: positionals[0]!,
    observed: values.observed,
    output: values.output,
    format: format as "yaml" | "json",
    settled: values.settled ?? false,
    graph: values.graph,
  };
}

/** The composite for a claim, or every reason the API server would refuse it. */
function compositeFor(path: string, claim: K8sObject): K8sObject {
  try {
    validateClaim(claim);
  } catch (error) {
    if (error instanceof ClaimValidationError) throw new InvalidClaimError(path, error);
    throw error;
  }
  return compositeOf(claim as Claim) as K8sObject;
}

function formatDocuments(docs: K8sObject[], format: "yaml" | "json"): string {
  if (format === "json") return `${JSON.stringify(docs, null, 2)}\n`;
  // `---` before every document, as crossplane render writes its stream.
  return docs.map((d) => `---\n${stringify(d, { lineWidth: 0 })}`).join("");
}

async function main(argv: string[]): Promise<number> {
  const opts = options(argv);
  if (!opts) {
    process.stdout.write(`${USAGE}\n`);
    return EXIT.ok;
  }
  const xr = compositeFor(opts.claim, readClaim(opts.claim));
  let observed: Record<string, K8sObject> = opts.observed ? readObserved(opts.observed) : {};
  let rsp;
  if (opts.settled) {
    const settled = await settle(xr as Claim);
    observed = settled.observed as Record<string, K8sObject>;
    rsp = settled.response;
  } else {
    rsp = await render(xr as Claim, observed as Record<string, ObservedResource>);
  }
  const rendered = renderedOf(xr, observed, rsp, COMPOSE_STEP);
  const stream = formatDocuments(documentsOf(rendered), opts.format);
  process.stderr.write(`${summaryOf(rendered, { tier: String(xr.spec?.tier), settled: opts.settled })}\n`);
  if (opts.output) {
    writeFileSync(opts.output, stream);
    process.stderr.write(
      `wrote ${opts.output}: the XR, ${rendered.composed.length} composed resources, ${rendered.results.length} results\n`,
    );
  } else {
    process.stdout.write(stream);
  }
  if (opts.graph) {
    const env = buildEnvironment(xr as CompositeResource, observed as Record<string, ObservedResource>);
    const title = `${xr.metadata?.name} (${xr.spec?.tier ?? "?"})`;
    const { nodes, edges, links } = await writeGraph(opts.graph, rendered.composed, title, drLinks(env));
    process.stderr.write(`wrote ${opts.graph}: ${nodes} resources, ${edges} selector edges, ${links} links between regions\n`);
  }
  return EXIT.ok;
}

// A FatalResultError (the function refused what validation let through) is a failure: exit 1.
process.exitCode = await runCli(USAGE, () => main(process.argv.slice(2)));
