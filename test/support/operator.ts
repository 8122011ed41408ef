// What an operator does to running services: the CLIs as real processes, the admin API, SIGHUP.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { REPO_ROOT, builtFile, type ServiceName } from '@ticketbooth/tools';
import type { Cluster } from './cluster.ts';

const run = promisify(execFile);

/** The service's built CLI (`pnpm --filter @ticketbooth/<service> cli <args>`), on the cluster's state directory. */
export async function runServiceCli(cluster: Cluster, service: ServiceName, args: readonly string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [builtFile(service, 'cli.js'), ...args], {
    cwd: `${REPO_ROOT}apps/${service}`,
    env: { ...process.env, TICKETBOOTH_HOME: cluster.home },
    timeout: 30_000,
  });
  return stdout;
}

/** Bans through the issuer's admin API; resolves when the issuer has committed it. */
export async function banPlayer(cluster: Cluster, userId: string, reason = 'cheating'): Promise<void> {
  const response = await fetch(`${cluster.issuer.url}/v1/admin/users/${userId}/ban`, {
    method: 'POST',
    headers: { authorization: `Bearer ${cluster.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ reason }),
  });
  if (!response.ok) throw new Error(`ban refused: ${response.status} ${await response.text()}`);
}

/** The kid in a PASETO footer, as the services name keys. */
export function kidOf(token: string): string {
  const footer = token.split('.')[3] ?? '';
  return (JSON.parse(Buffer.from(footer, 'base64url').toString('utf8')) as { kid: string }).kid;
}

export interface QueueCall {
  readonly status: number;
  readonly body: { status?: string; code?: string };
}

/** One submission, answered with status and body whatever they are. */
export async function submitTicket(matchmakerUrl: string, ticket: string): Promise<QueueCall> {
  const response = await fetch(`${matchmakerUrl}/v1/queue`, { method: 'POST', headers: { authorization: `Bearer ${ticket}` } });
  return { status: response.status, body: (await response.json()) as QueueCall['body'] };
}
