// Where the generators read from and write to, in one place so the config and tests agree.
import { fileURLToPath } from 'node:url';

export const docsDir = fileURLToPath(new URL('..', import.meta.url));
export const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
export const specDir = `${repoRoot}spec/`;
export const publicDir = `${docsDir}public/`;
export const sdkOutDir = `${docsDir}reference/sdk/`;
export const cliPage = `${docsDir}reference/cli.md`;
/** JSON the VitePress config reads to build the SDK sidebar (written by generate-sdk.mjs). */
export const generatedDir = `${docsDir}.vitepress/generated/`;
export const repoUrl = 'https://github.com/testmax/testmax-sdk';
