// `pnpm haproxy-config LAYOUT.json`: the HAProxy config for a cluster layout, on stdout.
import { readFileSync } from 'node:fs';
import { haproxyConfig } from './haproxy.ts';
import { clusterLayoutSchema } from './layout.ts';

const file = process.argv.slice(2).find((a) => a !== '--');
if (file === undefined) {
  console.error('usage: pnpm --filter @ticketbooth/tools haproxy-config LAYOUT.json   (the layout schema: tools/src/cluster/layout.ts)');
  process.exit(2);
}
process.stdout.write(haproxyConfig(clusterLayoutSchema.parse(JSON.parse(readFileSync(file, 'utf8')))));
