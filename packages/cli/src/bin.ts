#!/usr/bin/env node
import { main } from './main.js';

// `testmax --help | head -1` closes the pipe early: that is the reader's choice, not an error
// worth a stack trace. Stop quietly, as other Unix tools do.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

const code = await main(process.argv);
process.exitCode = code;
// Nothing should hold the event loop once a command is done, but if a socket or timer does,
// exit anyway rather than hang a shell script; unref'd, so a clean run exits at once.
setTimeout(() => process.exit(code), 2000).unref();
