/**
 * Block results kept across reconciles of the same composite, so that a reconcile whose inputs
 * barely changed (a new meta tag, one resource's status) composes only the blocks that read
 * what changed.
 *
 * A block is a pure function of its scope: the environment without `observed` (built from the
 * composite alone), its region, its name, and the observed resources it looks up. So a block's
 * result is keyed by
 *   - the SHA-256 of the environment's JSON without `observed`, for the whole composite;
 *   - for the block, the region, the block's name and function, and for every observed resource
 *     the block looked up, the SHA-256 of the members it read of it (or "absent"), as they were
 *     when the result was computed.
 * The block reads `observed` through proxies that record each name it asks for and each member
 * it reads, so the second part is what the block actually read, not what it is expected to read. A block that lists the
 * observed resources (rather than looking them up by name) depends on all of them: its result is
 * never kept. The key cannot go stale: anything a block can see is in one of the two parts.
 *
 * Bounded by the JSON length of the manifests kept, least recently used composite first out.
 */
import { createHash } from "node:crypto";
import type { Environment, ObservedResource, RegionContext } from "./environment.js";
import type { Pending } from "./scope.js";
import type { Block } from "./block.js";
import { deepFreeze } from "../../src/immutable.js";

/** What one block composed for one region: validated manifests by composed resource name, and what waits. */
export interface BlockResult {
  resources: Array<[name: string, manifest: Record<string, unknown>]>;
  pending: Pending[];
  /** JSON length of the manifests: what the memo's bound counts. */
  bytes: number;
}

/** A block's view of the environment, and what it read of `observed` through it. */
export interface Recording {
  env: Environment;
  /** Observed resource name -> the members the block read of it (`apiVersion`, `status`, ...); empty when absent or only tested for. */
  reads: Map<string, Set<string>>;
  /** Whether the block listed `observed` (and so depends on every entry). */
  listed: boolean;
}

/** Stands for "every member": the block listed a resource's members. */
const WHOLE = "*";

/**
 * The environment with `observed` behind a proxy that records each resource a block looks up
 * and, behind a second proxy, each member it reads of it. Members, not whole resources: the
 * codec decodes an observed resource's spec only when something reads it, and a digest of the
 * whole resource would read it.
 */
