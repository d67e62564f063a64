/**
 * The outbound destination policy (PRODUCT.md "Outbound requests", issue #9): result callbacks
 * and the webhook dialer reach only global unicast addresses. Private (RFC 1918, unique-local),
 * loopback, link-local, carrier-grade NAT, multicast, reserved, unspecified and every other
 * special-purpose range of ipaddr.js is refused, unless an operator lists it in
 * `CAMPAIGND_OUTBOUND_ALLOW`. IPv4-mapped IPv6 addresses (`::ffff:127.0.0.1`) are judged as
 * the IPv4 address they carry.
 *
 * Pure rules (no I/O): the engine's HTTP client applies `addressAllowed` to every address a
 * host name resolves to, on every connection; campaign add/modify applies `urlRefusal` to the
 * literal URL (a name is judged again when it is resolved).
 */
import ipaddr from 'ipaddr.js';

/** One parsed `CAMPAIGND_OUTBOUND_ALLOW` entry (a CIDR range; a bare address is a /32 or /128). */
export type AllowRange = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** The policy: the ranges an operator allowed on top of global unicast. */
export interface OutboundPolicy {
  allow: readonly AllowRange[];
}

/**
 * Parses one allow-list entry: `10.0.0.0/8`, `127.0.0.1`, `::1`, `fd00::/8`. Throws an Error
 * naming the entry when it is neither an address nor a CIDR range.
 *
 * @example parseAllowEntry('127.0.0.0/8') // [IPv4 127.0.0.0, 8]
 */
export function parseAllowEntry(entry: string): AllowRange {
  const s = entry.trim();
  try {
    if (s.includes('/')) return ipaddr.parseCIDR(s);
    const a = ipaddr.parse(s);
    return [a, a.kind() === 'ipv4' ? 32 : 128];
  } catch {
    throw new Error(`"${entry}" is not an IP address or CIDR range`);
  }
}

/** The address a connection really goes to: IPv4-mapped IPv6 is taken as its IPv4 address. */
function effective(addr: ipaddr.IPv4 | ipaddr.IPv6): ipaddr.IPv4 | ipaddr.IPv6 {
  return addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress() ? (addr as ipaddr.IPv6).toIPv4Address() : addr;
}

/**
 * Null when `address` (a literal IPv4/IPv6 address, IPv6 with or without brackets) may be
 * connected to, else the reason it is refused (`loopback`, `private`, `linkLocal`, … — the
 * ipaddr.js range name — or `not an IP address`).
 *
 * @example addressRefusal('10.1.2.3', { allow: [] }) // 'private'
 * @example addressRefusal('10.1.2.3', { allow: [parseAllowEntry('10.0.0.0/8')] }) // null
 */
export function addressRefusal(address: string, policy: OutboundPolicy): string | null {
  const raw = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  // A zone index (`fe80::1%eth0`) names an interface: always link-local.
  if (raw.includes('%')) return 'linkLocal';
  if (!ipaddr.isValid(raw)) return 'not an IP address';
  const addr = effective(ipaddr.parse(raw));
  for (const [range, bits] of policy.allow) {
    if (range.kind() === addr.kind() && addr.match(range, bits)) return null;
    // An allowed IPv4 range also covers its IPv4-mapped IPv6 form, handled by effective().
  }
  const kind = addr.range();
  return kind === 'unicast' ? null : kind;
}

/** True when `address` may be connected to (see `addressRefusal`). */
export function addressAllowed(address: string, policy: OutboundPolicy): boolean {
  return addressRefusal(address, policy) === null;
}

/** Host names that always mean this machine, whatever DNS says. */
const LOCAL_NAMES = /^(localhost|localhost\.localdomain|ip6-localhost|ip6-loopback)\.?$|\.localhost\.?$/i;

/**
 * Null when an http(s) URL may be used as a destination as far as can be told without DNS,
 * else a reason for the caller's `resultDesc`. A literal address is judged by
 * `addressRefusal`; `localhost` names count as loopback; other names pass here and are judged
 * after resolution, on every connection.
 *
 * @example urlRefusal('http://127.0.0.1:9/cb', { allow: [] }) // 'destination 127.0.0.1 is a loopback address …'
 */
export function urlRefusal(url: string, policy: OutboundPolicy): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'is not a valid URL';
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return 'must be an http or https URL';
  if (u.username !== '' || u.password !== '') return 'must not carry a user name or password';
  return hostRefusal(u.hostname, policy);
}

/**
 * Null when a host (name or literal address) may be a destination as far as can be told without
 * DNS, else the reason: a literal address is judged by `addressRefusal`, `localhost` names count
 * as loopback, other names pass here and are judged after resolution. Used for URLs and for the
 * SFTP file servers' `serverInfo.ip`.
 *
 * @example hostRefusal('169.254.169.254', { allow: [] }) // 'destination 169.254.169.254 is a linkLocal address …'
 */
export function hostRefusal(host: string, policy: OutboundPolicy): string | null {
  if (LOCAL_NAMES.test(host)) {
    return addressRefusal('127.0.0.1', policy) === null ? null : `destination ${host} is a loopback address; refused unless CAMPAIGND_OUTBOUND_ALLOW lists it`;
  }
  const bare = host.startsWith('[') ? host.slice(1, -1) : host;
  if (!ipaddr.isValid(bare)) return null;
  const why = addressRefusal(bare, policy);
  return why === null ? null : `destination ${bare} is a ${why} address; refused unless CAMPAIGND_OUTBOUND_ALLOW lists it`;
}
