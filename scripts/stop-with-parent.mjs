// Preloaded (`node --import`) by the root scripts `pnpm testmax` and `pnpm testmax-mock`.
// pnpm does not pass a signal on to the script it runs: `pnpm -s testmax-mock --port 4010 &`
// then `kill $!` would stop pnpm alone and leave the simulator holding the port. The scripts
// `exec` node, so pnpm is this process's parent; once the parent is gone (the process has been
// re-parented), stop as if the signal had come here: SIGTERM, which the simulator answers by
// closing its server.
const parent = process.ppid;
const CHECK_EVERY_MS = 200;
const watch = setInterval(() => {
  if (process.ppid === parent) return;
  clearInterval(watch);
  process.kill(process.pid, 'SIGTERM');
}, CHECK_EVERY_MS);
// Never what keeps the process alive: a CLI command still exits when it is done.
watch.unref();
