#!/usr/bin/env node
/**
 * `npm run prepare`: npm runs it after `npm install` in a checkout and when the package is installed
 * from git, where no dist/ exists yet; it builds dist/ (JavaScript and types) so that the import and
 * the command line work. `npm pack` and `npm publish` run `prepack` (a full build) just before it, so
 * they skip a second build here.
 */
import { spawnSync } from 'node:child_process';

const command = process.env.npm_command;
if (command === 'pack' || command === 'publish') process.exit(0);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const { status, error } = spawnSync(npm, ['run', 'build'], { stdio: 'inherit', shell: process.platform === 'win32' });
if (error) throw error;
process.exit(status ?? 1);
