/**
 * Command-line option walking shared by the commands: each option once, values taken from the
 * next argument, one-line errors (`CliError`).
 *
 * @module
 */
import { CliError } from "./cli.js";

/**
 * Walks `argv`: calls `handle(option, value)` for each argument, where `value()` takes the next
 * argument as the option's value.
 *
 * @param argv - the arguments after the command
 * @param handle - handles one argument; `value()` throws `"<option> needs a value"` when none follows
 * @throws CliError for an option given twice, or what `handle` throws
 */
export function walkOptions(
  argv: readonly string[],
  handle: (option: string, value: () => string) => void,
): void {
  const seen = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (seen.has(a)) throw new CliError(`option ${a} given twice`);
    seen.add(a);
    handle(a, () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith("--")) throw new CliError(`${a} needs a value`);
      return v;
    });
  }
}

/**
 * `--frames N`: an integer 1 … `max`.
 *
 * @throws CliError otherwise
 */
export function framesOption(v: string, max: number): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < 1 || n > max)
    throw new CliError(`--frames: expected an integer 1..${max}, got "${v}"`);
  return n;
}

/**
 * `--speed fast|wire`.
 *
 * @throws CliError otherwise
 */
export function speedOption(v: string): "fast" | "wire" {
  if (v !== "fast" && v !== "wire")
    throw new CliError(`--speed: expected fast or wire, got "${v}"`);
  return v;
}

/**
 * `HOST:PORT` (e.g. `127.0.0.1:7000`; port 0 lets the system choose when listening).
 *
 * @param option - the option's name, for the message
 * @param v - the value
 * @throws CliError otherwise
 */
export function hostPortOption(option: string, v: string): { host: string; port: number } {
  const m = /^(.+):(\d{1,5})$/.exec(v);
  const port = m === null ? NaN : Number(m[2]);
  if (m === null || port > 65535)
    throw new CliError(`${option}: expected HOST:PORT (port 0..65535), got "${v}"`);
  return { host: m[1]!, port };
}
