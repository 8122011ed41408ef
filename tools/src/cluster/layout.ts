// A cluster's layout: which matchmakers serve which pools (shards of a primary and a backup),
// the issuers, and the proxy in front. The shard map of the shared config and the HAProxy
// config are both derived from it, so they cannot disagree.
import { poolKeysOf, type SharedConfig } from '@ticketbooth/config';
import { z } from 'zod';

const address = z.string().regex(/^[A-Za-z0-9.-]+:\d{1,5}$/, 'expected host:port');
const name = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, 'expected a lower-case name');

export const clusterLayoutSchema = z.strictObject({
  /** Where HAProxy listens: the one URL game clients are given. */
  listen: address,
  /** The URL clients reach the proxy at, when not http://<listen>. */
  publicUrl: z.url({ protocol: /^https?$/ }).optional(),
  issuers: z.array(address).min(1).max(64),
  shards: z
    .record(
      name,
      z.strictObject({
        /** Pool keys: "mode/region", or "mode" for a mode with a latency rule. */
        pools: z.array(z.string().min(1)).min(1),
        primary: address,
        /** Takes the shard's traffic while the primary is down; rebuilds the pools from resubmissions. */
        backup: address.optional(),
      }),
    )
    .refine((s) => Object.keys(s).length > 0, 'at least one shard'),
  health: z
    .strictObject({
      intervalMs: z.number().int().min(100).max(60_000).default(1_000),
      fall: z.number().int().min(1).max(10).default(2),
      rise: z.number().int().min(1).max(10).default(2),
    })
    .prefault({}),
});
export type ClusterLayout = z.infer<typeof clusterLayoutSchema>;

/** The URL prefix a shard is reached at through the proxy: the matchmaker URL of its pools. */
export function shardUrl(layout: ClusterLayout, shard: string): string {
  return `${(layout.publicUrl ?? `http://${layout.listen}`).replace(/\/+$/, '')}/shards/${shard}`;
}

/**
 * The shared config's `matchmakers` section for this layout: every pool mapped to its shard's URL
 * at the proxy. Throws when the layout leaves a configured pool unserved, names one twice, or
 * names one the config does not have.
 */
export function shardMap(layout: ClusterLayout, shared: Pick<SharedConfig, 'modes' | 'regions'>): { default: string; pools: Record<string, string> } {
  const configured = poolKeysOf(shared);
  const pools: Record<string, string> = {};
  for (const [shard, { pools: keys }] of Object.entries(layout.shards)) {
    for (const key of keys) {
      if (!configured.includes(key)) throw new Error(`shard ${shard}: ${key} is not a pool of the config (${configured.join(', ')})`);
      if (Object.hasOwn(pools, key)) throw new Error(`shard ${shard}: ${key} is already served by another shard`);
      pools[key] = shardUrl(layout, shard);
    }
  }
  const missing = configured.filter((key) => !Object.hasOwn(pools, key));
  if (missing.length > 0) throw new Error(`no shard serves ${missing.join(', ')}`);
  return { default: shardUrl(layout, Object.keys(layout.shards)[0]!), pools };
}
