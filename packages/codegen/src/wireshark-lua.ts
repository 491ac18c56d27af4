/**
 * Wireshark Lua dissector generator: one self-contained Lua script that dissects the
 * emulator's pcap captures, field by field, with the formats of the specs.
 *
 * The script registers on the `wtap_encap` dissector table for the three user link types the
 * emulator writes (`packages/emulator/src/pcap.ts`):
 * - `LINKTYPE_USER0` 147 (`wtap_encaps.USER0`): a 1-byte pseudo-header (bit 7 direction,
 *   bits 6..0 port) then one PCIe TLP, format `pcie.tlp`;
 * - `LINKTYPE_USER1` 148 (`wtap_encaps.USER1`): a kind byte (1 BTD, 2 event) then a 32-byte
 *   `rashpa.btd` or `rashpa.event` record;
 * - `LINKTYPE_USER2` 149 (`wtap_encaps.USER2`): one RapidIO LP-Serial packet with its CRC-16
 *   fields and pad, whose CRC-free stream is `srio.stream` (or `srio.stream-50` /
 *   `srio.stream-66`, chosen by the protocol preference `rashpa.srio.address_size`).
 *
 * The formats are emitted as Lua tables (fields with their widths, switches with their cases
 * and `when` conditions, payloads with their length rule) and one interpreter walks them the
 * way the generated TypeScript decoders do: fields in wire order, the first case whose `when`
 * holds, optional parts present when their `when` holds, payload lengths from a field (with
 * `unit` and `zeroMeans`) or the remainder. Every field is a `ProtoField` named
 * `rashpa.<format id>.<field>` (the `rashpa.` prefix is not doubled for `rashpa.*` ids) with
 * the bitmask of its bits, enum fields carry their member names as value strings, switch tags
 * are generated string fields, and what the TypeScript decoder rejects (a short packet, an
 * unknown enum value, a reserved or constant field with the wrong value, no matching case) is
 * reported as expert info, never as a Lua error.
 *
 * The RapidIO physical framing (RapidIO 4.1 Part 6 §2.3–2.5: early CRC after byte 80, final
 * CRC, pad to 32 bits, the ackID taken as 0 by the CRC, whole double-word payloads) is the
 * same rule as `decodeSrioPacket` in `packages/srio/src/packet.ts`; it is fixed Lua text here,
 * while the header length it needs comes from walking the stream format.
 *
 * @module
 */
import type { EnumModel, FieldModel, FormatModel, ItemModel, SpecModel } from "@rashpa/spec";
import { itemsFixedBits } from "@rashpa/spec";
import { Emitter } from "./_internals/emitter.js";

/** Path of the generated script, relative to the repository root. */
export const WIRESHARK_LUA_PATH = "packages/emulator/src/gen/wireshark/rashpa.lua";

/** Format ids the script dissects, by the protocol that shows them. */
const BOUND_FORMATS = {
  pcie: ["pcie.tlp"],
  rashpa: ["rashpa.btd", "rashpa.event"],
  srio: ["srio.stream", "srio.stream-50", "srio.stream-66"],
} as const;

type ProtoKey = keyof typeof BOUND_FORMATS;

/** Lua string literal (JSON string syntax is valid Lua for the text of specs). */
const str = (s: string): string => JSON.stringify(s);

/** Lua numeral of a mask: hexadecimal up to 32 bits, decimal above (read as a float by Lua 5.3+). */
const maskLiteral = (m: bigint): string =>
  m <= 0xffffffffn ? `0x${m.toString(16)}` : m.toString();

/** Display-filter prefix of the fields of a format. */
export function wiresharkFieldPrefix(formatId: string): string {
  return formatId.startsWith("rashpa.") ? formatId : `rashpa.${formatId}`;
}

/** One ProtoField of the script. */
interface ProtoFieldDef {
  readonly proto: ProtoKey;
  readonly expr: string;
}

class LuaFormats {
  readonly fields: ProtoFieldDef[] = [];
  private readonly fieldIndex = new Map<string, number>();
  readonly enums = new Map<EnumModel, string>();
  private readonly enumSpec = new Map<EnumModel, string>();