export function recording(env: Environment): Recording {
  const rec: Recording = { env, reads: new Map(), listed: false };
  const membersOf = (name: string) => {
    let members = rec.reads.get(name);
    if (!members) rec.reads.set(name, (members = new Set()));
    return members;
  };
  const resourceView = (name: string, resource: ObservedResource): ObservedResource =>
    new Proxy(resource, {
      get: (target, member) => (typeof member === "string" && membersOf(name).add(member), Reflect.get(target, member)),
      has: (target, member) => (typeof member === "string" && membersOf(name).add(member), Reflect.has(target, member)),
      getOwnPropertyDescriptor: (target, member) => (
        typeof member === "string" && membersOf(name).add(member),
        Reflect.getOwnPropertyDescriptor(target, member)
      ),
      ownKeys: (target) => (membersOf(name).add(WHOLE), Reflect.ownKeys(target)),
    });
  const looksUp = (key: string | symbol): key is string => typeof key === "string" && (membersOf(key), true);
  const observed = new Proxy(env.observed, {
    get: (target, key) => {
      const resource = Reflect.get(target, key) as ObservedResource | undefined;
      return looksUp(key) && Object.hasOwn(target, key) && resource !== null && typeof resource === "object"
        ? resourceView(key, resource)
        : resource;
    },
    has: (target, key) => (looksUp(key), Reflect.has(target, key)),
    getOwnPropertyDescriptor: (target, key) => (looksUp(key), Reflect.getOwnPropertyDescriptor(target, key)),
    ownKeys: (target) => ((rec.listed = true), Reflect.ownKeys(target)),
  });
  rec.env = { ...env, observed };
  return rec;
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("base64");

/** The SHA-256 of observed resources' members (or their absence), each computed once per reconcile. */
export class ObservedDigests {
  private readonly digests = new Map<string, string>();
  constructor(private readonly observed: Record<string, ObservedResource>) {}

  /** One digest for a resource's presence and the members read of it. */
  of(name: string, members: Set<string>): string {
    const key = `${name}\u0000${[...members].sort().join("\u0000")}`;
    let digest = this.digests.get(key);
    if (digest === undefined) {
      const resource = Object.hasOwn(this.observed, name) ? (this.observed[name] as Record<string, unknown> | undefined) : undefined;
      const read =
        resource === undefined
          ? "absent"
          : members.has(WHOLE)
            ? resource
            : Object.fromEntries([...members].sort().map((m) => [m, resource[m]]));
      digest = sha256(JSON.stringify(read) ?? "undefined");
      this.digests.set(key, digest);
    }
    return digest;
  }
}

/** Gives a block's result: computed from the environment a recording hands it, or kept from before. */
export type BlockRunner = (region: RegionContext, blockName: string, block: Block, compute: (rec: Recording) => BlockResult) => BlockResult;

interface Entry {
  /** The block function that computed it: another function under the same name is another block. */
  block: Block;
  /** Observed resource name -> the members read and their digest when the result was computed. */
  reads: Map<string, { members: Set<string>; digest: string }>;
  result: BlockResult;
  frozen?: boolean;
}

interface CompositeEntry {
  /** SHA-256 of the environment without `observed`. */
  inputs: string;
  blocks: Map<string, Entry>;
  bytes: number;
}

/** The SHA-256 of what a composite contributes to every block: the environment without `observed`. */
export function environmentDigest(env: Environment): string {
  return sha256(JSON.stringify({ ...env, observed: undefined }));
}

export class ComposeMemo {
  private readonly composites = new Map<string, CompositeEntry>();
  private bytes = 0;
  hits = 0;
  misses = 0;

  constructor(private readonly maxBytes: number) {}

  /** Composites and manifest bytes held (the bench's memory probe reads them). */
  get size(): { composites: number; bytes: number } {
    return { composites: this.composites.size, bytes: this.bytes };
  }

  /**
   * One reconcile of a composite: `run` gives a block's result, reusing the kept one when the
   * composite's environment and every observed resource the block read are unchanged.
   */
  reconcile(env: Environment): BlockRunner {
    const identity = `${env.flavor}/${env.namespace ?? ""}/${env.name}`;
    const inputs = environmentDigest(env);
    const digests = new ObservedDigests(env.observed);
    let composite = this.composites.get(identity);
    if (composite && composite.inputs !== inputs) {
      this.drop(identity, composite);
      composite = undefined;
    }
    if (composite) {
      // Most recently used last: the oldest composite is the first out.
      this.composites.delete(identity);
      this.composites.set(identity, composite);
    }
    return (region, blockName, block, compute) => {
      const key = `${region.role}/${region.name}/${blockName}`;
      const kept = composite?.blocks.get(key);
      if (kept && kept.block === block && [...kept.reads].every(([name, read]) => digests.of(name, read.members) === read.digest)) {
        this.hits++;
        // Shared from now on by every response that reuses it: frozen, so a change anywhere throws
        // instead of leaking into the next reconcile. Frozen on first reuse, not when kept: most
        // results of a composite seen once are never reused, and freezing costs a walk of each.
        if (!kept.frozen) for (const [, manifest] of kept.result.resources) deepFreeze(manifest);
        kept.frozen = true;
        return kept.result;
      }
      this.misses++;
      const rec = recording(env);
      const result = compute(rec);
      if (!rec.listed && this.maxBytes > 0) {
        composite ??= this.add(identity, inputs);
        const reads = new Map([...rec.reads].map(([name, members]) => [name, { members, digest: digests.of(name, members) }]));
        if (!this.keep(identity, composite, key, { block, reads, result })) composite = undefined;
      }
      return result;
    };
  }

  private add(identity: string, inputs: string): CompositeEntry {
    const composite: CompositeEntry = { inputs, blocks: new Map(), bytes: 0 };
    this.composites.set(identity, composite);
    return composite;
  }

  /** Keeps a block's result; false when the composite alone exceeds the bound and was dropped. */
  private keep(identity: string, composite: CompositeEntry, key: string, entry: Entry): boolean {
    const delta = entry.result.bytes - (composite.blocks.get(key)?.result.bytes ?? 0);
    composite.blocks.set(key, entry);
    composite.bytes += delta;
    this.bytes += delta;
    for (const [other, oldest] of this.composites) {
      if (this.bytes <= this.maxBytes) break;
      if (other !== identity) this.drop(other, oldest);
    }
    if (this.bytes <= this.maxBytes) return true;
    this.drop(identity, composite);
    return false;
  }

  private drop(identity: string, composite: CompositeEntry): void {
    this.composites.delete(identity);
    this.bytes -= composite.bytes;
  }
}
