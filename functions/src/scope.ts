/**
 * What a building block sees: the environment, the region it composes for, and helpers that
 * keep names, labels, selectors, tags and deletion policies the same in every block.
 */
import { awsName, bucketName, environmentPath, STANDARD_TAG_KEYS, type NameParts } from "../../src/naming.js";
import type { Environment, ObservedResource, RegionContext, RegionRole } from "./environment.js";

/** Labels on every composed resource; selectors match them to tell regions and roles apart. */
export const LABELS = {
  regionRole: "dr.platform.io/region-role",
  block: "dr.platform.io/block",
  resource: "dr.platform.io/resource",
  /** The tier a resource was composed for: the downgrade guard reads it from metadata, never the spec. */
  tier: "dr.platform.io/tier",
} as const;

export const EXTERNAL_NAME = "crossplane.io/external-name";

export interface Selector {
  matchControllerRef: true;
  matchLabels: Record<string, string>;
}

/** Something a block cannot compose yet because AWS has not told us a value it needs. */
export interface Pending {
  /** Composed resource name that is waiting. */
  resource: string;
  reason: string;
}

export class RegionScope {
  constructor(
    readonly env: Environment,
    readonly region: RegionContext,
    readonly block: string,
    private readonly pendingSink: Pending[] = [],
  ) {}

  /** The composed resource name Crossplane tracks; stable for the environment's life. */
  key(logical: string, role: RegionRole = this.region.role): string {
    return `${role}-${logical}`;
  }

  labels(logical: string): Record<string, string> {
    return { [LABELS.regionRole]: this.region.role, [LABELS.block]: this.block, [LABELS.resource]: logical, [LABELS.tier]: this.env.tier };
  }

  /** Selects a sibling composed by this composite, in this region unless told otherwise. */
  select(logical: string, role: RegionRole = this.region.role): Selector {
    return { matchControllerRef: true, matchLabels: { [LABELS.regionRole]: role, [LABELS.resource]: logical } };
  }

  /** An AWS name with the suffix and owner id, e.g. `dr-app-prod01-1a2b3c4d`; `regional` adds the region. */
  name(what: string, regional = false): string {
    return awsName(what, this.nameParts(regional ? this.region.name : undefined));
  }

  bucketName(what: string, region: RegionContext = this.region): string {
    return bucketName(what, { ...this.nameParts(), region: region.name });
  }

  /** The environment's segment of path-like AWS names, e.g. `/dr/<suffix>-<owner>/vpc-flow-logs`. */
  get path(): string {
    return environmentPath(this.nameParts());
  }

  nameParts(region?: string): NameParts {
    return { suffix: this.env.suffix, owner: this.env.ownerId, region };
  }

  tags(name?: string): Record<string, string> {
    return {
      ...this.env.tags,
      [STANDARD_TAG_KEYS.regionRole]: this.region.role,
      ...(name ? { Name: name } : {}),
    };
  }

  /**
   * A KMS alias, `alias/<what>-<suffix>-<region>`, and the external name its Alias keeps: the
   * provider's external-name config for aliases strips `alias/` (and adds it back when it calls
   * AWS), so an annotation with the prefix would be rewritten on every reconcile.
   */
  kmsAlias(what: string): { alias: string; externalName: string } {
    const externalName = this.name(what, true);
    return { alias: `alias/${externalName}`, externalName };
  }

  /** Metadata that sets the AWS name for kinds that take it from the external-name annotation. */
  externalName(name: string): { annotations: Record<string, string> } {
    return { annotations: { [EXTERNAL_NAME]: name } };
  }

  /** What a stateful resource (data store, key) keeps when the environment is deleted. */
  get deletionPolicy(): "Orphan" | "Delete" {
    return this.env.spec.protection ? "Orphan" : "Delete";
  }

  get protection(): boolean {
    return this.env.spec.protection;
  }

  observed(logical: string, role: RegionRole = this.region.role): ObservedResource | undefined {
    return this.env.observed[this.key(logical, role)];
  }

  /**
   * A value AWS decided, read from a sibling's observed `status.atProvider`. When it is not there
   * yet, `waiting` is recorded for the user and undefined returned; the caller then leaves out the
   * resource that needs it (or keeps the last one Crossplane applied, see compose).
   */
  atProvider(logical: string, field: string, waiting: string, role: RegionRole = this.region.role): string | undefined {
    const value = this.observed(logical, role)?.status?.atProvider?.[field];
    if (typeof value === "string" && value !== "") return value;
    this.pendingSink.push({ resource: this.key(waiting), reason: `waits for ${field} of ${this.key(logical, role)}` });
    return undefined;
  }

  /**
   * Like atProvider, for a field AWS reports as a list of objects (a certificate's validation
   * options): the first item `complete` accepts. AWS may list an item before it has filled it in,
   * and that counts as not there yet.
   */
  atProviderItem(
    logical: string,
    field: string,
    waiting: string,
    complete: (item: Record<string, unknown>) => boolean,
    role: RegionRole = this.region.role,
  ): Record<string, unknown> | undefined {
    const value = this.observed(logical, role)?.status?.atProvider?.[field];
    const item = Array.isArray(value)
      ? (value as Array<Record<string, unknown>>).find((i) => i !== null && typeof i === "object" && complete(i))
      : undefined;
    if (item) return item;
    this.pendingSink.push({ resource: this.key(waiting), reason: `waits for ${field} of ${this.key(logical, role)}` });
    return undefined;
  }
}