  constructor(specs: readonly SpecModel[]) {
    for (const s of specs)
      for (const e of s.enums) this.enumSpec.set(e, s.idPrefix.replace(/[^a-z0-9]/g, "_"));
  }

  /** Index (1-based, as in the Lua table `PF`) of a ProtoField, created once per definition. */
  private pf(proto: ProtoKey, expr: string): number {
    const key = `${proto}|${expr}`;
    const known = this.fieldIndex.get(key);
    if (known !== undefined) return known;
    this.fields.push({ proto, expr });
    this.fieldIndex.set(key, this.fields.length);
    return this.fields.length;
  }

  private enumVar(e: EnumModel): string {
    let v = this.enums.get(e);
    if (v === undefined) {
      v = `VS_${this.enumSpec.get(e) ?? "x"}_${e.name}`;
      this.enums.set(e, v);
    }
    return v;
  }

  /** The Lua table literal of a format's items. */
  items(proto: ProtoKey, prefix: string, items: readonly ItemModel[], indent: string): string {
    const lines: string[] = [];
    let bitMod = 0;
    items.forEach((it, i) => {
      if (it.kind === "field") {
        lines.push(`${indent}${this.field(proto, prefix, it, bitMod)},`);
        bitMod = (bitMod + it.bits) % 8;
      } else if (it.kind === "payload") {
        const pf = this.pf(
          proto,
          `ProtoField.bytes(${str(`${prefix}.${it.name}`)}, ${str(it.name)}, base.NONE, ${str(it.doc)})`,
        );
        if (it.length.kind === "field") {
          const zero = it.length.zeroMeans === undefined ? "" : `, zero = ${it.length.zeroMeans}`;
          lines.push(
            `${indent}{ k = "p", name = ${str(it.name)}, pf = PF[${pf}], field = ${str(it.length.field)}, unit = ${it.length.unit}${zero} },`,
          );
        } else {
          const trailer = (itemsFixedBits(items.slice(i + 1)) ?? 0) / 8;
          lines.push(
            `${indent}{ k = "p", name = ${str(it.name)}, pf = PF[${pf}], trailer = ${trailer} },`,
          );
        }
      } else {
        const tag =
          it.tag === undefined
            ? ""
            : `, tag = PF[${this.pf(proto, `ProtoField.string(${str(`${prefix}.${it.tag}`)}, ${str(it.tag)}, base.ASCII, ${str(`Case of the switch on ${it.on.join(", ")} (variant tag).`)})`)}]`;
        lines.push(
          `${indent}{ k = "s", name = ${str(it.name)}, optional = ${String(it.optional)}${tag}, cases = {`,
        );
        for (const c of it.cases) {
          const when = Object.entries(c.when)
            .map(([d, vs]) => `{ ${str(d)}, { ${vs.join(", ")} } }`)
            .join(", ");
          lines.push(`${indent}  { name = ${str(c.name)}, when = { ${when} }, items = {`);
          lines.push(this.items(proto, prefix, c.items, `${indent}    `));
          lines.push(`${indent}  } },`);
        }
        lines.push(`${indent}} },`);
      }
    });
    return lines.filter((l) => l !== "").join("\n");
  }

