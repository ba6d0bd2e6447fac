/**
 * The contract between the composer and its building blocks: a block is a pure function from one
 * region's scope to typed managed resources, keyed by logical name.
 */
import type { Model } from "@kubernetes-models/base";
import type { RegionScope } from "./scope.js";

/** A typed provider-upjet-aws model instance. */
export type ManagedResource = Model<unknown> & {
  metadata?: { name?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: { providerConfigRef?: { name: string }; deletionPolicy?: string; forProvider?: unknown };
};

/** A building block: one region's resources of one concern, keyed by logical name. */
export type Block = (scope: RegionScope) => Record<string, ManagedResource>;
