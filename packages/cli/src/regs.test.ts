import { describe, expect, it } from "vitest";
import { run } from "../test/run-cli.js";

describe("rashpa regs", () => {
  it("lists the register maps", async () => {
    const r = await run(["regs"]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^pcie\.config-space\s+\d+\s+Type-0 configuration space/m);
    const j = await run(["regs", "--json"]);
    const rows = JSON.parse(j.out) as { id: string; registers: number }[];
    expect(rows.find((x) => x.id === "pcie.config-space")?.registers).toBeGreaterThan(20);
  });

  it("lists a map's registers with fields and access", async () => {
    const r = await run(["regs", "pcie.config-space"]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^0x048 {2}pcieCap\.devctlDevsta {2}reset 0x00002810$/m);
    expect(r.out).toMatch(/^ +16 {2}correctableErrorDetected +sw rw, hw w, woclr$/m);
    const j = JSON.parse((await run(["regs", "pcie.config-space", "--json"])).out) as {
      registers: { path: string; address: number; fields: { name: string }[] }[];
    };
    expect(j.registers.find((x) => x.path === "header.bar[5]")?.address).toBe(0x24);
  });

  it("decodes a value by register path or address", async () => {
    const a = await run(["regs", "pcie.config-space", "decode", "pcieCap.devctlDevsta", "0x52830"]);
    const b = await run(["regs", "pcie.config-space", "decode", "0x48", "337968"]);
    expect(a.code).toBe(0);
    expect(a.out).toBe(b.out);
    expect(a.out).toMatch(
      /^pcieCap\.devctlDevsta @ 0x048 = 0x00052830: .*maxPayloadSize=b256 .*maxReadRequestSize=b512 .*correctableErrorDetected=true nonFatalErrorDetected=false fatalErrorDetected=true/,
    );
    const j = JSON.parse(
      (await run(["regs", "pcie.config-space", "decode", "0x48", "0x52830", "--json"])).out,
    ) as { path: string; fields: Record<string, unknown> };
    expect(j.path).toBe("pcieCap.devctlDevsta");
    expect(j.fields["maxPayloadSize"]).toBe("b256");
    expect(j.fields).not.toHaveProperty("initiateFlr"); // write-only: never read back
  });

  it.each([
    [["regs", "nope"], /unknown register map "nope" \(known: /],
    [
      ["regs", "pcie.config-space", "decode", "header.bar", "1"],
      /no register "header\.bar" \(did you mean header\.bar\[0\]/,
    ],
    [["regs", "pcie.config-space", "decode", "0x4a", "1"], /inside pcieCap\.devctlDevsta/],
    [
      ["regs", "pcie.config-space", "decode", "0x48", "0x1ffffffff"],
      /<value> expected a 32-bit number/,
    ],
    [["regs", "pcie.config-space", "decode", "0x48"], /needs <register> <value>/],
    [["regs", "pcie.config-space", "show"], /unknown action "show"/],
    [["regs", "--yaml"], /unknown option --yaml/],
  ])("rejects %j with one line", async (argv, message) => {
    const r = await run(argv);
    expect(r.code).toBe(1);
    expect(r.out).toBe("");
    expect(r.err).toMatch(message);
    expect(r.err.trim().split("\n")).toHaveLength(1);
  });
});