  private field(proto: ProtoKey, prefix: string, f: FieldModel, bit: number): string {
    const abbr = str(`${prefix}.${f.name}`);
    const name = str(f.name);
    const doc = str(f.doc);
    const base = /address/i.test(f.name) ? "base.HEX" : "base.DEC";
    const n = Math.ceil((bit + f.bits) / 8);
    const check =
      (f.type === "reserved" || f.type === "const") && f.value !== undefined
        ? `, expect = ${str(f.value.toString())}${f.ignore ? ", ignore = true" : ""}`
        : "";
    const head = `{ k = "f", name = ${str(f.name)}, bits = ${f.bits}, t = ${str(f.type)}`;
    if (f.type === "bytes") {
      const pf = this.pf(proto, `ProtoField.bytes(${abbr}, ${name}, base.NONE, ${doc})`);
      return `${head}, pf = PF[${pf}] }`;
    }
    const shift = n * 8 - bit - f.bits;
    const full = bit === 0 && shift === 0;
    const mask = full ? 0n : ((1n << BigInt(f.bits)) - 1n) << BigInt(shift);
    if (f.type === "bool") {
      const pf = this.pf(
        proto,
        `ProtoField.bool(${abbr}, ${name}, ${n * 8}, nil, ${full ? "nil" : maskLiteral(mask)}, ${doc})`,
      );
      return `${head}, pf = PF[${pf}] }`;
    }
    const vs = f.enum === undefined ? "nil" : this.enumVar(f.enum);
    const vsItem = f.enum === undefined ? "" : `, vs = ${vs}`;
    const raw = n > 8 || (!full && f.bits > 53) || (f.enum !== undefined && n > 4);
    if (raw) {
      const t = f.bits <= 8 ? 8 : f.bits <= 16 ? 16 : f.bits <= 24 ? 24 : f.bits <= 32 ? 32 : 64;
      const pf = this.pf(
        proto,
        `ProtoField.uint${t}(${abbr}, ${name}, ${base}, ${t === 64 ? "nil" : vs}, nil, ${doc})`,
      );
      return `${head}, pf = PF[${pf}], raw = true${vsItem}${check} }`;
    }
    const t = n <= 4 ? [8, 16, 24, 32][n - 1]! : 64;
    const pf = this.pf(
      proto,
      `ProtoField.uint${t}(${abbr}, ${name}, ${base}, ${vs}, ${full ? "nil" : maskLiteral(mask)}, ${doc})`,
    );
    return `${head}, pf = PF[${pf}]${vsItem}${check} }`;
  }

  /** The Lua value-string tables of the enums used. */
  enumTables(): string[] {
    const out: string[] = [];
    for (const [e, v] of this.enums) {
      out.push(`-- ${e.doc.replace(/\n/g, " ")}`);
      out.push(
        `local ${v} = { ${e.values.map((m) => `[${m.value}] = ${str(m.name)}`).join(", ")} }`,
      );
    }
    return out;
  }
}

/**
 * The Wireshark Lua script of the specs, or `undefined` when the specs lack one of the formats
 * it dissects (`pcie.tlp`, `rashpa.btd`, `rashpa.event`, `srio.stream`, `srio.stream-50`,
 * `srio.stream-66`).
 *
 * @param specs - every loaded spec
 * @returns the script text
 */
export function generateWiresharkLua(specs: readonly SpecModel[]): string | undefined {
  const byId = new Map<string, { spec: SpecModel; format: FormatModel }>();
  for (const spec of specs)
    for (const format of spec.formats) byId.set(format.id, { spec, format });
  const all = Object.values(BOUND_FORMATS).flat();
  if (!all.every((id) => byId.has(id))) return undefined;
  const files = [...new Set(all.map((id) => byId.get(id)!.spec.file))].sort();

  const gen = new LuaFormats(specs);
  const formatTables: string[] = [];
  for (const proto of Object.keys(BOUND_FORMATS) as ProtoKey[])
    for (const id of BOUND_FORMATS[proto]) {
      const { format } = byId.get(id)!;
      const prefix = wiresharkFieldPrefix(id);
      formatTables.push(`-- ${format.title} (${format.source})`);
      formatTables.push(
        `FORMATS[${str(id)}] = { id = ${str(id)}, title = ${str(format.title)}, prefix = ${str(prefix)}, items = {`,
      );
      formatTables.push(gen.items(proto, prefix, format.items, "  "));
      formatTables.push("} }");
    }

  const out = new Emitter();
  out.line(
    `-- @generated by @rashpa/codegen from ${files.join(", ")} — do not edit; run \`npm run generate\`.`,
  );
  out.raw(HEADER_DOC);
  out.line();
  out.raw(RUNTIME_PROTOS);
  out.line();
  out.line("-- Value strings of the enums (spec enums, member names)");
  for (const l of gen.enumTables()) out.line(l);
  out.line();
  out.line("-- ProtoFields: rashpa.<format id>.<field>, with the bitmask of the field's bits");
  out.line("local PF = {}");
  gen.fields.forEach((f, i) => out.line(`PF[${i + 1}] = ${f.expr}`));
  out.line();
  out.line("-- Formats: fields (f), switches and optional parts (s), payloads (p), in wire order");
  out.line("local FORMATS = {}");
  for (const l of formatTables) out.line(l);
  out.line();
  for (const proto of Object.keys(BOUND_FORMATS) as ProtoKey[]) {
    const list = gen.fields
      .map((f, i) => (f.proto === proto ? `PF[${i + 1}]` : ""))
      .filter((s) => s !== "");
    const extra = EXTRA_FIELDS[proto];
    out.line(`P_${proto}.fields = { ${[...extra, ...list].join(", ")} }`);
  }
  out.line();
  out.raw(RUNTIME_WALK);
  return out.toString();
}

