#!/usr/bin/env node
// Everything the site renders that is not hand-written: run before `vitepress build` and `dev`.
import { generateApi } from './generate-api.mjs';
import { generateCli } from './generate-cli.mjs';
import { generateSdk } from './generate-sdk.mjs';

const started = performance.now();
const [api, sdk, cli] = await Promise.all([generateApi(), generateSdk(), generateCli()]);
console.log([api, sdk, cli].join('\n'));
console.log(`generated in ${Math.round(performance.now() - started)} ms`);
