// HAProxy's runtime view of a cluster, from its stats socket: which server of a backend serves.
import { connect } from 'node:net';

/** One command on HAProxy's stats socket, its whole answer. */
export function askHaproxy(socket: string, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let answer = '';
    const client = connect(socket, () => client.end(`${command}\n`));
    client.setEncoding('utf8');
    client.setTimeout(2_000, () => client.destroy(new Error(`haproxy stats socket: no answer to ${command}`)));
    client.on('data', (chunk: string) => (answer += chunk));
    client.on('end', () => resolve(answer));
    client.on('error', reject);
  });
}

/** `show servers state`: a version line, a `# name ...` header, then one line per server. */
export function parseServersState(text: string): Record<string, boolean> {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const header = lines.find((l) => l.startsWith('# '))?.slice(2).split(' ');
  const name = header?.indexOf('srv_name') ?? -1;
  const state = header?.indexOf('srv_op_state') ?? -1;
  if (name === -1 || state === -1) throw new Error(`unexpected answer from haproxy: ${text.slice(0, 200)}`);
  const servers: Record<string, boolean> = {};
  // srv_op_state 2 is running; 0 stopped, 1 starting, 3 stopping.
  for (const fields of lines.filter((l) => !l.startsWith('#') && l.includes(' ')).map((l) => l.split(' '))) servers[fields[name]!] = fields[state] === '2';
  return servers;
}
