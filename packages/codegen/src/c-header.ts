/**
 * C generator: one header per spec with, for every format and variant, a struct, bit
 * offset/width macros (plus word/shift/mask macros for fields inside one 32-bit word),
 * `..._variant()`, `..._unpack()` and `..._pack()` inline functions; and a self-check program
 * that reads test vectors produced by the TypeScript codec on stdin and checks that the C
 * functions agree with them field by field and byte for byte.
 *
 * The C code is C11, free of warnings under `gcc -std=c11 -Wall -Wextra -Werror`. Struct
 * members are the snake_case field names (`lineBytes` → `line_bytes`); a payload `data` is
 * `data` (pointer) and `data_len` (bytes); a name that is a C keyword, or a `_len` name that a
 * field already takes, gets a trailing underscore (`default_`, `data_len_`).
 *
 * Vector line format read by the self-check (one value per line, space separated):
 * `<format id> <variant index> <hex bytes> <field>...` where each value field of the variant,
 * in wire order, is a hex number (`uint`, `bool`, `enum` raw value) or a hex string (`bytes`,
 * payloads; `-` for an empty one).
 *
 * @module
 */
import type {
  FieldModel,
  FormatModel,
  ItemModel,
  PayloadModel,
  SpecModel,
  SwitchModel,
} from "@rashpa/spec";
import { layoutPaths, valueFields } from "@rashpa/spec";
import type { LayoutPath } from "@rashpa/spec";
import { emitCRegisterMaps, emitCRegisterTable } from "./c-registers.js";
import { Emitter } from "./_internals/emitter.js";
import { screamingCase, snakeCase, specBaseName } from "./names.js";
import { generatedHeader } from "./ts-codec.js";

const cType = (f: FieldModel): string =>
  f.type === "bool" ? "bool" : f.bits > 32 ? "uint64_t" : "uint32_t";

function prefixOf(spec: SpecModel, format: FormatModel): string {
  return snakeCase(`${spec.idPrefix}_${format.name}`);
}

function variantPrefix(spec: SpecModel, format: FormatModel, path: LayoutPath): string {
  return path.name === ""
    ? prefixOf(spec, format)
    : `${prefixOf(spec, format)}_${snakeCase(path.name)}`;
}

const hexU = (v: bigint, bits: number): string => `0x${v.toString(16)}${bits > 32 ? "ull" : "u"}`;

/** Static bit offsets of a path's elements (undefined after the first payload). */
function staticOffsets(path: LayoutPath): Map<FieldModel | PayloadModel, number | undefined> {
  const m = new Map<FieldModel | PayloadModel, number | undefined>();
  let bit: number | undefined = 0;
  for (const e of path.elements) {
    m.set(e, bit);
    if (e.kind === "payload") bit = undefined;
    else if (bit !== undefined) bit += e.bits;
  }
  return m;
}

/** C keywords and the macros of `<stdbool.h>`: not usable as struct members. */
const C_RESERVED = new Set(
  (
    "auto break case char const continue default do double else enum extern float for goto if inline int long " +
    "register restrict return short signed sizeof static struct switch typedef union unsigned void volatile while " +
    "bool true false"
  ).split(" "),
);

/** Struct member names of one variant: a field's and a payload's pointer and length members. */
interface Members {
  /** Member of a field or payload, by spec name. */
  readonly of: (name: string) => string;
  /** Length member of a payload, by spec name. */
  readonly len: (name: string) => string;
}

/**
 * Member names of a variant's struct: the snake_case spec name, and `<name>_len` for the length
 * of a payload. A C keyword, or a payload length name that a field already takes (payload
 * `data` beside field `dataLen`), gets a trailing underscore; snake_case names of spec
 * identifiers never end with one, so the result is unique.
 */
function membersOf(path: LayoutPath): Members {
  const of = new Map<string, string>();
  for (const e of path.elements) {
    if (e.kind === "field" && (e.type === "reserved" || e.type === "const")) continue;
    const n = snakeCase(e.name);
    of.set(e.name, C_RESERVED.has(n) ? `${n}_` : n);
  }
  const taken = new Set(of.values());
  const len = new Map<string, string>();
  for (const e of path.elements) {
    if (e.kind !== "payload") continue;
    const n = `${of.get(e.name)!}_len`;
    len.set(e.name, taken.has(n) ? `${n}_` : n);
  }
  return { of: (name) => of.get(name)!, len: (name) => len.get(name)! };
}

