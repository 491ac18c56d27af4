#!/usr/bin/env node
/**
 * `rashpa-codegen [--check] [--root <dir>] [--package <name>]`: regenerates every output from
 * `specs/` (only the specs of one package with `--package`), or with `--check` fails (exit 1)
 * listing the files that differ from what generation produces.
 *
 * @module
 */
import { SpecError } from "@rashpa/spec";
import { driftedFiles, generateAll, writeGenerated } from "./generate.js";

function main(argv: readonly string[]): number {
  const check = argv.includes("--check");
  const rootAt = argv.indexOf("--root");
  const root = rootAt >= 0 ? (argv[rootAt + 1] ?? ".") : process.cwd();
  const pkgAt = argv.indexOf("--package");
  const only = pkgAt >= 0 ? argv[pkgAt + 1] : undefined;
  try {
    const all = generateAll(root);
    const specs = only === undefined ? all.specs : all.specs.filter((s) => s.package === only);
    const files =
      only === undefined
        ? all.files
        : all.files.filter((f) => f.path.startsWith(`packages/${only}/`));
    if (only !== undefined && files.length === 0) {
      process.stderr.write(`nothing is generated into package "${only}"\n`);
      return 1;
    }
    if (check) {
      const drift = driftedFiles(root, files);
      if (drift.length > 0) {
        process.stderr.write(
          `generated files are out of date (run npm run generate):\n${drift.map((d) => `  ${d}`).join("\n")}\n`,
        );
        return 1;
      }
      process.stdout.write(
        `${files.length} generated files from ${specs.length} specs are up to date\n`,
      );
      return 0;
    }
    writeGenerated(root, files);
    process.stdout.write(`generated ${files.length} files from ${specs.length} specs\n`);
    return 0;
  } catch (e) {
    if (e instanceof SpecError) {
      process.stderr.write(`${e.diagnostics.map((d) => d.message).join("\n")}\n`);
      return 1;
    }
    throw e;
  }
}

process.exitCode = main(process.argv.slice(2));
