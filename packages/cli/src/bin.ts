#!/usr/bin/env node
import { packageVersion } from './version.js';

// `testmax --help | head -1` closes the pipe early: that is the reader's choice, not an error
// worth a stack trace. Stop quietly, as other Unix tools do.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

const args = process.argv.slice(2);
// Scripts call `testmax --version` to probe for the tool: answer it without loading the parser
// and the commands, which is most of the start-up time. The output is the one commander prints.
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  process.stdout.write(`${packageVersion()}\n`);
} else {
  const { main } = await import('./main.js');
  const code = await main(process.argv);
  process.exitCode = code;
  // Nothing should hold the event loop once a command is done, but if a socket or timer does,
  // exit anyway rather than hang a shell script; unref'd, so a clean run exits at once.
  setTimeout(() => process.exit(code), 2000).unref();
}
