/**
 * The composite's connection secret: every advertised key (CONNECTION_SECRET_KEYS) once its value
 * is known, read from observed state only: composed resources' `status.atProvider` and the
 * connection details Crossplane passes for them (the API key's value exists only there, so it
 * never appears in a spec, the status or a log). Values follow the active region; the writer of a
 * Global Database is its GlobalCluster's endpoint, which follows the writer across regions.
 */
import type { CONNECTION_SECRET_KEYS } from "../../src/api/index.js";
import type { Environment, RegionContext } from "./environment.js";
import { LOGICAL } from "./blocks/names.js";

export type ConnectionKey = (typeof CONNECTION_SECRET_KEYS)[number];

/** Observed connection details of composed resources, by composed resource name. */
export type ObservedConnections = Record<string, Record<string, Uint8Array>>;

/** The connection detail key upjet publishes a sensitive attribute under. */
const API_KEY_VALUE = "attribute.value";

const text = (value: unknown): string | undefined =>
  typeof value === "string" && value !== "" ? value : typeof value === "number" ? String(value) : undefined;

/**
 * The master password secret's ARN in the active region: the primary's, or in the secondary the
 * ARN of its replica (the same but for the region), once Secrets Manager lists that replica.
 */
function masterSecretArn(env: Environment, active: RegionContext): string | undefined {
  const atProvider = env.observed[`primary-${LOGICAL.masterSecret}`]?.status?.atProvider;
  const arn = text(atProvider?.arn);
  if (!arn || active.role === "primary") return arn;
  const replicas = Array.isArray(atProvider?.replica) ? (atProvider.replica as Array<{ region?: unknown }>) : [];
  if (!replicas.some((r) => r.region === active.name)) return undefined;
  const parts = arn.split(":");
  parts[3] = active.name;
  return parts.join(":");
}

/** The Global Database's writer endpoint, once observed; undefined for a standalone cluster. */
export function globalWriterEndpoint(env: Environment): string | undefined {
  return text(env.observed[`primary-${LOGICAL.globalCluster}`]?.status?.atProvider?.endpoint);
}

export function connectionDetails(env: Environment, connections: ObservedConnections): Partial<Record<ConnectionKey, string>> {
  const activeRegion = env.regions.find((r) => r.active) ?? env.primary;
  const active = activeRegion.role;
  const observed = (logical: string, role = active) => env.observed[`${role}-${logical}`];
  const cluster = observed(LOGICAL.auroraCluster);
  const apiKey = connections[`${active}-api-key`]?.[API_KEY_VALUE];
  const values: Record<ConnectionKey, string | undefined> = {
    apiUrl: text(observed(LOGICAL.apiStage)?.status?.atProvider?.invokeUrl),
    apiKey: apiKey && apiKey.length > 0 ? Buffer.from(apiKey).toString("utf8") : undefined,
    dbWriterEndpoint: globalWriterEndpoint(env) ?? text(cluster?.status?.atProvider?.endpoint),
    dbReaderEndpoint: text(cluster?.status?.atProvider?.readerEndpoint),
    dbPort: text(cluster?.status?.atProvider?.port),
    dbMasterUserSecretArn: masterSecretArn(env, activeRegion),
  };
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as Partial<Record<ConnectionKey, string>>;
}
