#!/usr/bin/env node
// The built CLI (`pnpm build` writes dist/): operators run plain Node, no TypeScript loader.
import process from 'node:process';
import { runCli } from '../dist/cli.js';

const io = { stdout: (text) => process.stdout.write(text), stderr: (text) => process.stderr.write(text) };
process.exitCode = runCli(process.argv.slice(2), io, Date.now);
