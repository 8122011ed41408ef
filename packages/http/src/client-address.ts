// Who a request came from, behind a known number of proxies: each trusted proxy appends the
// address it saw to X-Forwarded-For, so only the entries those proxies wrote can be believed.
import { isIP } from 'node:net';

/**
 * The client's address: with `trustedHops` 0, the socket peer, whatever the headers say. With N,
 * the Nth entry from the right of the forwarding header: the one the outermost trusted proxy
 * appended (entries left of it are the client's own to forge). Fewer entries than N, or not an
 * IP address there: the request did not come through the proxies as configured, and the
 * socket peer is all that can be trusted.
 *
 * @example
 * clientAddress('10.0.0.2', '6.6.6.6, 203.0.113.7', 1) // '203.0.113.7' (6.6.6.6 is forged)
 */
export function clientAddress(socketAddress: string, forwarded: string | undefined, trustedHops: number): string {
  if (trustedHops <= 0 || forwarded === undefined) return socketAddress;
  const entries = forwarded.split(',');
  if (entries.length < trustedHops) return socketAddress;
  const entry = entries[entries.length - trustedHops]!.trim();
  return isIP(entry) === 0 ? socketAddress : entry;
}