function payloadLen(pl: PayloadModel, structRef: string, m: Members): string {
  if (pl.length.kind === "remainder") return `${structRef}${m.len(pl.name)}`;
  const r = `${structRef}${m.of(pl.length.field)}`;
  const count =
    pl.length.zeroMeans !== undefined ? `(${r} == 0 ? ${pl.length.zeroMeans}u : ${r})` : r;
  return `((size_t)${count} * ${pl.length.unit}u)`;
}

const HELPERS = `#ifndef RASHPA_C_HELPERS
#define RASHPA_C_HELPERS
/* Shared by every generated header. Bits are numbered MSB first: bit 0 is the most
 * significant bit of byte 0; multi-bit fields are big-endian. */
enum {
  RASHPA_OK = 0,
  RASHPA_ERR_TRUNCATED = -1, /* input shorter than the layout, or output buffer too small */
  RASHPA_ERR_RESERVED = -2,  /* a reserved or constant field holds another value */
  RASHPA_ERR_VARIANT = -3,   /* discriminants select no variant, or another variant */
  RASHPA_ERR_RANGE = -4,     /* a field value does not fit its width */
  RASHPA_ERR_ENUM = -5,      /* an enum field holds no member's value */
  RASHPA_ERR_LENGTH = -6     /* a payload length disagrees with its length field */
};

static inline uint64_t rashpa_get_bits(const uint8_t *p, size_t bit, unsigned width) {
  uint64_t v = 0;
  for (unsigned i = 0; i < width; i++) {
    size_t b = bit + i;
    v = (v << 1) | (uint64_t)((p[b >> 3] >> (7u - (unsigned)(b & 7u))) & 1u);
  }
  return v;
}

static inline void rashpa_put_bits(uint8_t *p, size_t bit, unsigned width, uint64_t v) {
  for (unsigned i = 0; i < width; i++) {
    size_t b = bit + i;
    unsigned shift = 7u - (unsigned)(b & 7u);
    uint8_t m = (uint8_t)(1u << shift);
    if ((v >> (width - 1u - i)) & 1u) p[b >> 3] = (uint8_t)(p[b >> 3] | m);
    else p[b >> 3] = (uint8_t)(p[b >> 3] & (uint8_t)~m);
  }
}
#endif
`;

/** Emits the C variant selector: mirrors the spec's first-match rule. */
function emitVariantFn(out: Emitter, spec: SpecModel, format: FormatModel): void {
  const P = prefixOf(spec, format);
  let index = 0;
  // Discriminants and length fields are read into block-scoped locals r_<name>; names are
  // unique along a path, so nested blocks never redeclare one in the same scope.
  const walk = (items: readonly ItemModel[]): void => {
    for (let i = 0; i < items.length; i++) {
      const it = items[i]!;
      if (it.kind === "field") {
        if ((it.type === "uint" || it.type === "enum" || it.type === "bool") && it.bits <= 32) {
          out.line(`if (len * 8 < pos + ${it.bits}) return RASHPA_ERR_TRUNCATED;`);
          out.line(`uint32_t r_${it.name} = (uint32_t)rashpa_get_bits(buf, pos, ${it.bits});`);
          out.line(`(void)r_${it.name};`);
        }
        out.line(`pos += ${it.bits};`);
      } else if (it.kind === "payload") {
        if (it.length.kind === "remainder") break;
        const r = `r_${it.length.field}`;
        const count =
          it.length.zeroMeans !== undefined ? `(${r} == 0 ? ${it.length.zeroMeans}u : ${r})` : r;
        out.line(`pos += (size_t)${count} * ${it.length.unit}u * 8u;`);
      } else {
        emitSwitch(it, items.slice(i + 1));
        return;
      }
    }
    out.line(`return ${index++};`);
  };
  const emitSwitch = (sw: SwitchModel, rest: readonly ItemModel[]): void => {
    sw.cases.forEach((c, ci) => {
      const conds = Object.entries(c.when).map(
        ([k, vals]) => `(${vals.map((v) => `r_${k} == ${v}u`).join(" || ")})`,
      );
      const cond = conds.length === 0 ? "1" : conds.join(" && ");
      out.block(`${ci === 0 ? "" : "else "}if (${cond}) {`, () => walk([...c.items, ...rest]));
    });
    if (sw.optional) out.block("else {", () => walk(rest));
    else if (!sw.cases.some((c) => Object.keys(c.when).length === 0))
      out.line("return RASHPA_ERR_VARIANT;");
  };
  out.line(
    `/** Variant of the ${format.id} value in buf (an index of enum ${P}_variant), or a negative RASHPA_ERR_ code. */`,
  );
  out.block(`static inline int ${P}_variant(const uint8_t *buf, size_t len) {`, () => {
    out.line("size_t pos = 0; /* bits */");
    // A format that starts with a remainder payload reads nothing.
    out.line("(void)buf;");
    out.line("(void)len;");
    out.line("(void)pos;");
    walk(format.items);
  });
  out.line();
}

