// Services the simulator starts itself: a fresh dev state in a temp dir, loopback, free ports.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startService, type ServiceProcess } from '../processes.ts';

export const CLIENT_ADDRESS_HEADER = 'x-forwarded-for';

export interface OwnServices {
  readonly issuerUrl: string;
  readonly adminToken: string;
  matchmaker(): ServiceProcess;
  /** SIGKILL the matchmaker and start it again on the same port; resolves once it listens. */
  crashMatchmaker(): Promise<void>;
  stop(): Promise<void>;
}


export async function startOwnServices(options: { resubmitMs: number; log: (line: string) => void }): Promise<OwnServices> {
  const home = mkdtempSync(join(tmpdir(), 'ticketbooth-sim-'));
  const adminToken = randomBytes(24).toString('base64url');
  const matchmakerPort = await freePort();
  const common = {
    TICKETBOOTH_HOME: home,
    ADMIN_TOKEN: adminToken,
    RESUBMIT_INTERVAL_MS: String(options.resubmitMs),
    // Simulated players each present their own address, as they would behind a proxy.
    ISSUER_CLIENT_ADDRESS_HEADER: CLIENT_ADDRESS_HEADER,
  };
  const issuer = await startService('issuer', {
    port: 0,
    env: { ...common, MATCHMAKER_URL: `http://127.0.0.1:${matchmakerPort}` },
    onLine: (line) => options.log(`[issuer] ${line}`),
  });
  const matchmakerEnv = {
    ...common,
    ISSUER_URL: issuer.url,
    // The matchmaker's own warm-up (1.2 intervals + 1 s): what a restart in production gets.
    MATCHMAKER_URL: `http://127.0.0.1:${matchmakerPort}`,
  };
  const startMatchmaker = () =>
    startService('matchmaker', { port: matchmakerPort, env: matchmakerEnv, onLine: (line) => options.log(`[matchmaker] ${line}`) });
  let matchmaker = await startMatchmaker();
  return {
    issuerUrl: issuer.url,
    adminToken,
    matchmaker: () => matchmaker,
    async crashMatchmaker() {
      await matchmaker.kill();
      matchmaker = await startMatchmaker();
    },
    async stop() {
      await Promise.all([matchmaker.stop(), issuer.stop()]);
      rmSync(home, { recursive: true, force: true });
    },
  };
}
