export { REPO_ROOT, startService, type ServiceName, type ServiceOptions, type ServiceProcess } from './processes.ts';
