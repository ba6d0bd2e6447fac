/**
 * The environment every building block composes from: the validated claim spec plus what is
 * derived from it (regions, zones, names, tags) and what has been observed in AWS so far.
 * Building it is pure: the same composite and observed resources give the same environment.
 */
import { claimSpecOf, flavorOf, validateSpec, type EnvironmentSpec, type Flavor, type Tier } from "../../src/api/index.js";
import { availabilityZones } from "../../src/regions.js";
import { ownerId, STANDARD_TAG_KEYS, type Owner } from "../../src/naming.js";

export type RegionRole = "primary" | "secondary";

export interface RegionContext {
  role: RegionRole;
  /** AWS region, e.g. us-east-1. */
  name: string;
  cidr: string;
  zones: string[];
  /** Whether this region serves traffic and holds the database writer now. */
  active: boolean;
}

/** A composed resource as Crossplane last observed it. */
export interface ObservedResource {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; annotations?: Record<string, string>; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
  status?: {
    atProvider?: Record<string, unknown>;
    conditions?: Array<{ type: string; status: string; reason?: string; message?: string }>;
  };
}

export interface Environment {
  /** Name of the composite resource. */
  name: string;
  /** The claim that owns the environment (the composite itself when it has no claim). */
  owner: Owner;
  /** Short hash of the owner in every AWS name: unique per claim, the same when it is created again. */
  ownerId: string;
  /** cluster: a claim's cluster-scoped composite; namespaced: the namespaced composite, composing the provider's namespaced kinds. */
  flavor: Flavor;
  /** The namespaced composite's namespace, where everything it composes is created. */
  namespace?: string;
  spec: EnvironmentSpec;
  tier: Tier;
  suffix: string;
  regions: RegionContext[];
  primary: RegionContext;
  secondary?: RegionContext;
  /**
   * backup-restore with `spec.secondaryRegion`: the region that holds copies of every recovery
   * point and nothing else (its own vault and key). Not in `regions`: no stack runs there.
   */
  backupOnlyRegion?: RegionContext;
  /** Tags every AWS resource carries: the claim's, then the standard ones, which win. */
  tags: Record<string, string>;
  observed: Record<string, ObservedResource>;
}

export interface CompositeResource {
  apiVersion?: string;
  metadata?: { name?: string; namespace?: string; uid?: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
}

export { claimSpecOf };

export const CLAIM_LABELS = { name: "crossplane.io/claim-name", namespace: "crossplane.io/claim-namespace" } as const;

/**
 * Crossplane sets the claim reference and labels on a claim's composite; a namespaced (v2) composite
 * without a claim is owned by its own namespace and name. The composite's generated name and uid
 * would change when the claim is created again, so they never name AWS resources.
 */
export function ownerOf(xr: CompositeResource): Owner {
  const ref = xr.spec?.claimRef as { name?: unknown; namespace?: unknown } | undefined;
  if (typeof ref?.name === "string" && ref.name && typeof ref.namespace === "string") {
    return { namespace: ref.namespace, name: ref.name };
  }
  const labels = xr.metadata?.labels ?? {};
  if (labels[CLAIM_LABELS.name] && labels[CLAIM_LABELS.namespace]) {
    return { namespace: labels[CLAIM_LABELS.namespace], name: labels[CLAIM_LABELS.name] };
  }
  return { namespace: xr.metadata?.namespace, name: xr.metadata?.name ?? "" };
}

export function buildEnvironment(xr: CompositeResource, observed: Record<string, ObservedResource> = {}): Environment {
  const flavor = flavorOf(xr.apiVersion);
  const spec = validateSpec(claimSpecOf(xr));
  if (flavor === "cluster" && spec.providerConfigKind === "ProviderConfig")
    throw new Error(
      "spec.providerConfigKind: ProviderConfig is a provider config in a namespaced composite's namespace; a claim's cluster-scoped resources use the cluster-scoped ProviderConfig (leave the field unset)",
    );
  const name = xr.metadata?.name ?? "";
  const owner = ownerOf(xr);
  const active = spec.failover.activeRegion;
  const zones = spec.network.availabilityZones;
  const primary: RegionContext = {
    role: "primary",
    name: spec.primaryRegion,
    cidr: spec.network.cidr,
    zones: availabilityZones(spec.primaryRegion, zones),
    active: active === "primary",
  };
  const secondary: RegionContext | undefined =
    spec.tier === "backup-restore" || !spec.secondaryRegion
      ? undefined
      : {
          role: "secondary",
          name: spec.secondaryRegion,
          cidr: spec.network.secondaryCidr,
          zones: availabilityZones(spec.secondaryRegion, zones),
          active: active === "secondary",
        };
  // Named "secondary" like a DR tier's second region, so an upgrade to pilot light keeps the same vault and key.
  const backupOnlyRegion: RegionContext | undefined =
    spec.tier === "backup-restore" && spec.secondaryRegion
      ? { role: "secondary", name: spec.secondaryRegion, cidr: spec.network.secondaryCidr, zones: [], active: false }
      : undefined;
  return {
    name,
    owner,
    ownerId: ownerId(owner),
    flavor,
    ...(flavor === "namespaced" ? { namespace: xr.metadata?.namespace || "default" } : {}),
    spec,
    tier: spec.tier,
    suffix: spec.environmentSuffix,
    regions: secondary ? [primary, secondary] : [primary],
    primary,
    secondary,
    backupOnlyRegion,
    // The standard tags come last so a claim cannot override them: guards and cost reports read them.
    tags: {
      ...spec.tags,
      [STANDARD_TAG_KEYS.environment]: spec.environmentSuffix,
      [STANDARD_TAG_KEYS.tier]: spec.tier,
      [STANDARD_TAG_KEYS.managedBy]: "crossplane",
    },
    observed,
  };
}