const EXTRA_FIELDS: Readonly<Record<ProtoKey, readonly string[]>> = {
  pcie: ["F_DIRECTION", "F_PORT", "F_PCIE_TRAILING"],
  rashpa: ["F_KIND", "F_REC_TRAILING"],
  srio: ["F_EARLY_CRC", "F_CRC", "F_PAD", "F_SRIO_TRAILING"],
};

const HEADER_DOC = `--
-- Wireshark dissectors for the RASHPA emulator's pcap captures, generated from the specs:
--   LINKTYPE_USER0 (147)  PCIe TLP records: pseudo-header byte (bit 7 direction: 0 downstream,
--                         1 upstream; bits 6..0 port), then one TLP (format pcie.tlp)
--   LINKTYPE_USER1 (148)  RASHPA controller records: kind byte (1 BTD, 2 event), then the
--                         32-byte record (format rashpa.btd or rashpa.event)
--   LINKTYPE_USER2 (149)  RapidIO LP-Serial packets with CRC-16 and pad (RapidIO 4.1 Part 6
--                         §2.3-2.5); the CRC-free stream is format srio.stream, or
--                         srio.stream-50 / srio.stream-66 after setting the preference
--                         rashpa.srio.address_size (the packet does not carry it, Part 1 §4.1.1)
--
-- Fields are named rashpa.<format id>.<field> (rashpa.srio.stream.ftype, rashpa.pcie.tlp.fmt,
-- rashpa.btd.kind, ...). Problems the TypeScript decoders reject are reported as expert info.
--
-- Use: tshark -X lua_script:rashpa.lua -r capture.pcap -V
-- or copy the file into the personal Lua plugins folder (Help > About Wireshark > Folders,
-- e.g. ~/.local/lib/wireshark/plugins/) and restart Wireshark.`;

