/**
 * Runs the building blocks for every region of the environment, decorates and validates what
 * they return, and yields the complete desired state. Any error throws: the caller turns it into
 * a Fatal result, so Crossplane never sees a partial (and therefore deleting) desired state.
 */
import { createHash } from "node:crypto";
import type { Environment, RegionContext } from "./environment.js";
import type { Block, ManagedResource } from "./block.js";
import { EXTERNAL_NAME, RegionScope, type Pending } from "./scope.js";
import { blocksFor } from "./blocks/index.js";
import { modelForFlavor } from "./flavor.js";
import { usagesFor } from "./usages.js";
import type { BlockResult, BlockRunner, ComposeMemo } from "./memo.js";

export interface DesiredState {
  /** Composed resource name -> manifest, validated against its model. */
  resources: Record<string, Record<string, unknown>>;
  pending: Pending[];
}

function decorate(model: ManagedResource, scope: RegionScope, logical: string): void {
  model.metadata = {
    ...model.metadata,
    labels: { ...model.metadata?.labels, ...scope.labels(logical) },
  };
  model.spec.providerConfigRef ??= { name: scope.env.spec.providerConfigName };
}

/**
 * Manifests that validated before, by the SHA-256 of their JSON text. Crossplane sends the same
 * composite again on every reconcile, so nearly every manifest was validated on an earlier call;
 * validation is a pure function of the manifest, and hashing its text costs a fraction of
 * validating it. A digest rather than the text (about 1 KiB a manifest) keeps the full set in
 * about a MiB; a collision would need SHA-256 broken. Bounded: the oldest entries go first.
 */
const VALIDATED_MAX = 8192;
const validated = new Set<string>();

/** Entries held (the bench's memory probe reads it). */
export const validatedCount = (): number => validated.size;

function remember(digest: string): void {
  if (validated.size >= VALIDATED_MAX) validated.delete(validated.values().next().value as string);
  validated.add(digest);
}

/** The manifest, validated against its model; `bytes` is its JSON length. */
function validate(model: ManagedResource, key: string): { manifest: Record<string, unknown>; bytes: number } {
  const manifest = model.toJSON() as Record<string, unknown>;
  const text = JSON.stringify(manifest);
  const digest = createHash("sha256").update(text).digest("base64");
  if (validated.has(digest)) return { manifest, bytes: text.length };
  try {
    model.validate();
  } catch (error) {
    throw new Error(`composed resource ${key} (${(model as unknown as { kind: string }).kind}) is invalid: ${(error as Error).message}`, {
      cause: error,
    });
  }
  remember(digest);
  return { manifest, bytes: text.length };
}

/** One block's resources for one region: built, decorated, carried to the flavor and validated. */
export function runBlock(env: Environment, region: RegionContext, blockName: string, block: Block): BlockResult {
  const result: BlockResult = { resources: [], pending: [], bytes: 0 };
  const scope = new RegionScope(env, region, blockName, result.pending);
  for (const [logical, model] of Object.entries(block(scope))) {
    const key = scope.key(logical);
    decorate(model, scope, logical);
    const { manifest, bytes } = validate(modelForFlavor(model, env), key);
    result.resources.push([key, manifest]);
    result.bytes += bytes;
  }
  return result;
}

export function composeRegion(
  env: Environment,
  region: RegionContext,
  blocks: Record<string, Block>,
  state: DesiredState,
  run?: BlockRunner,
): void {
  for (const [blockName, block] of Object.entries(blocks)) {
    const result = run
      ? run(region, blockName, block, (rec) => runBlock(rec.env, region, blockName, block))
      : runBlock(env, region, blockName, block);
    for (const [key, manifest] of result.resources) {
      if (key in state.resources) throw new Error(`composed resource name ${key} is used twice (block ${blockName})`);
      state.resources[key] = manifest;
    }
    state.pending.push(...result.pending);
  }
}

/**
 * A resource that was composed before but now waits for a value is kept as Crossplane last saw
 * it: dropping it from the desired state would make Crossplane delete it.
 */
function keepWaitingResources(env: Environment, state: DesiredState): void {
  for (const { resource } of state.pending) {
    const observed = env.observed[resource];
    if (resource in state.resources || !observed?.spec) continue;
    const { apiVersion, kind, metadata, spec } = observed;
    state.resources[resource] = {
      apiVersion,
      kind,
      metadata: {
        labels: metadata?.labels,
        ...(metadata?.annotations?.[EXTERNAL_NAME] ? { annotations: { [EXTERNAL_NAME]: metadata.annotations[EXTERNAL_NAME] } } : {}),
      },
      spec,
    };
  }
}

/**
 * The complete desired state. With a memo, a block whose inputs are unchanged since the composite's
 * last reconcile gives its kept result (see memo.ts); without one, every block runs.
 */
export function composeEnvironment(env: Environment, memo?: ComposeMemo): DesiredState {
  const state: DesiredState = { resources: {}, pending: [] };
  const run = memo?.reconcile(env);
  const regions = env.backupOnlyRegion ? [...env.regions, env.backupOnlyRegion] : env.regions;
  for (const region of regions) composeRegion(env, region, blocksFor(env, region), state, run);
  keepWaitingResources(env, state);
  if (env.flavor === "namespaced") Object.assign(state.resources, usagesFor(state.resources, env.namespace!));
  return state;
}
