/**
 * The building blocks each region of an environment is composed of. The order is the order
 * resources appear in the desired state; names, not order, identify them.
 */
import type { Block } from "../compose.js";
import type { Environment, RegionContext } from "../environment.js";
import { network } from "./network.js";
import { monitoring } from "./monitoring.js";

export const REGIONAL_BLOCKS: Record<string, Block> = {
  network,
  monitoring,
};

export function blocksFor(_env: Environment, _region: RegionContext): Record<string, Block> {
  return REGIONAL_BLOCKS;
}
