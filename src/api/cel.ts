/**
 * CEL building blocks for the XRD's cross-field rules.
 *
 * Kubernetes 1.30 has no CIDR library in CEL (it arrived in 1.31), so IPv4 arithmetic is spelled
 * out with the `strings` extension that every supported API server has.
 */

const POWERS_OF_TWO = `[${Array.from({ length: 33 }, (_, i) => 2 ** i).join(", ")}]`;

/** The CIDR's network address as an integer. */
function address(cidr: string): string {
  const octet = (i: number) => `int(${cidr}.split('/')[0].split('.')[${i}])`;
  return `(${octet(0)} * 16777216 + ${octet(1)} * 65536 + ${octet(2)} * 256 + ${octet(3)})`;
}

function prefixLength(cidr: string): string {
  return `int(${cidr}.split('/')[1])`;
}

/** True when no host bit is set: `10.0.0.0/16` passes, `10.0.3.0/16` does not. */
export function cidrIsNetworkAddress(cidr: string): string {
  return `${address(cidr)} % ${POWERS_OF_TWO}[32 - ${prefixLength(cidr)}] == 0`;
}

/** True when the two ranges share no address: they overlap iff they agree on the shorter prefix. */
export function cidrsDisjoint(a: string, b: string): string {
  const shorter = `(${prefixLength(a)} < ${prefixLength(b)} ? ${prefixLength(a)} : ${prefixLength(b)})`;
  const block = `${POWERS_OF_TWO}[32 - ${shorter}]`;
  return `${address(a)} / ${block} != ${address(b)} / ${block}`;
}
