import { describe, expect, it } from 'vitest';
import { parseServersState } from './haproxy-state.ts';

// HAProxy 2.6's answer right after a cluster started: the primary not yet marked up, the backup serving.
const ANSWER =
  '1\n# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port\n' +
  '4 shard_a 1 primary 127.0.0.1 0 0 1 1 0 8 2 0 6 0 0 0 - 38413 - 0 0 - - 0\n' +
  '4 shard_a 2 backup 127.0.0.1 2 0 1 1 0 1 0 2 6 0 0 0 - 38267 - 0 0 - - 0\n\n';

describe('parseServersState', () => {
  it('reads which servers of a backend are running, by the header’s column names', () => {
    expect(parseServersState(ANSWER)).toEqual({ primary: false, backup: true });
  });

  it('refuses an answer without the header (an error, or an unknown backend)', () => {
    expect(() => parseServersState("Can't find backend.\n")).toThrow(/unexpected answer/);
  });
});
