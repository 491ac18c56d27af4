/**
 * `@rashpa/cli` installs and runs outside this repository: the package and its `@rashpa/*`
 * dependencies are packed with `npm pack`, the tarballs installed into a fresh project in a
 * temporary directory, and the `rashpa` bin run there (`npx @rashpa/cli …`), as a firmware CI
 * job would. Third-party dependencies come from the npm cache when it holds them.
 */
import { spawnSync } from "node:child_process";
import type { SpawnSyncReturns } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../../", import.meta.url));

/** The environment without the variables an enclosing `npm run` sets. */
const env = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith("npm_")),
);

function sh(cmd: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { cwd, env, encoding: "utf8", timeout: 240_000 });
}

/** `@rashpa/cli` and every `@rashpa/*` package it needs at run time, as directory names. */
function runtimePackages(): string[] {
  const byName = new Map<string, string>();
  for (const dir of readdirSync(join(root, "packages"))) {
    const file = join(root, "packages", dir, "package.json");
    if (existsSync(file))
      byName.set((JSON.parse(readFileSync(file, "utf8")) as { name: string }).name, dir);
  }
  const seen = new Set<string>();
  const visit = (name: string): void => {
    if (seen.has(name)) return;
    seen.add(name);
    const pkg = JSON.parse(
      readFileSync(join(root, "packages", byName.get(name)!, "package.json"), "utf8"),
    ) as {
      dependencies?: Record<string, string>;
    };
    for (const dep of Object.keys(pkg.dependencies ?? {}))
      if (dep.startsWith("@rashpa/")) visit(dep);
  };
  visit("@rashpa/cli");
  return [...seen].map((n) => byName.get(n)!);
}

const npmOk = sh("npm", ["--version"], root).status === 0;
const built = runtimePackages().every((d) =>
  existsSync(join(root, "packages", d, "dist", "index.js")),
);
const canPack = npmOk && built;
if (!canPack)
  console.warn(
    `[npm-pack] packing is impossible here (${npmOk ? "run npm run build first" : "npm is not available"}): the installed-package test is skipped`,
  );

describe.runIf(canPack)("npx @rashpa/cli from packed tarballs, outside the repository", () => {
  let dir: string;
  let project: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "rashpa-pack-"));
    const tarballs = join(dir, "tarballs");
    project = join(dir, "firmware-ci");
    mkdirSync(tarballs);
    mkdirSync(project);
    for (const d of runtimePackages()) {
      const r = sh(
        "npm",
        ["pack", "--silent", "--pack-destination", tarballs],
        join(root, "packages", d),
      );
      if (r.status !== 0) throw new Error(`npm pack failed in packages/${d}:\n${r.stderr}`);
    }
    writeFileSync(
      join(project, "package.json"),
      `${JSON.stringify({ name: "firmware-ci", private: true })}\n`,
    );
    const files = readdirSync(tarballs).map((f) => join(tarballs, f));
    const r = sh(
      "npm",
      ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error", ...files],
      project,
    );
    if (r.status !== 0) throw new Error(`npm install of the tarballs failed:\n${r.stderr}`);
  }, 300_000);
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("depends on published packages only (no workspace or file paths)", () => {
    const pkg = JSON.parse(
      readFileSync(join(project, "node_modules/@rashpa/cli/package.json"), "utf8"),
    ) as {
      bin: Record<string, string>;
      dependencies: Record<string, string>;
    };
    expect(pkg.bin).toEqual({ rashpa: "dist/bin.js" }); // as npm publish writes it
    for (const [name, range] of Object.entries(pkg.dependencies))
      expect(range, name).toMatch(/^\^?\d+\.\d+\.\d+$/);
    expect(existsSync(join(project, "node_modules/fast-check/package.json"))).toBe(true);
  });

  it("runs rashpa vectors through npx", () => {
    const r = sh(
      "npx",
      ["--no", "@rashpa/cli", "vectors", "rashpa.btd", "--count", "3", "--seed", "1"],
      project,
    );
    expect(r.stderr.replace(/^npm warn.*\n/gim, "")).toBe("");
    expect(r.status).toBe(0);
    const lines = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { variant: string });
    expect(lines.map((l) => l.variant)).toEqual(["dma", "roi", "inline"]);
  });

  it("runs rashpa conform through npx and fails the wrong decoder with status 2", () => {
    const wrong = join(root, "examples/conform-wrong/event-decoder.mjs");
    const r = sh(
      "npx",
      [
        "--no",
        "@rashpa/cli",
        "conform",
        "rashpa.event",
        "--cmd",
        `'${process.execPath}' '${wrong}'`,
        "--seed",
        "3",
      ],
      project,
    );
    expect(r.stdout).toContain('first difference: "status": expected 32768, got 0');
    expect(r.status).toBe(2);
  });

  it("builds the C example against the installed headers", () => {
    if (spawnSync("gcc", ["--version"]).status !== 0) {
      console.warn(
        "[npm-pack] gcc is not installed here: the C example is not built from the installed headers",
      );
      return;
    }
    const exe = join(dir, "conform-descriptors");
    const cc = sh(
      "gcc",
      [
        "-std=c11",
        "-O1",
        `-I${join(project, "node_modules/@rashpa/descriptors/src/gen/c")}`,
        "-o",
        exe,
        join(root, "examples/conform-c/conform-descriptors.c"),
      ],
      project,
    );
    expect(cc.stderr).toBe("");
    const r = sh(
      join(project, "node_modules/.bin/rashpa"),
      ["conform", "rashpa.btd", "--cmd", `'${exe}' rashpa.btd`, "--runs", "50", "--seed", "4"],
      project,
    );
    expect(r.stdout).toContain("conform rashpa.btd: ok, 50 runs");
    expect(r.status).toBe(0);
  });
});
