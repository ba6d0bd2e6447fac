/**
 * `tsx test/support/settle-observed.ts <case>...`: completes a golden case's observed.yaml until
 * its render waits for nothing, so every resource of the case appears in its expected files. Each
 * round adds what the render reports waiting for, shaped as AWS gives it (tools/policy/settle.ts),
 * and marks the resource it is read from Ready; hand-written entries and comments are kept.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseDocument } from "yaml";
import { RunFunctionResponse } from "@crossplane-org/function-sdk-typescript";
import { render, type Claim } from "../../functions/src/render.js";
import type { ObservedResource } from "../../functions/src/environment.js";
import { shortHash } from "../../src/naming.js";
import { fabricate, waitingFor, type RenderedJson } from "../../tools/policy/settle.js";
import { CASES_DIR, readYaml } from "./golden.js";

const MAX_ROUNDS = 10;
const ACCOUNT = "123456789012";

/**
 * The value AWS reports for `field` of a resource, in the shape AWS gives it where the kind's ARN
 * format is known (logs, events, lambda and backup ARNs differ from the generic shape); the generic
 * fabricated value otherwise.
 */
function awsValue(field: string, key: string, desired: ObservedResource | undefined, claim: Claim): unknown {
  const region = (desired?.spec as { forProvider?: { region?: string } } | undefined)?.forProvider?.region ?? "us-east-1";
  const name = desired?.metadata?.annotations?.["crossplane.io/external-name"] ?? key;
  const arn = (service: string, resource: string) => `arn:aws:${service}:${region}:${ACCOUNT}:${resource}`;
  const kind = `${desired?.apiVersion?.split(".")[0]}/${desired?.kind}`;
  if (field === "arn") {
    const known: Record<string, string> = {
      "cloudwatchlogs/Group": arn("logs", `log-group:${name}:*`),
      "cloudwatchevents/Rule": arn("events", `rule/${name}`),
      "lambda/Function": arn("lambda", `function:${name}`),
      "backup/Vault": arn("backup", `backup-vault:${name}`),
      "ec2/VPC": arn("ec2", `vpc/vpc-${shortHash(key, 17)}`),
    };
    if (known[kind]) return known[kind];
  }
  if (kind === "apigateway/RestAPI" && field === "executionArn") return arn("execute-api", shortHash(key, 10));
  // API Gateway deployment and integration ids are short lowercase strings.
  if (kind.startsWith("apigateway/") && field === "id") return shortHash(key, 6);
  return fabricate(field, key, desired as never, claim);
}

export async function settleObserved(name: string): Promise<number> {
  const dir = join(CASES_DIR, name);
  const path = join(dir, "observed.yaml");
  const claim = readYaml<Claim>(join(dir, "claim.yaml"));
  const doc = parseDocument(existsSync(path) ? readFileSync(path, "utf8") : "{}");
  let added = 0;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const observed = (doc.toJS() ?? {}) as Record<string, ObservedResource>;
    const rsp = RunFunctionResponse.toJSON(await render(claim, observed)) as RenderedJson;
    const waiting = waitingFor(rsp);
    if (waiting.length === 0) {
      // A resource read before it was desired (a deployment named after its routes) gets its kind now.
      for (const [key, { resource }] of Object.entries<{ resource: ObservedResource }>(rsp.desired?.resources ?? {})) {
        if (doc.has(key) && !doc.hasIn([key, "kind"])) {
          doc.setIn([key, "apiVersion"], resource.apiVersion);
          doc.setIn([key, "kind"], resource.kind);
        }
      }
      writeFileSync(path, doc.toString({ lineWidth: 0 }));
      return added;
    }
    for (const [, field, key] of waiting) {
      const desired = rsp.desired?.resources?.[key]?.resource as ObservedResource | undefined;
      if (!doc.has(key)) {
        doc.set(
          key,
          doc.createNode({
            apiVersion: desired?.apiVersion,
            kind: desired?.kind,
            metadata: { name: `${claim.metadata?.name ?? "xr"}-${shortHash(key, 5)}` },
            status: { atProvider: {}, conditions: [{ type: "Ready", status: "True", reason: "Available" }] },
          }),
        );
      }
      if (!doc.hasIn([key, "status", "atProvider", field])) {
        doc.setIn([key, "status", "atProvider", field], awsValue(field, key, desired, claim));
        added++;
      }
    }
  }
  throw new Error(`${name}: still waiting after ${MAX_ROUNDS} rounds`);
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop()!)) {
  for (const name of process.argv.slice(2)) console.log(`${name}: ${await settleObserved(name)} observed values added`);
}
