/**
 * The building blocks each region of an environment is composed of. The order is the order
 * resources appear in the desired state; names, not order, identify them.
 */
import type { Block } from "../block.js";
import type { Environment, RegionContext } from "../environment.js";
import { network } from "./network.js";
import { database } from "./database.js";
import { backup } from "./backup.js";
import { storage } from "./storage.js";
import { compute } from "./compute.js";
import { api } from "./api.js";
import { events } from "./events.js";
import { monitoring } from "./monitoring.js";
import { dns } from "./dns.js";

export const REGIONAL_BLOCKS: Record<string, Block> = {
  network,
  database,
  backup,
  storage,
  compute,
  api,
  events,
  monitoring,
};

/** A backup-restore environment's backup region holds only the copies of its recovery points. */
const BACKUP_ONLY_BLOCKS: Record<string, Block> = { backup };

/** DNS failover exists only where there is a second region to fail over to. */
export function blocksFor(env: Environment, region: RegionContext): Record<string, Block> {
  if (region === env.backupOnlyRegion) return BACKUP_ONLY_BLOCKS;
  return env.secondary ? { ...REGIONAL_BLOCKS, dns } : REGIONAL_BLOCKS;
}
