#!/usr/bin/env node
import { writeSync } from 'node:fs';
import { packageVersion } from './version.js';

// `testmax --help | head -1` closes the pipe early: that is the reader's choice, not an error
// worth a message, so stop quietly, as other Unix tools do. Any other failure to write (a full
// disk, `> /dev/full`) means the output is lost: say so in one line, never with a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    try {
      // Straight to the descriptor: the stream that failed may be stderr itself.
      writeSync(2, `testmax: cannot write output (${error.code ?? 'unknown error'})\n`);
    } catch {
      // Nowhere left to say it; the exit code still tells.
    }
    process.exit(1);
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
