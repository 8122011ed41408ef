// The client address the login limits count against: the socket's peer, or the entry the trusted
// proxies vouch for. Which entry is @ticketbooth/http's clientAddress, as for the matchmaker.
import type { Context } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import { clientAddress as addressBehindProxies } from '@ticketbooth/http';

export interface ClientAddressOptions {
  /** Proxies in front that each append the address they saw to `header`; 0 reads no header. */
  readonly trustedProxyHops: number;
  /** Lower-case header name, e.g. `x-forwarded-for`. */
  readonly header: string;
}

const IPV4_MAPPED = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/;

/**
 * One spelling per address (lower case, IPv4-mapped IPv6 as plain IPv4), so a client seen on a
 * dual-stack socket and in a proxy's header fills one bucket, not two.
 */
export function normalizeAddress(address: string): string {
  const lower = address.toLowerCase();
  return IPV4_MAPPED.exec(lower)?.[1] ?? lower;
}

function socketAddressOf(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    // No socket behind this request (in-process app.request): all such callers share one bucket.
    return 'unknown';
  }
}

/**
 * `clientAddress(c)` for the routes. With N hops, the Nth entry from the right of the header:
 * each trusted proxy appended one, so that entry is what the outermost proxy saw, and anything
 * left of it is the client's to forge. Fewer than N entries means the request did not pass every
 * trusted proxy, so not even the leftmost entry is known to be a proxy's: the socket peer is used,
 * and all such requests share its one bucket (failing closed). An entry that is not an IP
 * address gives the socket peer too.
 *
 * @example
 * clientAddressResolver({ trustedProxyHops: 1, header: 'x-forwarded-for' })
 * // 'X-Forwarded-For: 1.2.3.4, 198.51.100.7' -> '198.51.100.7' (1.2.3.4 was the client's word)
 */
export function clientAddressResolver(options: ClientAddressOptions): (c: Context) => string {
  const { trustedProxyHops, header } = options;
  return function clientAddress(c) {
    // Repeated header lines arrive joined with ", ", in order: the same list as one line.
    const forwarded = trustedProxyHops === 0 ? undefined : c.req.header(header);
    return normalizeAddress(addressBehindProxies(socketAddressOf(c), forwarded, trustedProxyHops));
  };
}
