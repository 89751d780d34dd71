// Runs one benchmark in a fresh process (clean heap, --expose-gc) and reports over IPC.
const [file, exportName] = process.argv.slice(2);
const module = await import(new URL(`../${file}`, import.meta.url).href);
try {
  const result = await module[exportName]();
  process.send({ ok: true, result });
} catch (error) {
  process.send({ ok: false, error: String(error?.stack ?? error) });
}
process.disconnect();
