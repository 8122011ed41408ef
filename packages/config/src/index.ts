export * from './config.ts';
export * from './env.ts';
export * from './signing-keys.ts';