const RUNTIME_PROTOS = `local P_pcie = Proto("rashpa.pcie", "RASHPA PCIe TLP capture")
local P_rashpa = Proto("rashpa", "RASHPA controller record")
local P_srio = Proto("rashpa.srio", "RASHPA RapidIO packet")

local F_DIRECTION = ProtoField.uint8("rashpa.pcie.capture.direction", "direction", base.DEC, { [0] = "downstream", [1] = "upstream" }, 0x80, "Pseudo-header bit 7: 0 downstream (away from the root complex), 1 upstream.")
local F_PORT = ProtoField.uint8("rashpa.pcie.capture.port", "port", base.DEC, nil, 0x7f, "Pseudo-header bits 6..0: emulated port or link.")
local F_PCIE_TRAILING = ProtoField.bytes("rashpa.pcie.trailing", "trailing bytes", base.NONE, "Bytes after the end of the TLP.")
local F_KIND = ProtoField.uint8("rashpa.record.kind", "kind", base.DEC, { [1] = "btd", [2] = "event" }, nil, "Record kind: 1 block transfer descriptor, 2 event-channel record.")
local F_REC_TRAILING = ProtoField.bytes("rashpa.record.trailing", "trailing bytes", base.NONE, "Bytes after the end of the record.")
local F_EARLY_CRC = ProtoField.uint16("rashpa.srio.packet.earlyCrc", "earlyCrc", base.HEX, nil, nil, "Early CRC-16 over bytes 0-79, ackID bits as 0 (RapidIO 4.1 Part 6 §2.4.1).")
local F_CRC = ProtoField.uint16("rashpa.srio.packet.crc", "crc", base.HEX, nil, nil, "Final CRC-16, continuing over the early CRC (RapidIO 4.1 Part 6 §2.4.1).")
local F_PAD = ProtoField.uint16("rashpa.srio.packet.pad", "pad", base.HEX, nil, nil, "Pad to a 32-bit boundary, zero (RapidIO 4.1 Part 6 §2.4.1).")
local F_SRIO_TRAILING = ProtoField.bytes("rashpa.srio.trailing", "trailing bytes", base.NONE, "Bytes of the CRC-free stream after its last field.")

local EX_SHORT = ProtoExpert.new("rashpa.expert.short", "Truncated packet", expert.group.MALFORMED, expert.severity.ERROR)
local EX_VALUE = ProtoExpert.new("rashpa.expert.value", "Invalid field value", expert.group.MALFORMED, expert.severity.ERROR)
local EX_VARIANT = ProtoExpert.new("rashpa.expert.variant", "No variant of the format matches", expert.group.MALFORMED, expert.severity.ERROR)
local EX_TRAILING = ProtoExpert.new("rashpa.expert.trailing", "Bytes after the end of the format", expert.group.MALFORMED, expert.severity.WARN)
local EX_LENGTH = ProtoExpert.new("rashpa.expert.length", "Invalid packet length", expert.group.MALFORMED, expert.severity.ERROR)
local EX_CRC = ProtoExpert.new("rashpa.expert.crc", "Bad CRC", expert.group.CHECKSUM, expert.severity.ERROR)
local EX_KIND = ProtoExpert.new("rashpa.expert.kind", "Unknown record kind", expert.group.MALFORMED, expert.severity.ERROR)
local EX_ERROR = ProtoExpert.new("rashpa.expert.error", "Dissector error", expert.group.MALFORMED, expert.severity.ERROR)
P_rashpa.experts = { EX_SHORT, EX_VALUE, EX_VARIANT, EX_TRAILING, EX_LENGTH, EX_CRC, EX_KIND, EX_ERROR }

P_srio.prefs.address_size = Pref.enum("System address size", 34, "RapidIO system address size: 34, 50 or 66 bits (RapidIO 4.1 Part 1 §4.1.1); the packet does not carry it.", { { 1, "34-bit", 34 }, { 2, "50-bit", 50 }, { 3, "66-bit", 66 } }, false)`;

