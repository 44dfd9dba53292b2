/** Command-line options and printing shared by the benches. */

/** `--name 20` as a number (or the fallback), or `--name` alone as a flag. */
export function arg(name: string, fallback: number): number;
export function arg(name: string): boolean;
export function arg(name: string, fallback?: number): number | boolean {
  const i = process.argv.indexOf(`--${name}`);
  if (fallback === undefined) return i !== -1;
  return i !== -1 && process.argv[i + 1] ? Number(process.argv[i + 1]) : fallback;
}

export const out = (line = '') => process.stdout.write(`${line}\n`);
export const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
export const fmt = (n: number) => n.toLocaleString('en-US');
