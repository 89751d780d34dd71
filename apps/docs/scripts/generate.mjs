#!/usr/bin/env node
// Everything the site renders that is not hand-written: run before `vitepress build` and `dev`.
import { generateApi } from './generate-api.mjs';
import { generateCli } from './generate-cli.mjs';
import { generateOperations } from './generate-operations.mjs';
import { generateSdk } from './generate-sdk.mjs';

const started = performance.now();
const results = await Promise.all([generateApi(), generateOperations(), generateSdk(), generateCli()]);
console.log(results.join('\n'));
console.log(`generated in ${Math.round(performance.now() - started)} ms`);