function emitPath(
  out: Emitter,
  spec: SpecModel,
  format: FormatModel,
  path: LayoutPath,
  index: number,
): void {
  const V = variantPrefix(spec, format, path);
  const M = screamingCase(V);
  const P = prefixOf(spec, format);
  const fields = valueFields(path);
  const offsets = staticOffsets(path);
  out.line(
    `/* ${format.id}${path.name === "" ? "" : `, variant ${path.name} (${P}_variant() == ${index})`}: ${format.title} */`,
  );
  for (const e of path.elements) {
    const off = offsets.get(e);
    if (e.kind === "payload" || off === undefined) continue;
    const N = `${M}_${screamingCase(e.name)}`;
    out.line(`#define ${N}_BITOFF ${off}u`);
    out.line(`#define ${N}_WIDTH ${e.bits}u`);
    if (e.bits <= 32 && Math.floor(off / 32) === Math.floor((off + e.bits - 1) / 32)) {
      const shift = 32 - (off % 32) - e.bits;
      out.line(`#define ${N}_WORD ${Math.floor(off / 32)}u`);
      out.line(`#define ${N}_SHIFT ${shift}u`);
      out.line(`#define ${N}_MASK ${hexU(((1n << BigInt(e.bits)) - 1n) << BigInt(shift), 32)}`);
    }
  }
  out.line();
  const m = membersOf(path);
  // Only reserved and constant fields: the struct has nothing to read or write.
  const empty = fields.length === 0 && !path.elements.some((e) => e.kind === "payload");
  out.block(
    "typedef struct {",
    () => {
      for (const e of path.elements) {
        if (e.kind === "payload") {
          out.line(`const uint8_t *${m.of(e.name)}; /* ${e.doc.trim().split("\n")[0] ?? ""} */`);
          out.line(`size_t ${m.len(e.name)};`);
        } else if (fields.includes(e)) {
          const doc = e.doc.trim().split("\n")[0] ?? "";
          if (e.type === "bytes") out.line(`uint8_t ${m.of(e.name)}[${e.bits / 8}]; /* ${doc} */`);
          else
            out.line(
              `${cType(e)} ${m.of(e.name)}; /* ${e.bits} bits${e.enum ? `, enum ${e.enum.name}` : ""}: ${doc.replace(/\*\//g, "")} */`,
            );
        }
      }
      if (empty) out.line("uint8_t unused_;");
    },
    `} ${V}_t;`,
  );
  out.line();

  const sref = (name: string): string => `s->${m.of(name)}`;
  const slen = (name: string): string => `s->${m.len(name)}`;
  // unpack
  out.line(
    `/** Decodes ${V}_t from buf; returns the bytes read or a negative RASHPA_ERR_ code. */`,
  );
  out.block(`static inline long ${V}_unpack(const uint8_t *buf, size_t len, ${V}_t *s) {`, () => {
    if (empty) out.line("(void)s;");
    out.line(`int v = ${P}_variant(buf, len);`);
    out.line("if (v < 0) return v;");
    out.line(`if (v != ${index}) return RASHPA_ERR_VARIANT;`);
    out.line("size_t pos = 0; /* bits */");
    for (const e of path.elements) {
      if (e.kind === "payload") {
        if (e.length.kind === "remainder") {
          const trailer =
            path.elements
              .slice(path.elements.indexOf(e) + 1)
              .reduce((a, x) => a + (x.kind === "field" ? x.bits : 0), 0) / 8;
          out.line(`if (len < pos / 8 + ${trailer}u) return RASHPA_ERR_TRUNCATED;`);
          out.line(`${slen(e.name)} = len - pos / 8 - ${trailer}u;`);
        } else {
          out.line(`${slen(e.name)} = ${payloadLen(e, "s->", m)};`);
        }
        out.line(`if (len < pos / 8 + ${slen(e.name)}) return RASHPA_ERR_TRUNCATED;`);
        out.line(`${sref(e.name)} = buf + pos / 8;`);
        out.line(`pos += ${slen(e.name)} * 8u;`);
        continue;
      }
      out.line(`if (len * 8 < pos + ${e.bits}) return RASHPA_ERR_TRUNCATED;`);
      if (e.type === "reserved" || e.type === "const") {
        if (!e.ignore)
          out.line(
            `if (rashpa_get_bits(buf, pos, ${e.bits}) != ${hexU(e.value ?? 0n, 64)}) return RASHPA_ERR_RESERVED;`,
          );
      } else if (e.type === "bytes") {
        out.line(
          `for (size_t i = 0; i < ${e.bits / 8}u; i++) ${sref(e.name)}[i] = buf[pos / 8 + i];`,
        );
      } else if (e.type === "bool") {
        out.line(`${sref(e.name)} = rashpa_get_bits(buf, pos, 1) != 0;`);
      } else {
        out.line(`${sref(e.name)} = (${cType(e)})rashpa_get_bits(buf, pos, ${e.bits});`);
        if (e.type === "enum") {
          out.line(
            `if (${e.enum!.values.map((x) => `${sref(e.name)} != ${x.value}u`).join(" && ")}) return RASHPA_ERR_ENUM;`,
          );
        }
      }
      out.line(`pos += ${e.bits};`);
    }
    out.line("return (long)(pos / 8);");
  });
  out.line();

  // pack
  out.line(
    `/** Encodes s into buf (capacity cap); returns the bytes written or a negative RASHPA_ERR_ code.`,
  );
  out.line(
    ` *  Ranges, enums and lengths are checked before writing; RASHPA_ERR_VARIANT (discriminants that`,
  );
  out.line(
    ` *  select another variant) is found after writing, and buf then holds the rejected image. */`,
  );
  out.block(`static inline long ${V}_pack(const ${V}_t *s, uint8_t *buf, size_t cap) {`, () => {
    if (empty) out.line("(void)s;");
    out.line("size_t pos = 0; /* bits */");
    // Range checks first: nothing is written for an invalid value.
    for (const e of fields) {
      if (e.type === "uint" && e.bits < 32)
        out.line(
          `if (${sref(e.name)} > ${hexU((1n << BigInt(e.bits)) - 1n, 32)}) return RASHPA_ERR_RANGE;`,
        );
      if (e.type === "uint" && e.bits > 32 && e.bits < 64)
        out.line(
          `if (${sref(e.name)} > ${hexU((1n << BigInt(e.bits)) - 1n, 64)}) return RASHPA_ERR_RANGE;`,
        );
      if (e.type === "enum")
        out.line(
          `if (${e.enum!.values.map((x) => `${sref(e.name)} != ${x.value}u`).join(" && ")}) return RASHPA_ERR_ENUM;`,
        );
    }
    let fixedBits = 0;
    const lens: string[] = [];
    for (const e of path.elements) {
      if (e.kind === "payload") {
        if (e.length.kind === "field")
          out.line(`if (${slen(e.name)} != ${payloadLen(e, "s->", m)}) return RASHPA_ERR_LENGTH;`);
        lens.push(`${slen(e.name)}`);
      } else fixedBits += e.bits;
    }
    out.line(`size_t total = ${[String(fixedBits / 8) + "u", ...lens].join(" + ")};`);
    out.line("if (cap < total) return RASHPA_ERR_TRUNCATED;");
    out.line("for (size_t i = 0; i < total; i++) buf[i] = 0;");
    for (const e of path.elements) {
      if (e.kind === "payload") {
        out.line(
          `for (size_t i = 0; i < ${slen(e.name)}; i++) buf[pos / 8 + i] = ${sref(e.name)}[i];`,
        );
        out.line(`pos += ${slen(e.name)} * 8u;`);
        continue;
      }
      if (e.type === "reserved" || e.type === "const") {
        if ((e.value ?? 0n) !== 0n)
          out.line(`rashpa_put_bits(buf, pos, ${e.bits}, ${hexU(e.value!, 64)});`);
      } else if (e.type === "bytes") {
        out.line(
          `for (size_t i = 0; i < ${e.bits / 8}u; i++) buf[pos / 8 + i] = ${sref(e.name)}[i];`,
        );
      } else {
        out.line(`rashpa_put_bits(buf, pos, ${e.bits}, (uint64_t)${sref(e.name)});`);
      }
      out.line(`pos += ${e.bits};`);
    }
    if (path.choices.length > 0)
      out.line(`if (${P}_variant(buf, total) != ${index}) return RASHPA_ERR_VARIANT;`);
    out.line("return (long)total;");
  });
  out.line();
}

