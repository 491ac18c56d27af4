/** Test helper: runs the CLI in process and captures what it writes. */
import { runCli } from "../src/index.js";

/**
 * Runs `rashpa <argv…>` in process.
 *
 * @param argv - the arguments after `rashpa`
 * @param stdin - what standard input holds
 * @returns exit status, standard output and standard error
 */
export async function run(
  argv: readonly string[],
  stdin = "",
): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await runCli(argv, {
    stdout: (t) => (out += t),
    stderr: (t) => (err += t),
    stdin: () => Promise.resolve(stdin),
  });
  return { code, out, err };
}
