/** `2026-11-24 18:05:09 UTC`: the local time zone, spelled out so a reader never has to guess. */
export function formatLocalTime(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const zone =
    new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' })
      .formatToParts(date)
      .find((part) => part.type === 'timeZoneName')?.value ?? '';
  const text = `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
  return zone ? `${text} ${zone}` : text;
}

/** `in 23h 59m`, `in 42s`, `3m ago`. */
export function formatRelative(targetMs: number, nowMs: number): string {
  const delta = targetMs - nowMs;
  // Truncated, like a countdown: a token with 86 399.6 s left shows "23h 59m", not "1d 0h".
  const total = Math.floor(Math.abs(delta) / 1000);
  const d = Math.floor(total / 86_400);
  const h = Math.floor((total % 86_400) / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const parts =
    d > 0 ? [`${d}d`, `${h}h`] : h > 0 ? [`${h}h`, `${m}m`] : m > 0 ? [`${m}m`, `${s}s`] : [`${s}s`];
  const text = parts.join(' ');
  return delta >= 0 ? `in ${text}` : `${text} ago`;
}

/** A plain-text table with a header row, columns two spaces apart. */
export function formatTable(header: string[], rows: string[][], align: ('left' | 'right')[] = []): string {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]?.length ?? 0)));
  const render = (row: string[]) =>
    row
      .map((cell, i) => (align[i] === 'right' ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [render(header), ...rows.map(render)].join('\n');
}

/** Money as `50,000.00`. */
export function formatMoney(amount: number): string {
  return amount.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}
