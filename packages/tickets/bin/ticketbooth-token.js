#!/usr/bin/env node
// Runs the TypeScript CLI through tsx, so operators need no build step.
import process from 'node:process';
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../src/cli.ts');
const io = { stdout: (text) => process.stdout.write(text), stderr: (text) => process.stderr.write(text) };
process.exitCode = runCli(process.argv.slice(2), io, Date.now);
