export { REPO_ROOT, builtFile, freePort, startService, type ServiceName, type ServiceOptions, type ServiceProcess } from './processes.ts';
export { seededRandom } from './simulate/population.ts';
export { startShardedCluster, splitPools, type ClusterMatchmaker, type ClusterOptions as ShardedClusterOptions, type RunningCluster } from './cluster/run.ts';
export { dropDatabase, ensureDatabase } from './cluster/database.ts';
export { haproxyVersion } from './cluster/haproxy.ts';
export { askHaproxy, parseServersState } from './cluster/haproxy-state.ts';
export { startAllocator, type AllocatedServer, type AllocatorOptions, type RunningAllocator } from './allocator.ts';
