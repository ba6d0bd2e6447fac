/**
 * Runs one building block for one region of a claim, with optional observed `status.atProvider`
 * values keyed by logical name, and returns the block's manifests as plain JSON plus what waits.
 */
import type { Block } from "../../functions/src/block.js";
import { buildEnvironment, type ObservedResource, type RegionRole } from "../../functions/src/environment.js";
import { RegionScope, type Pending } from "../../functions/src/scope.js";

export const CLAIM_SPEC = {
  environmentSuffix: "prod01",
  tier: "backup-restore",
  primaryRegion: "us-east-1",
  tags: { CostCenter: "Operations" },
};

export const ACCOUNT = "123456789012";

export interface BlockRun {
  resources: Record<string, any>;
  pending: Pending[];
  scope: RegionScope;
}

/** Observed resources from `{ logical: atProvider }`, in the given region role. */
export function observedOf(
  atProvider: Record<string, Record<string, string>>,
  role: RegionRole = "primary",
): Record<string, ObservedResource> {
  return Object.fromEntries(
    Object.entries(atProvider).map(([logical, values]) => [`${role}-${logical}`, { status: { atProvider: values } }]),
  );
}

export function runBlock(
  block: Block,
  name: string,
  {
    spec = {},
    observed = {},
    role = "primary",
  }: { spec?: Record<string, unknown>; observed?: Record<string, ObservedResource>; role?: RegionRole } = {},
): BlockRun {
  const env = buildEnvironment(
    {
      metadata: { name: "payments", namespace: "team-payments", uid: "6f1c2a7e-0c1b-4e7e-9d2b-1a2b3c4d5e6f" },
      spec: { ...CLAIM_SPEC, ...spec },
    },
    observed,
  );
  const region = role === "primary" ? env.primary : env.secondary;
  if (!region) throw new Error(`no ${role} region in this claim`);
  const pending: Pending[] = [];
  const scope = new RegionScope(env, region, name, pending);
  const resources = Object.fromEntries(Object.entries(block(scope)).map(([logical, model]) => [logical, model.toJSON()]));
  return { resources, pending, scope };
}

/** Every resource of a kind, by logical name. */
export function ofKind(resources: Record<string, any>, kind: string): Record<string, any> {
  return Object.fromEntries(Object.entries(resources).filter(([, r]) => r.kind === kind));
}

export const arn = {
  logGroup: (name: string, region = "us-east-1") => `arn:aws:logs:${region}:${ACCOUNT}:log-group:${name}`,
  table: (name: string, region = "us-east-1") => `arn:aws:dynamodb:${region}:${ACCOUNT}:table/${name}`,
};
