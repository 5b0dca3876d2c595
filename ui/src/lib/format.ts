/**
 * Sizes a person reads, in binary units as free and df -h count them: "512 B", "1.5 KiB",
 * "23.5 GiB", "252 GiB" (a decimal only where it says something); "—" for no figure.
 */
export function formatBytes(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let i = 0;
  while (Math.abs(n) >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${n.toFixed(i && Math.abs(n) < 100 ? 1 : 0)} ${units[i]}`;
}
