#!/usr/bin/env node
import { main } from './main.js';

const code = await main(process.argv);
process.exitCode = code;
// Nothing should hold the event loop once a command is done, but if a socket or timer does,
// exit anyway rather than hang a shell script; unref'd, so a clean run exits at once.
setTimeout(() => process.exit(code), 2000).unref();
