/**
 * The building blocks each region of an environment is composed of. The order is the order
 * resources appear in the desired state; names, not order, identify them.
 */
import type { Block } from "../block.js";
import type { Environment, RegionContext } from "../environment.js";
import { network } from "./network.js";
import { database } from "./database.js";
import { storage } from "./storage.js";
import { compute } from "./compute.js";
import { api } from "./api.js";
import { events } from "./events.js";
import { monitoring } from "./monitoring.js";
import { dns } from "./dns.js";

export const REGIONAL_BLOCKS: Record<string, Block> = {
  network,
  database,
  storage,
  compute,
  api,
  events,
  monitoring,
};

/** DNS failover exists only where there is a second region to fail over to. */
export function blocksFor(env: Environment, _region: RegionContext): Record<string, Block> {
  return env.secondary ? { ...REGIONAL_BLOCKS, dns } : REGIONAL_BLOCKS;
}
