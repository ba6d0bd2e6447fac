/**
 * Availability zones per region. Most regions name their zones a, b, c; the exceptions below
 * are from the AWS documentation's zone lists (e.g. ap-northeast-1 has no zone `b`, us-west-1
 * offers two zones to new accounts).
 */
const ZONE_LETTERS_EXCEPTIONS: Record<string, readonly string[]> = {
  "ap-northeast-1": ["a", "c", "d"],
  "us-west-1": ["a", "c"],
  "ca-central-1": ["a", "b", "d"],
};

const zoneLettersOf = (region: string): readonly string[] => ZONE_LETTERS_EXCEPTIONS[region] ?? ["a", "b", "c"];

/** How many availability zones an environment can use in `region`. */
export function zonesOffered(region: string): number {
  return zoneLettersOf(region).length;
}

export function availabilityZones(region: string, count: number): string[] {
  const letters = zoneLettersOf(region);
  if (count > letters.length) {
    throw new Error(`spec.network.availabilityZones: ${region} offers ${letters.length} zones, ${count} requested`);
  }
  return letters.slice(0, count).map((letter) => `${region}${letter}`);
}

/**
 * Splits a VPC range into `count` equal subnets: the smallest power of two that holds `count`
 * decides how many bits are borrowed. Index i always gets the same range, so adding a zone
 * never renumbers an existing subnet.
 */
export function subnetCidrs(vpcCidr: string, count: number, bits = 3): string[] {
  if (count > 2 ** bits) throw new Error(`cannot carve ${count} subnets from ${vpcCidr} with ${bits} bits`);
  const [address, prefix] = vpcCidr.split("/");
  const base = address.split(".").reduce((acc, octet) => acc * 256 + Number(octet), 0);
  const newPrefix = Number(prefix) + bits;
  const size = 2 ** (32 - newPrefix);
  return Array.from({ length: count }, (_, i) => {
    const n = base + i * size;
    const octets = [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256);
    return `${octets.join(".")}/${newPrefix}`;
  });
}