/**
 * Generates the C header of a spec.
 *
 * @param spec - a loaded spec
 * @returns the header text
 */
export function generateCHeader(spec: SpecModel): string {
  const out = new Emitter("  ");
  const guard = `${screamingCase(spec.id)}_H`;
  out.line(generatedHeader(spec, "//"));
  out.line(`/* ${spec.title} (spec ${spec.id}): structs, field macros, pack/unpack. C11. */`);
  out.line(`#ifndef ${guard}`);
  out.line(`#define ${guard}`);
  out.line();
  out.line("#include <stdbool.h>");
  out.line("#include <stddef.h>");
  out.line("#include <stdint.h>");
  out.line();
  out.raw(HELPERS);
  out.line();
  for (const e of spec.enums) {
    out.line(`/* enum ${e.name} (${e.bits} bits) */`);
    for (const v of e.values)
      out.line(
        `#define ${screamingCase(`${spec.idPrefix}_${e.name}`)}_${screamingCase(v.name)} ${v.value}u`,
      );
    out.line();
  }
  for (const f of spec.formats) {
    const P = prefixOf(spec, f);
    const paths = layoutPaths(f);
    out.line(`/* ${"=".repeat(86)} */`);
    out.line(`/* ${f.id}: ${f.title} */`);
    out.line();
    out.block(
      `enum ${P}_variant {`,
      () => {
        paths.forEach((p, i) =>
          out.line(`${screamingCase(variantPrefix(spec, f, p))}_VARIANT = ${i},`),
        );
      },
      "};",
    );
    out.line();
    emitVariantFn(out, spec, f);
    paths.forEach((p, i) => emitPath(out, spec, f, p, i));
  }
  emitCRegisterMaps(out, spec);
  out.line(`#endif /* ${guard} */`);
  return out.toString();
}

