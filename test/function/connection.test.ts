/**
 * The claim's connection secret: every advertised key, once known, from observed state only.
 * A settled environment is observed the way the provider reports it (status.atProvider and, for
 * the API key, the connection details upjet publishes under `attribute.value`), rendered, and the
 * composite's connection details read back from the RunFunctionResponse.
 */
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { RunFunctionResponse } from "@crossplane-org/function-sdk-typescript";
import { compositeOf, requestFor, type Claim } from "../../functions/src/render.js";
import { compose } from "../../functions/src/function.js";
import type { ObservedResource } from "../../functions/src/environment.js";
import { fromCompose } from "@crossplane-org/function-sdk-typescript";
import { CONNECTION_SECRET_KEYS } from "../../src/api/index.js";
import { settle } from "../../tools/policy/settle.js";

const handler = fromCompose(compose);
const API_KEY_VALUE = "k3y-value-that-must-stay-secret";

const example = (tier: string): Claim => parse(readFileSync(new URL(`../../examples/${tier}.yaml`, import.meta.url), "utf8")) as Claim;

/** What AWS reports once everything settled: endpoints, port, the managed secret, the API key's value. */
function observedByAws(settled: Awaited<ReturnType<typeof settle>>, global: boolean) {
  // The last render's resources, created and Ready, over what the renders before it observed.
  const next: Record<string, ObservedResource> = structuredClone(settled.observed);
  for (const [name, resource] of Object.entries(settled.resources))
    next[name] ??= { ...(resource as ObservedResource), status: { conditions: [{ type: "Ready", status: "True" }] } };
  const atProvider = (name: string, values: Record<string, unknown>) => {
    if (!next[name]) throw new Error(`${name} is not observed`);
    next[name].status = { ...next[name].status, atProvider: { ...next[name].status?.atProvider, ...values } };
  };
  for (const role of ["primary", "secondary"]) {
    if (!next[`${role}-aurora-cluster`]) continue;
    atProvider(`${role}-aurora-cluster`, {
      endpoint: `${role}-writer.cluster-abc.rds.amazonaws.com`,
      readerEndpoint: `${role}-reader.cluster-ro-abc.rds.amazonaws.com`,
      port: 5432,
    });
    atProvider(`${role}-api-stage`, { invokeUrl: `https://${role}.execute-api.amazonaws.com/v1` });
  }
  if (global) atProvider("primary-aurora-global-cluster", { endpoint: "dr-aurora-global.global-abc.global.rds.amazonaws.com" });
  // Secrets Manager reports the secret's ARN and, in the DR tiers, the replica it keeps in the secondary region.
  const secret = next["primary-aurora-master-secret"].spec!.forProvider as {
    region: string;
    name: string;
    replica?: Array<{ region: string }>;
  };
  atProvider("primary-aurora-master-secret", {
    arn: `arn:aws:secretsmanager:${secret.region}:123456789012:secret:${secret.name}-AbCdEf`,
    ...(secret.replica ? { replica: secret.replica.map((r) => ({ ...r, status: "InSync" })) } : {}),
  });
  const connections = Object.fromEntries(
    ["primary", "secondary"]
      .filter((r) => next[`${r}-api-key`])
      .map((r) => [`${r}-api-key`, { "attribute.value": `${API_KEY_VALUE}-${r}` }]),
  );
  return { observed: next, connections };
}

async function published(tier: string, activeRegion?: "secondary") {
  const claim = example(tier);
  if (activeRegion) claim.spec = { ...claim.spec, failover: { ...(claim.spec?.failover as object), activeRegion } };
  const settled = await settle(claim);
  expect(settled.fatal).toBeUndefined();
  const { observed, connections } = observedByAws(settled, tier !== "backup-restore");
  const rsp = RunFunctionResponse.toJSON(await handler.RunFunction(requestFor(compositeOf(claim), observed, connections))) as any;
  const details = Object.fromEntries(
    Object.entries<string>(rsp.desired.composite.connectionDetails ?? {}).map(([k, v]) => [k, Buffer.from(v, "base64").toString("utf8")]),
  );
  return { rsp, details };
}

describe("connection details", () => {
  it("a settled warm-standby publishes all six keys, the writer being the Global Database's endpoint", async () => {
    const { rsp, details } = await published("warm-standby");
    expect(details).toEqual({
      apiUrl: "https://primary.execute-api.amazonaws.com/v1",
      apiKey: `${API_KEY_VALUE}-primary`,
      dbWriterEndpoint: "dr-aurora-global.global-abc.global.rds.amazonaws.com",
      dbReaderEndpoint: "primary-reader.cluster-ro-abc.rds.amazonaws.com",
      dbPort: "5432",
      dbMasterUserSecretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:dr-aurora-master-prod01-9872f00b-us-east-1-AbCdEf",
    });
    expect(Object.keys(details).sort()).toEqual([...CONNECTION_SECRET_KEYS].sort());
    expect(rsp.desired.composite.resource.status.globalWriterEndpoint).toBe("dr-aurora-global.global-abc.global.rds.amazonaws.com");
    // The key's value stays in the connection secret: not in the status, results or any desired resource.
    const elsewhere = JSON.stringify({ status: rsp.desired.composite.resource, results: rsp.results, resources: rsp.desired.resources });
    expect(elsewhere.includes(API_KEY_VALUE)).toBe(false);
  });

  it("with the secondary active, publishes the replica of the password secret that Secrets Manager keeps there", async () => {
    const { details } = await published("warm-standby", "secondary");
    expect(details.dbMasterUserSecretArn).toBe(
      "arn:aws:secretsmanager:us-east-2:123456789012:secret:dr-aurora-master-prod01-9872f00b-us-east-1-AbCdEf",
    );
    expect(details.dbReaderEndpoint).toBe("secondary-reader.cluster-ro-abc.rds.amazonaws.com");
    expect(Object.keys(details).sort()).toEqual([...CONNECTION_SECRET_KEYS].sort());
  });

  it("a settled pilot-light publishes all six keys", async () => {
    const { details } = await published("pilot-light");
    expect(Object.keys(details).sort()).toEqual([...CONNECTION_SECRET_KEYS].sort());
  });

  it("a settled backup-restore publishes all six advertised keys", async () => {
    const { details } = await published("backup-restore");
    expect(Object.keys(details).sort()).toEqual([...CONNECTION_SECRET_KEYS].sort());
    expect(details.dbMasterUserSecretArn).toMatch(
      /^arn:aws:secretsmanager:eu-west-1:123456789012:secret:dr-aurora-master-rep01-[0-9a-f]{8}-eu-west-1-AbCdEf$/,
    );
    expect(details.dbWriterEndpoint).toBe("primary-writer.cluster-abc.rds.amazonaws.com");
  });

  it("publishes nothing it has not observed", async () => {
    const rsp = RunFunctionResponse.toJSON(await handler.RunFunction(requestFor(compositeOf(example("warm-standby"))))) as any;
    expect(rsp.desired.composite.connectionDetails ?? {}).toEqual({});
  });
});
