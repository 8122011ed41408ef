export * from './config.ts';
export * from './env.ts';
