// Preloaded into every Node process of a matrix run (NODE_OPTIONS=--import=…): a process that is
// not on the Node the run is for stops at once, so a run can never pass on the wrong runtime.
const want = process.env.TESTMAX_EXPECT_NODE_MAJOR;
if (want && process.versions.node.split('.')[0] !== want) {
  process.stderr.write(`expected Node ${want}, but ${process.execPath} is ${process.version}\n`);
  process.exit(70);
}
