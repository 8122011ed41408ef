export { REPO_ROOT, builtFile, freePort, startService, type ServiceName, type ServiceOptions, type ServiceProcess } from './processes.ts';
export { seededRandom } from './simulate/population.ts';
export { startAllocator, type AllocatedServer, type AllocatorOptions, type RunningAllocator } from './allocator.ts';
