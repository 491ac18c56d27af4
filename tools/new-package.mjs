// Writes the standard package.json / tsconfig / vitest config for a workspace package.
// Usage: node tools/new-package.mjs <dir> "<description>" [--private]
// A published package also gets a copy of the root LICENSE and ships its CHANGELOG.md (written
// by `changeset version`); packages/release-check checks both in the packed tarball.
import { copyFileSync, writeFileSync, mkdirSync, existsSync } from "node:fs";
import { join } from "node:path";
const [dir, description, flag] = process.argv.slice(2);
if (!dir || !description) throw new Error("usage: new-package <dir> <description> [--private]");
const root = join("packages", dir);
mkdirSync(join(root, "src"), { recursive: true });
const isPrivate = flag === "--private";
const pkg = {
  name: `@rashpa/${dir}`,
  version: "0.1.0",
  description,
  license: "MIT",
  ...(isPrivate ? { private: true } : {}),
  type: "module",
  sideEffects: false,
  exports: {
    ".": {
      types: "./dist/index.d.ts",
      "@rashpa/source": "./src/index.ts",
      default: "./dist/index.js",
    },
    "./package.json": "./package.json",
  },
  files: ["dist", "src", "!src/**/*.test.ts", "!src/**/*.test-helpers.ts", ...(isPrivate ? [] : ["CHANGELOG.md"])],
  engines: { node: ">=20.19" },
  scripts: {
    build: "tsc -p tsconfig.build.json",
    typecheck: "tsc -p tsconfig.json --noEmit",
    test: "vitest run",
    lint: "eslint . && prettier --check . --ignore-path ../../.prettierignore",
  },
  repository: { type: "git", url: "git+https://github.com/rashpa/rashpa.git", directory: root },
};
if (!existsSync(join(root, "package.json")))
  writeFileSync(join(root, "package.json"), JSON.stringify(pkg, null, 2) + "\n");
writeFileSync(
  join(root, "tsconfig.json"),
  JSON.stringify({ extends: "../../tsconfig.base.json", include: ["src", "test", "*.ts"] }, null, 2) + "\n",
);
writeFileSync(
  join(root, "tsconfig.build.json"),
  JSON.stringify(
    {
      extends: "../../tsconfig.base.json",
      compilerOptions: { rootDir: "src", outDir: "dist", noEmit: false },
      include: ["src"],
      exclude: ["src/**/*.test.ts", "src/**/*.test-helpers.ts"],
    },
    null,
    2,
  ) + "\n",
);
if (!isPrivate) copyFileSync("LICENSE", join(root, "LICENSE"));
writeFileSync(join(root, "vitest.config.ts"), 'export { default } from "../../vitest.shared.js";\n');