/**
 * Largest value the self-check reads: 64 KiB, or the largest variant of the spec with its
 * payloads at `maxBytes` (the bound of the test values it is fed), if larger.
 */
function selfCheckMaxBytes(spec: SpecModel): number {
  let max = 65536;
  for (const f of spec.formats)
    for (const p of layoutPaths(f)) {
      const bits = p.elements.reduce(
        (a, e) => a + (e.kind === "field" ? e.bits : 8 * e.maxBytes),
        0,
      );
      max = Math.max(max, bits / 8);
    }
  return max;
}

/** Most tokens of a vector line: 256, or format, variant, bytes and every field of the widest variant. */
function selfCheckMaxTokens(spec: SpecModel): number {
  let max = 256;
  for (const f of spec.formats)
    for (const p of layoutPaths(f)) max = Math.max(max, 3 + p.elements.length);
  return max;
}

/**
 * Generates the self-check program of a spec (reads vectors on stdin; see the module comment).
 *
 * @param spec - a loaded spec
 * @returns the C source
 */
export function generateCSelfCheck(spec: SpecModel): string {
  const base = specBaseName(spec.file);
  const out = new Emitter("  ");
  out.line(generatedHeader(spec, "//"));
  out.line(
    `/* Self-check of ${base}.h against vectors from the TypeScript codec (format in codegen's c-header.ts). */`,
  );
  out.line("#include <stdio.h>");
  out.line("#include <stdlib.h>");
  out.line("#include <string.h>");
  out.line(`#include "${base}.h"`);
  out.line();
  // Byte-string fields are compared by same_bytes (unused, hence left out, without them).
  const byteStrings = spec.formats.some((f) =>
    layoutPaths(f).some((p) => p.elements.some((e) => e.kind === "payload" || e.type === "bytes")),
  );
  out.raw(`#define MAX_BYTES ${selfCheckMaxBytes(spec)}
#define MAX_TOKENS ${selfCheckMaxTokens(spec)}

static uint8_t input[MAX_BYTES];
static uint8_t packed[MAX_BYTES];${byteStrings ? "\nstatic uint8_t expect[MAX_BYTES];" : ""}
static char line[8 * MAX_BYTES];
static long lineno;

static int hexdigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* Parses a hex byte string ("-" is empty); returns the length or -1. */
static long parse_bytes(const char *s, uint8_t *out) {
  if (strcmp(s, "-") == 0) return 0;
  size_t n = strlen(s);
  if (n % 2 != 0 || n / 2 > MAX_BYTES) return -1;
  for (size_t i = 0; i < n / 2; i++) {
    int hi = hexdigit(s[2 * i]), lo = hexdigit(s[2 * i + 1]);
    if (hi < 0 || lo < 0) return -1;
    out[i] = (uint8_t)(hi * 16 + lo);
  }
  return (long)(n / 2);
}

static int fail(const char *format, const char *what, const char *field, unsigned long long want, unsigned long long got) {
  fprintf(stderr, "line %ld: %s: %s %s: expected 0x%llx, got 0x%llx\\n", lineno, format, what, field, want, got);
  return 1;
}
`);
  if (byteStrings)
    out.raw(`
static int same_bytes(const char *format, const char *field, const char *hex, const uint8_t *got, size_t got_len) {
  long n = parse_bytes(hex, expect);
  if (n < 0 || (size_t)n != got_len || memcmp(expect, got, got_len) != 0) {
    fprintf(stderr, "line %ld: %s: field %s: expected %s, got %zu other bytes\\n", lineno, format, field, hex, got_len);
    return 0;
  }
  return 1;
}
`);
  out.line();
  for (const f of spec.formats) {
    const P = prefixOf(spec, f);
    const paths = layoutPaths(f);
    out.block(
      `static int check_${P}(long variant, const uint8_t *buf, size_t len, char **tok, int ntok) {`,
      () => {
        if (
          paths.every((p) =>
            p.elements.every(
              (e) => e.kind === "field" && (e.type === "reserved" || e.type === "const"),
            ),
          )
        )
          out.line("(void)tok;");
        out.line(`int v = ${P}_variant(buf, len);`);
        out.line(
          `if (v != variant) return fail("${f.id}", "variant", "", (unsigned long long)variant, (unsigned long long)v);`,
        );
        out.block("switch (v) {", () => {
          paths.forEach((p, i) => {
            const V = variantPrefix(spec, f, p);
            const fields = p.elements.filter(
              (e): e is FieldModel | PayloadModel =>
                e.kind === "payload" || valueFields(p).includes(e),
            );
            const m = membersOf(p);
            out.block(`case ${i}: {`, () => {
              out.line(
                `if (ntok != ${fields.length}) return fail("${f.id}", "value count", "", ${fields.length}u, (unsigned long long)ntok);`,
              );
              out.line(`${V}_t s;`);
              out.line("memset(&s, 0, sizeof s);");
              out.line(`long n = ${V}_unpack(buf, len, &s);`);
              // n < 0 first: gcc would otherwise follow an error code into len, then warn that
              // memcmp below may read 2^64 - 5 bytes (-Wstringop-overread).
              out.line(
                `if (n < 0 || (size_t)n != len) return fail("${f.id}", "unpack", "length", (unsigned long long)len, (unsigned long long)n);`,
              );
              fields.forEach((e, ti) => {
                const name = m.of(e.name);
                if (e.kind === "payload")
                  out.line(
                    `if (!same_bytes("${f.id}", "${e.name}", tok[${ti}], s.${name}, s.${m.len(e.name)})) return 1;`,
                  );
                else if (e.type === "bytes")
                  out.line(
                    `if (!same_bytes("${f.id}", "${e.name}", tok[${ti}], s.${name}, ${e.bits / 8}u)) return 1;`,
                  );
                else {
                  out.line(`{ unsigned long long want = strtoull(tok[${ti}], NULL, 16);`);
                  out.line(
                    `  if ((unsigned long long)s.${name} != want) return fail("${f.id}", "field", "${e.name}", want, (unsigned long long)s.${name}); }`,
                  );
                }
              });
              out.line(`long m = ${V}_pack(&s, packed, sizeof packed);`);
              out.line(
                `if (m < 0 || (size_t)m != len) return fail("${f.id}", "pack", "length", (unsigned long long)len, (unsigned long long)m);`,
              );
              out.line(
                `if (memcmp(packed, buf, len) != 0) return fail("${f.id}", "pack", "bytes", 0, 1);`,
              );
              out.line("return 0;");
            });
          });
          out.line(
            `default: return fail("${f.id}", "variant", "", (unsigned long long)variant, (unsigned long long)v);`,
          );
        });
      },
    );
    out.line();
  }
  if (spec.registerMaps.length > 0) emitCRegisterTable(out, spec);
  out.block("int main(int argc, char **argv) {", () => {
    if (spec.registerMaps.length > 0)
      out.line(
        'if (argc > 1 && strcmp(argv[1], "--registers") == 0) { print_registers(); return 0; }',
      );
    else out.line("(void)argv;");
    out.line(
      'if (argc > 1) { fprintf(stderr, "usage: selfcheck [--registers] < vectors\\n"); return 2; }',
    );
    out.line("long checked = 0;");
    if (spec.formats.length === 0) out.line("(void)packed; (void)fail;");
    out.block("while (fgets(line, sizeof line, stdin) != NULL) {", () => {
      out.line("lineno++;");
      out.line("char *tok[MAX_TOKENS];");
      out.line("int ntok = 0;");
      out.line(
        'for (char *t = strtok(line, " \\t\\r\\n"); t != NULL && ntok < MAX_TOKENS; t = strtok(NULL, " \\t\\r\\n")) tok[ntok++] = t;',
      );
      out.line("if (ntok == 0) continue;");
      out.line(
        'if (ntok < 3) { fprintf(stderr, "line %ld: expected <format> <variant> <hex> <fields...>\\n", lineno); return 2; }',
      );
      out.line("long len = parse_bytes(tok[2], input);");
      out.line('if (len < 0) { fprintf(stderr, "line %ld: bad hex\\n", lineno); return 2; }');
      if (spec.formats.length === 0) {
        // A spec of enums and registers only: every vector names an unknown format.
        out.line('fprintf(stderr, "line %ld: unknown format %s\\n", lineno, tok[0]); return 2;');
        return;
      }
      out.line("long variant = strtol(tok[1], NULL, 10);");
      out.line("int bad;");
      spec.formats.forEach((f, i) => {
        out.line(
          `${i === 0 ? "if" : "else if"} (strcmp(tok[0], "${f.id}") == 0) bad = check_${prefixOf(spec, f)}(variant, input, (size_t)len, tok + 3, ntok - 3);`,
        );
      });
      out.line(
        'else { fprintf(stderr, "line %ld: unknown format %s\\n", lineno, tok[0]); return 2; }',
      );
      out.line("if (bad) return 1;");
      out.line("checked++;");
    });
    out.line(`printf("${spec.id}: %ld vectors ok\\n", checked);`);
    out.line("return 0;");
  });
  return out.toString();
}