const RUNTIME_WALK = `-- The interpreter: walks a format's items over a Tvb like the generated TypeScript decoder.
local walk

local function problem(ctx, tree, ex, msg)
  ctx.problems = ctx.problems + 1
  if tree ~= nil then tree:add_proto_expert_info(ex, msg) end
end

local function short(ctx, tree, what, at, need)
  problem(ctx, tree, EX_SHORT, string.format('"%s" expected %d bytes at byte %d, got %d', what, need, at, math.max(ctx.len - at, 0)))
  ctx.stop = true
end

local function walk_field(ctx, it, tree)
  local at = math.floor(ctx.pos / 8)
  local bit = ctx.pos % 8
  local n = math.ceil((bit + it.bits) / 8)
  if at + n > ctx.len then return short(ctx, tree, it.name, at, n) end
  local r = ctx.tvb(at, n)
  local v
  if it.t ~= "bytes" then v = r:bitfield(bit, it.bits) end
  ctx.vals[it.name] = v
  ctx.pos = ctx.pos + it.bits
  local ti
  if tree ~= nil then
    if it.raw then ti = tree:add(it.pf, r, v) else ti = tree:add(it.pf, r) end
  end
  if it.vs ~= nil and it.vs[v] == nil then
    problem(ctx, ti or tree, EX_VALUE, string.format('"%s" expected a member of its enum, got %s at byte %d', it.name, tostring(v), at))
  elseif it.expect ~= nil and not it.ignore and tostring(v) ~= it.expect then
    problem(ctx, ti or tree, EX_VALUE, string.format('"%s" expected %s, got %s at byte %d', it.name, it.expect, tostring(v), at))
  end
end

local function matches(ctx, case)
  for _, w in ipairs(case.when) do
    local v = ctx.vals[w[1]]
    local hit = false
    for _, x in ipairs(w[2]) do
      if v == x then hit = true break end
    end
    if not hit then return false end
  end
  return true
end

local function walk_switch(ctx, it, tree)
  local chosen
  for _, c in ipairs(it.cases) do
    if matches(ctx, c) then chosen = c break end
  end
  if chosen == nil then
    if it.optional then return end
    problem(ctx, tree, EX_VARIANT, string.format('"%s" expected a case of the switch, got none for these values at byte %d', it.name, math.floor(ctx.pos / 8)))
    ctx.stop = true
    return
  end
  if not it.optional then
    ctx.variants[#ctx.variants + 1] = chosen.name
    if tree ~= nil and it.tag ~= nil then tree:add(it.tag, chosen.name):set_generated() end
  end
  walk(ctx, chosen.items, tree)
end

local function walk_payload(ctx, it, tree)
  local at = math.floor(ctx.pos / 8)
  local n
  if it.field ~= nil then
    local count = ctx.vals[it.field]
    if count == 0 and it.zero ~= nil then count = it.zero end
    n = count * it.unit
  else
    n = ctx.len - at - it.trailer
    if n < 0 then return short(ctx, tree, it.name, at, it.trailer) end
  end
  if at + n > ctx.len then return short(ctx, tree, it.name, at, n) end
  ctx.payload_at = at
  ctx.pos = ctx.pos + 8 * n
  if tree ~= nil then tree:add(it.pf, ctx.tvb(at, n)) end
end

walk = function(ctx, items, tree)
  for _, it in ipairs(items) do
    if ctx.stop then return end
    if it.k == "f" then walk_field(ctx, it, tree)
    elseif it.k == "s" then walk_switch(ctx, it, tree)
    else walk_payload(ctx, it, tree) end
  end
end

-- Dissects format \`id\` over all of \`tvb\` under \`tree\` (nil: only measures). Returns the context:
-- pos (bits read), vals (raw field values), variants (case names), payload_at, stop, problems.
local function run_format(id, tvb, tree, trailing_pf)
  local fmt = FORMATS[id]
  local ctx = { tvb = tvb, len = tvb:len(), pos = 0, vals = {}, variants = {}, problems = 0, stop = false }
  local sub
  if tree ~= nil then sub = tree:add(tvb(), fmt.title) end
  walk(ctx, fmt.items, sub)
  if sub ~= nil then
    sub:append_text(" [" .. id .. (#ctx.variants > 0 and (": " .. table.concat(ctx.variants, " / ")) or "") .. "]")
    local used = math.floor(ctx.pos / 8)
    if not ctx.stop and used < ctx.len then
      local ti = sub:add(trailing_pf, tvb(used, ctx.len - used))
      problem(ctx, ti, EX_TRAILING, string.format("%d bytes after the end of %s at byte %d", ctx.len - used, id, used))
    end
  end
  return ctx
end

local function guarded(tree, f, ...)
  local ok, err = pcall(f, ...)
  if not ok then tree:add_proto_expert_info(EX_ERROR, "dissector error: " .. tostring(err)) end
end

-- LINKTYPE_USER0: PCIe TLP records
local function dissect_pcie(tvb, pinfo, top)
  if tvb:len() < 2 then
    top:add_proto_expert_info(EX_SHORT, string.format('"pcie.tlp" expected a pseudo-header byte and at least 1 TLP byte, got %d bytes', tvb:len()))
    return
  end
  top:add(F_DIRECTION, tvb(0, 1))
  top:add(F_PORT, tvb(0, 1))
  local b = tvb(0, 1):uint()
  local ctx = run_format("pcie.tlp", tvb(1):tvb(), top, F_PCIE_TRAILING)
  pinfo.cols.info = string.format("%s port %d: %s", b >= 128 and "upstream" or "downstream", b % 128, table.concat(ctx.variants, " / "))
end

function P_pcie.dissector(tvb, pinfo, tree)
  pinfo.cols.protocol = "RASHPA-PCIe"
  local top = tree:add(P_pcie, tvb())
  guarded(top, dissect_pcie, tvb, pinfo, top)
end

-- LINKTYPE_USER1: RASHPA BTD and event records
local RECORD_FORMATS = { [1] = "rashpa.btd", [2] = "rashpa.event" }

local function dissect_record(tvb, pinfo, top)
  if tvb:len() < 1 then
    top:add_proto_expert_info(EX_SHORT, '"rashpa.kind" expected 1 byte, got 0 bytes')
    return
  end
  local ti = top:add(F_KIND, tvb(0, 1))
  local id = RECORD_FORMATS[tvb(0, 1):uint()]
  if id == nil then
    ti:add_proto_expert_info(EX_KIND, string.format('"rashpa.kind" expected 1 (btd) or 2 (event), got %d at byte 0', tvb(0, 1):uint()))
    return
  end
  if tvb:len() < 2 then
    top:add_proto_expert_info(EX_SHORT, string.format('"%s" expected a record after the kind byte, got none', id))
    return
  end
  local ctx = run_format(id, tvb(1):tvb(), top, F_REC_TRAILING)
  pinfo.cols.info = id .. (#ctx.variants > 0 and (" " .. table.concat(ctx.variants, " / ")) or "")
end

function P_rashpa.dissector(tvb, pinfo, tree)
  pinfo.cols.protocol = "RASHPA"
  local top = tree:add(P_rashpa, tvb())
  guarded(top, dissect_record, tvb, pinfo, top)
end

-- LINKTYPE_USER2: RapidIO LP-Serial packets (RapidIO 4.1 Part 6 §2.3-2.5; decodeSrioPacket)
local SRIO_MAX_PACKET_BYTES = 284
local SRIO_EARLY_CRC_BYTES = 80
local SRIO_STREAMS = { [34] = "srio.stream", [50] = "srio.stream-50", [66] = "srio.stream-66" }

-- Bit operations: Wireshark's LuaBitOp (bit), else Lua 5.2's bit32, else the Lua 5.3+ operators.
local bxor, band
if bit ~= nil then
  bxor, band = bit.bxor, bit.band
elseif bit32 ~= nil then
  bxor, band = bit32.bxor, bit32.band
else
  bxor = load("return function(a, b) return a ~ b end")()
  band = load("return function(a, b) return a & b end")()
end

-- CRC-16 (x^16 + x^12 + x^5 + 1, initial 0xFFFF), byte-wise table (Part 6 §2.4.2)
local CRC_T = {}
for v = 0, 255 do
  local c = v * 256
  for _ = 1, 8 do
    if c >= 0x8000 then c = bxor((c * 2) % 0x10000, 0x1021) else c = (c * 2) % 0x10000 end
  end
  CRC_T[v] = c
end

local function crc_byte(c, b)
  return bxor((c % 256) * 256, CRC_T[bxor(math.floor(c / 256), b)])
end

local function crc_update(c, bytes, from, to)
  for i = from, to - 1 do c = crc_byte(c, bytes:get_index(i)) end
  return c
end

-- Bytes on the wire for a stream of s bytes: one CRC up to 80 bytes, two above, pad to 4.
local function srio_packet_bytes(s)
  local crc = s > SRIO_EARLY_CRC_BYTES and 4 or 2
  return math.floor((s + crc + 3) / 4) * 4
end

-- Data payload bounds by ftype (and ttype) (Part 1 §4.1.7-4.1.10, §4.2.3; Part 2 §4.2.5; Part 6 §2.5)
local function srio_payload_bounds(ftype, ttype)
  if ftype == 5 or ftype == 6 or ftype == 11 then return 8, 256 end
  if ftype == 8 then
    if ttype == 1 or ttype == 4 then return 8, 64 end
    if ttype == 2 then return 0, 64 end
    return nil
  end
  if ftype == 13 and ttype == 8 then return 0, 256 end
  return nil
end

local function dissect_srio(tvb, pinfo, top)
  local n = tvb:len()
  local id = SRIO_STREAMS[P_srio.prefs.address_size] or "srio.stream"
  if n < 2 then
    top:add_proto_expert_info(EX_SHORT, string.format('"packet" expected at least 2 bytes (the packet header), got %d bytes', n))
    return
  end
  -- The header length: walk the stream format up to its payload (or its end).
  local m = run_format(id, tvb, nil)
  if m.stop then
    run_format(id, tvb, top, F_SRIO_TRAILING)
    return
  end
  local h = m.payload_at or math.floor(m.pos / 8)
  local s
  if n > SRIO_MAX_PACKET_BYTES then
    top:add_proto_expert_info(EX_LENGTH, string.format('"packet" expected at most %d bytes, got %d bytes', SRIO_MAX_PACKET_BYTES, n))
  elseif n % 4 ~= 0 then
    top:add_proto_expert_info(EX_LENGTH, string.format('"packet" expected a length that is a multiple of 4 bytes, got %d bytes', n))
  else
    local lo, hi = srio_payload_bounds(m.vals.ftype, m.vals.ttype)
    if lo == nil then
      if srio_packet_bytes(h) == n then s = h end
    else
      for _, c in ipairs({ n - 2, n - 4, n - 6 }) do
        if c >= h and (c - h) % 8 == 0 and srio_packet_bytes(c) == n and c - h >= lo and c - h <= hi then s = c break end
      end
    end
    if s == nil then
      top:add_proto_expert_info(EX_LENGTH, string.format('"payload" expected %s, got a %d-byte packet with a %d-byte header', lo == nil and "none (this packet type carries no data)" or string.format("whole double-words, %d..%d bytes", lo, hi), n, h))
    end
  end
  if s == nil then
    run_format(id, tvb, top, F_SRIO_TRAILING)
    return
  end
  local bytes = tvb:bytes()
  -- the 6 ackID bits count as 0 (Part 6 §2.4)
  local crc = crc_update(crc_byte(0xffff, band(bytes:get_index(0), 3)), bytes, 1, math.min(s, SRIO_EARLY_CRC_BYTES))
  local crc_at = s
  local stream
  if s > SRIO_EARLY_CRC_BYTES then
    local ti = top:add(F_EARLY_CRC, tvb(SRIO_EARLY_CRC_BYTES, 2))
    local early = tvb(SRIO_EARLY_CRC_BYTES, 2):uint()
    if early ~= crc then ti:add_proto_expert_info(EX_CRC, string.format('"earlyCrc" expected 0x%04x, got 0x%04x at byte %d', crc, early, SRIO_EARLY_CRC_BYTES)) end
    crc = crc_update(crc, bytes, SRIO_EARLY_CRC_BYTES, s + 2)
    crc_at = s + 2
    stream = (tvb(0, SRIO_EARLY_CRC_BYTES):bytes() .. tvb(SRIO_EARLY_CRC_BYTES + 2, s - SRIO_EARLY_CRC_BYTES):bytes()):tvb("CRC-free stream")
  else
    stream = tvb(0, s):tvb()
  end
  local ti = top:add(F_CRC, tvb(crc_at, 2))
  local found = tvb(crc_at, 2):uint()
  if found ~= crc then ti:add_proto_expert_info(EX_CRC, string.format('"crc" expected 0x%04x, got 0x%04x at byte %d', crc, found, crc_at)) end
  if crc_at + 2 < n then
    local pi = top:add(F_PAD, tvb(crc_at + 2, 2))
    if tvb(crc_at + 2, 2):uint() ~= 0 then pi:add_proto_expert_info(EX_VALUE, string.format('"pad" expected 0x0000, got 0x%04x at byte %d', tvb(crc_at + 2, 2):uint(), crc_at + 2)) end
  end
  local ctx = run_format(id, stream, top, F_SRIO_TRAILING)
  pinfo.cols.info = table.concat(ctx.variants, " / ")
end

function P_srio.dissector(tvb, pinfo, tree)
  pinfo.cols.protocol = "RASHPA-SRIO"
  local top = tree:add(P_srio, tvb())
  guarded(top, dissect_srio, tvb, pinfo, top)
end

local encap = DissectorTable.get("wtap_encap")
encap:add(wtap_encaps.USER0, P_pcie)
encap:add(wtap_encaps.USER1, P_rashpa)
encap:add(wtap_encaps.USER2, P_srio)`;
