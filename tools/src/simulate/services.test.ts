import { describe, expect, it } from 'vitest';
import { DEMO_CONFIG } from '@ticketbooth/config';
import { simulationConfig } from './services.ts';

describe('simulationConfig', () => {
  it('is the demo config by default, with an accept step in every mode when asked', () => {
    expect(simulationConfig(undefined)).toEqual(DEMO_CONFIG);
    const accepting = simulationConfig(5_000);
    expect(Object.values(accepting.modes).map((m) => (m as { accept?: unknown }).accept)).toEqual([{ timeoutMs: 5_000 }, { timeoutMs: 5_000 }]);
    expect(accepting.regions).toEqual(DEMO_CONFIG.regions);
  });

  it('keeps a config file\'s rules and drops its shard map\'s pools: one matchmaker serves every pool here', () => {
    const file = {
      regions: ['eu', 'na'],
      attributes: { build: { values: ['1.0', '1.1'] } },
      modes: { siege: { teams: 2, teamSize: { min: 3, max: 5 }, latency: { maxMs: 80, widenToMs: 200, widenAfterMs: 40_000 } } },
      matchmakers: { default: 'http://127.0.0.1:8701', pools: { siege: 'http://10.0.0.9:8701' } },
    };
    expect(simulationConfig(undefined, file)).toEqual({ ...file, matchmakers: { default: 'http://127.0.0.1:8701', pools: {} } });
    expect(simulationConfig(2_000, file).modes).toEqual({ siege: { ...file.modes.siege, accept: { timeoutMs: 2_000 } } });
  });
});
