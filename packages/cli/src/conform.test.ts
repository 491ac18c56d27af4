/**
 * `rashpa conform` against real programs: the generated C codec of the descriptors (compiled
 * from examples/conform-c with gcc), a deliberately wrong decoder (examples/conform-wrong), and
 * programs that crash, hang or answer garbage (test/fixtures).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { STRICT_C_FLAGS, lawSeed } from "@rashpa/laws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run } from "../test/run-cli.js";
import { CONFORM_EXIT } from "./conform.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const fixture = (name: string): string =>
  join(fileURLToPath(new URL("../test/fixtures/", import.meta.url)), name);
const sh = (s: string): string => `'${s.replace(/'/g, "'\\''")}'`;
const node = (script: string, ...args: string[]): string =>
  [sh(process.execPath), sh(script), ...args.map(sh)].join(" ");

const gcc = spawnSync("gcc", ["--version"]).status === 0;
if (!gcc)
  console.warn(
    "[conform] gcc is not installed here: the C example (examples/conform-c) is not tested",
  );

describe.runIf(gcc)("conform passes the generated C codec (examples/conform-c)", () => {
  const seed = lawSeed();
  let dir: string;
  let exe: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "rashpa-conform-c-"));
    exe = join(dir, "conform-descriptors");
    const r = spawnSync(
      "gcc",
      [
        ...STRICT_C_FLAGS,
        `-I${join(root, "packages/descriptors/src/gen/c")}`,
        "-o",
        exe,
        join(root, "examples/conform-c/conform-descriptors.c"),
      ],
      { encoding: "utf8" },
    );
    if (r.status !== 0) throw new Error(`gcc failed:\n${r.stderr}`);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  for (const id of ["rashpa.btd", "rashpa.event", "rashpa.atu-entry"])
    it(`${id}: 300 runs of decode, encode and damaged bytes agree (seed ${seed})`, async () => {
      const r = await run([
        "conform",
        id,
        "--cmd",
        `${sh(exe)} ${id}`,
        "--seed",
        String(seed),
        "--runs",
        "300",
      ]);
      expect(r.err).toBe("");
      expect(r.out).toContain(`conform ${id}: seed ${seed}, 300 runs, mode both`);
      expect(r.out).toMatch(
        new RegExp(`conform ${id.replace(".", "\\.")}: ok, 300 runs, \\d+ requests`),
      );
      expect(r.code).toBe(CONFORM_EXIT.ok);
    });
});

describe("conform fails a wrong decoder (examples/conform-wrong)", () => {
  const seed = lawSeed();
  const cmd = node(join(root, "examples/conform-wrong/event-decoder.mjs"));

  it(`shrinks to status 32768 and names the field (seed ${seed})`, async () => {
    const r = await run(["conform", "rashpa.event", "--cmd", cmd, "--seed", String(seed)]);
    expect(r.code).toBe(CONFORM_EXIT.mismatch);
    expect(r.out).toContain("FAILED (mismatch)");
    expect(r.out).toContain('first difference: "status": expected 32768, got 0');
    expect(r.err).toMatch(
      /^rashpa: conform rashpa\.event: mismatch: field "status": expected 32768, got 0 \(seed -?\d+, path [\d:]+\)\n$/,
    );
  });

  it("replays the counterexample from --seed and --path", async () => {
    const first = await run(["conform", "rashpa.event", "--cmd", cmd, "--seed", String(seed)]);
    const path = /--path ([\d:]+)/.exec(first.out)![1]!;
    const again = await run([
      "conform",
      "rashpa.event",
      "--cmd",
      cmd,
      "--seed",
      String(seed),
      "--path",
      path,
    ]);
    expect(again.code).toBe(CONFORM_EXIT.mismatch);
    const request = (out: string): string | undefined => /request: +(.*)/.exec(out)?.[1];
    expect(request(again.out)).toBe(request(first.out));
  });

  it("passes the same program in encode mode, where it has no bug", async () => {
    const r = await run([
      "conform",
      "rashpa.event",
      "--cmd",
      cmd,
      "--mode",
      "encode",
      "--seed",
      String(seed),
    ]);
    expect(r.out).toContain("ok, 100 runs");
    expect(r.code).toBe(CONFORM_EXIT.ok);
  });
});

describe("conform passes the reference codec behind the protocol (test/fixtures/reference.mjs)", () => {
  const seed = lawSeed();
  for (const id of [
    "pcie.tlp",
    "pcie.dllp",
    "srio.packet",
    "srio.stream-66",
    "srio.cs64",
    "bridge.instruction",
  ])
    it(`${id}: 100 runs of decode, encode and damaged bytes agree (seed ${seed})`, async () => {
      const cmd = node(fixture("reference.mjs"), id);
      const r = await run(["conform", id, "--cmd", cmd, "--seed", String(seed)]);
      expect(r.err).toBe("");
      expect(r.out).toContain(`conform ${id}: ok, 100 runs`);
      expect(r.code).toBe(CONFORM_EXIT.ok);
    });
});

describe("conform with a broken program", () => {
  it("reports a program that ends (exit 3) with its last stderr line", async () => {
    const r = await run([
      "conform",
      "rashpa.btd",
      "--cmd",
      node(fixture("crash.mjs")),
      "--seed",
      "1",
    ]);
    expect(r.code).toBe(CONFORM_EXIT.crash);
    expect(r.err).toMatch(
      /^rashpa: conform rashpa\.btd: crash: the program ended with exit status 3 \(stderr: boom: cannot handle this\)/,
    );
    expect(r.err.split("\n")).toHaveLength(2);
  });

  it("reports a command that does not exist (exit 3)", async () => {
    const r = await run([
      "conform",
      "rashpa.btd",
      "--cmd",
      "rashpa-no-such-program-here",
      "--seed",
      "1",
    ]);
    expect(r.code).toBe(CONFORM_EXIT.crash);
    expect(r.err).toMatch(/crash: the program ended with exit status 127/);
  });

  it("stops a program that does not answer within --timeout (exit 4)", async () => {
    const r = await run([
      "conform",
      "rashpa.btd",
      "--cmd",
      node(fixture("hang.mjs")),
      "--timeout",
      "300",
    ]);
    expect(r.code).toBe(CONFORM_EXIT.timeout);
    expect(r.err).toMatch(/^rashpa: conform rashpa\.btd: timeout: no answer within 300 ms/);
  });

  it("reports garbage answers (exit 5) in decode and encode mode", async () => {
    const cmd = node(fixture("answer.mjs"), "hello there");
    for (const mode of ["decode", "encode"]) {
      const r = await run(["conform", "rashpa.btd", "--cmd", cmd, "--mode", mode]);
      expect(r.code).toBe(CONFORM_EXIT.garbage);
      expect(r.err).toMatch(/garbage: answered neither (JSON|hex) nor "error:": "hello there"/);
    }
  });

  it("reports wrong answers of the right shape as mismatches (exit 2)", async () => {
    const cases: [string, string, RegExp][] = [
      ["error: no", "decode", /mismatch: rejected bytes the reference decodes/],
      ["{}", "decode", /mismatch: field "type": expected "[a-z-]+", got nothing/],
      ['{"type":"timer","extra":1}', "decode", /mismatch: field "[a-z]+"/],
      ["00", "encode", /mismatch: the encoding differs at byte 0/],
      ["error: no", "encode", /mismatch: rejected a valid value/],
    ];
    for (const [reply, mode, message] of cases) {
      const r = await run([
        "conform",
        "rashpa.event",
        "--cmd",
        node(fixture("answer.mjs"), reply),
        "--mode",
        mode,
      ]);
      expect(r.code).toBe(CONFORM_EXIT.mismatch);
      expect(r.err).toMatch(message);
    }
  });

  it("rejects bad arguments with one line and status 1", async () => {
    const bad: [string[], RegExp][] = [
      [["rashpa.btd"], /missing --cmd/],
      [
        ["rashpa.btd", "--cmd", "x", "--mode", "both-ways"],
        /--mode: expected decode, encode or both/,
      ],
      [["rashpa.btd", "--cmd", "x", "--runs", "0"], /--runs: expected an integer 1\.\.100000/],
      [
        ["rashpa.btd", "--cmd", "x", "--timeout", "-5"],
        /--timeout: expected an integer 1\.\.600000/,
      ],
      [["rashpa.btd", "--cmd", "x", "--path", "a:b"], /--path: expected a fast-check path/],
      [["nope", "--cmd", "x"], /unknown format "nope"/],
    ];
    for (const [args, message] of bad) {
      const r = await run(["conform", ...args]);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/^rashpa: [^\n]*\n$/);
      expect(r.err).toMatch(message);
    }
  });
});
