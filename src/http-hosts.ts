import { BlockList, isIPv6, type AddressInfo } from 'node:net';

/** DNS rebinding protection: which Host (and Origin) names the HTTP server accepts. */

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];

const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

/**
 * A host as a URL spells it, with any port dropped: an IP address in its one form
 * (127.1, 2130706433 and 0x7f.1 are all 127.0.0.1; ::1 is [::1]), a name in lower case.
 * '' for what is no host (a Host header with a path or user in it, say).
 */
export function canonicalHost(host: string): string {
  if (/[@/\\?#\s]/.test(host)) return '';
  try {
    return new URL(`http://${isIPv6(host) ? `[${host}]` : host}`).hostname;
  } catch {
    return '';
  }
}

/**
 * The Host names accepted: loopback's, the name the server was started with, the address
 * it actually listens on, and those listed. Undefined when Host is not checked: bound
 * beyond loopback with none listed, the names clients will use are unknown. The address
 * decides, not its spelling: `127.1` or `2130706433` listen on loopback as `127.0.0.1` does.
 */
export function acceptedHosts(bound: AddressInfo, given: string, listed: string[] = []): Set<string> | undefined {
  const onLoopback = loopback.check(bound.address, bound.family === 'IPv6' ? 'ipv6' : 'ipv4');
  if (!onLoopback && listed.length === 0) return undefined;
  return new Set([...LOOPBACK_NAMES, given, bound.address, ...listed].map(canonicalHost).filter(Boolean));
}
