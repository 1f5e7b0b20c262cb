// Small IPv4 CIDR helpers for validating and deriving subnet plans at synth time (no lookups, no tokens).

export interface Ipv4Cidr {
  readonly network: number;
  readonly prefix: number;
}

/** Parses `a.b.c.d/n`; undefined when it is not a plain IPv4 CIDR whose host bits are zero. */
export function parseCidr(cidr: string): Ipv4Cidr | undefined {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  if (!match) return undefined;
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  const network = octets.reduce((acc, o) => acc * 256 + o, 0);
  const size = 2 ** (32 - prefix);
  if (network % size !== 0) return undefined;
  return { network, prefix };
}

/** True when `inner` lies entirely inside `outer`. */
export function cidrContains(outer: Ipv4Cidr, inner: Ipv4Cidr): boolean {
  if (inner.prefix < outer.prefix) return false;
  const size = 2 ** (32 - outer.prefix);
  return inner.network >= outer.network && inner.network < outer.network + size;
}

/** True when the two ranges share any address. */
export function cidrOverlaps(a: Ipv4Cidr, b: Ipv4Cidr): boolean {
  return cidrContains(a, b) || cidrContains(b, a);
}

/** The /24 with third octet `third` inside a /16, e.g. (`10.0.0.0/16`, 10) → `10.0.10.0/24`. */
export function slash24In(slash16: string, third: number): string {
  const [a, b] = slash16.split('.');
  return `${a}.${b}.${third}.0/24`;
}
