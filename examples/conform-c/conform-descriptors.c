/* The generated C codec of the RASHPA descriptors (descriptors.h, from
 * specs/rashpa/descriptors.yaml) behind the `rashpa conform` line protocol, for rashpa.btd,
 * rashpa.event and rashpa.atu-entry:
 *
 *   decode <hex>   ->  the value as one line of JSON (the shape `rashpa decode` prints)
 *   encode <json>  ->  the encoding as hex
 *   either         ->  "error: <reason>" when the input is not valid
 *
 * Usage: conform-descriptors <format id>, e.g.
 *   rashpa conform rashpa.btd --cmd './conform-descriptors rashpa.btd'
 *
 * Only the generated pack/unpack functions know the layouts; this file parses hex and a flat
 * JSON object and prints JSON. C11, no dependencies. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "descriptors.h"

#define LINE_MAX_BYTES 65536
#define MAX_PAIRS 32

static char line[LINE_MAX_BYTES];
static uint8_t bytes[LINE_MAX_BYTES / 2];
static uint8_t out[64];

/* ------------------------------------------------------------------ errors and output */

static const char *codec_error(long code) {
  switch (code) {
    case RASHPA_ERR_TRUNCATED: return "truncated input";
    case RASHPA_ERR_RESERVED: return "a reserved field is not zero";
    case RASHPA_ERR_VARIANT: return "no variant matches";
    case RASHPA_ERR_RANGE: return "a field does not fit its width";
    case RASHPA_ERR_ENUM: return "an enum field holds no member";
    case RASHPA_ERR_LENGTH: return "a length disagrees with its payload";
    default: return "unknown error";
  }
}

static int answer_error(const char *why) {
  printf("error: %s\n", why);
  return 0;
}

static const char *boolean(bool b) { return b ? "true" : "false"; }

static void print_hex(const uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++) printf("%02x", p[i]);
}

/* ------------------------------------------------------------------ enums of the spec */

static const char *const BTD_KINDS[] = {"image", "roi", "metadata", "inline"};
static const char *const EVENT_TYPES[] = {NULL,    "end-of-frame", "end-of-roi", "end-of-acquisition",
                                          "overrun", "error",      "link-up",    "link-down",
                                          "timer"};

/* ------------------------------------------------------------------ hex */

static int hexdigit(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* Parses hex digits (no separators) into buf; returns the length or -1. */
static long parse_hex(const char *s, uint8_t *buf, size_t cap) {
  size_t n = strlen(s);
  if (n % 2 != 0 || n / 2 > cap) return -1;
  for (size_t i = 0; i < n / 2; i++) {
    int hi = hexdigit((unsigned char)s[2 * i]), lo = hexdigit((unsigned char)s[2 * i + 1]);
    if (hi < 0 || lo < 0) return -1;
    buf[i] = (uint8_t)(hi * 16 + lo);
  }
  return (long)(n / 2);
}

/* ------------------------------------------------------------------ a flat JSON object */

typedef struct {
  char key[64];
  char value[256]; /* a string's contents, or the literal text of a number / true / false */
  bool is_string;
} pair_t;

static pair_t pairs[MAX_PAIRS];
static int npairs;

static const char *skip_ws(const char *p) {
  while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') p++;
  return p;
}

/* Reads a JSON string at p (after its opening quote) into dst; returns the end or NULL. */
static const char *read_string(const char *p, char *dst, size_t cap) {
  size_t n = 0;
  while (*p != '"') {
    if (*p == '\0') return NULL;
    char c = *p++;
    if (c == '\\') {
      c = *p++;
      if (c != '"' && c != '\\' && c != '/') return NULL;
    }
    if (n + 1 >= cap) return NULL;
    dst[n++] = c;
  }
  dst[n] = '\0';
  return p + 1;
}

/* Parses {"key": value, ...} with string, number and boolean values; returns 0 or -1. */
static int parse_object(const char *p) {
  npairs = 0;
  p = skip_ws(p);
  if (*p++ != '{') return -1;
  p = skip_ws(p);
  if (*p == '}') return *skip_ws(p + 1) == '\0' ? 0 : -1;
  for (;;) {
    if (npairs == MAX_PAIRS) return -1;
    pair_t *kv = &pairs[npairs++];
    p = skip_ws(p);
    if (*p++ != '"') return -1;
    if ((p = read_string(p, kv->key, sizeof kv->key)) == NULL) return -1;
    p = skip_ws(p);
    if (*p++ != ':') return -1;
    p = skip_ws(p);
    if (*p == '"') {
      kv->is_string = true;
      if ((p = read_string(p + 1, kv->value, sizeof kv->value)) == NULL) return -1;
    } else {
      size_t n = 0;
      kv->is_string = false;
      while (isalnum((unsigned char)*p) || *p == '-' || *p == '+' || *p == '.') {
        if (n + 1 >= sizeof kv->value) return -1;
        kv->value[n++] = *p++;
      }
      if (n == 0) return -1;
      kv->value[n] = '\0';
    }
    p = skip_ws(p);
    if (*p == ',') {
      p++;
      continue;
    }
    if (*p++ != '}') return -1;
    return *skip_ws(p) == '\0' ? 0 : -1;
  }
}

static const pair_t *lookup(const char *key) {
  for (int i = 0; i < npairs; i++)
    if (strcmp(pairs[i].key, key) == 0) return &pairs[i];
  return NULL;
}

static char problem[160];

/* An unsigned integer field: a JSON number, or a decimal or 0x string. */
static bool get_uint(const char *key, uint64_t max, uint64_t *v) {
  const pair_t *kv = lookup(key);
  if (kv == NULL) return snprintf(problem, sizeof problem, "missing field %s", key), false;
  const char *s = kv->value;
  int base = 10;
  if (kv->is_string && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) base = 16, s += 2;
  if (*s == '\0' || (base == 10 && !isdigit((unsigned char)*s)) || (base == 16 && hexdigit((unsigned char)*s) < 0))
    return snprintf(problem, sizeof problem, "field %s is not an integer", key), false;
  char *end;
  errno = 0;
  unsigned long long n = strtoull(s, &end, base);
  if (*end != '\0' || errno != 0 || n > max)
    return snprintf(problem, sizeof problem, "field %s is out of range", key), false;
  *v = n;
  return true;
}

static bool get_u32(const char *key, uint64_t max, uint32_t *v) {
  uint64_t n;
  if (!get_uint(key, max, &n)) return false;
  *v = (uint32_t)n;
  return true;
}

static bool get_bool(const char *key, bool *v) {
  const pair_t *kv = lookup(key);
  if (kv == NULL || kv->is_string) return snprintf(problem, sizeof problem, "field %s is not a bool", key), false;
  if (strcmp(kv->value, "true") == 0 || strcmp(kv->value, "1") == 0) return *v = true, true;
  if (strcmp(kv->value, "false") == 0 || strcmp(kv->value, "0") == 0) return *v = false, true;
  return snprintf(problem, sizeof problem, "field %s is not a bool", key), false;
}

static bool get_enum(const char *key, const char *const *names, size_t count, uint32_t *v) {
  const pair_t *kv = lookup(key);
  if (kv != NULL && kv->is_string)
    for (size_t i = 0; i < count; i++)
      if (names[i] != NULL && strcmp(names[i], kv->value) == 0) return *v = (uint32_t)i, true;
  return snprintf(problem, sizeof problem, "field %s is not a member", key), false;
}

static bool get_bytes(const char *key, uint8_t *dst, size_t n) {
  const pair_t *kv = lookup(key);
  if (kv == NULL || !kv->is_string || parse_hex(kv->value, dst, n) != (long)n)
    return snprintf(problem, sizeof problem, "field %s is not %zu bytes of hex", key, n), false;
  return true;
}

#define U32(key, max, dst) get_u32(key, max, dst)
#define U64(key, max, dst) get_uint(key, max, dst)
#define BOOL(key, dst) get_bool(key, dst)

/* ------------------------------------------------------------------ rashpa.btd */

static int btd_decode(const uint8_t *buf, size_t len) {
  int v = rashpa_btd_variant(buf, len);
  if (v < 0) return answer_error(codec_error(v));
  long n;
  if (v == RASHPA_BTD_DMA_VARIANT) {
    rashpa_btd_dma_t s;
    if ((n = rashpa_btd_dma_unpack(buf, len, &s)) < 0) return answer_error(codec_error(n));
    if ((size_t)n != len) return answer_error("trailing bytes");
    printf("{\"size\":%u,\"kind\":\"%s\",\"channel\":%u,\"sof\":%s,\"eof\":%s,\"eoa\":%s,\"notify\":%s,"
           "\"block\":%u,\"layout\":\"dma\",\"source\":\"0x%llx\",\"frame\":%u,\"atuIndex\":%u,"
           "\"offset\":\"0x%llx\"}\n",
           s.size, BTD_KINDS[s.kind], s.channel, boolean(s.sof), boolean(s.eof), boolean(s.eoa),
           boolean(s.notify), s.block, (unsigned long long)s.source, s.frame, s.atu_index,
           (unsigned long long)s.offset);
  } else if (v == RASHPA_BTD_ROI_VARIANT) {
    rashpa_btd_roi_t s;
    if ((n = rashpa_btd_roi_unpack(buf, len, &s)) < 0) return answer_error(codec_error(n));
    if ((size_t)n != len) return answer_error("trailing bytes");
    printf("{\"size\":%u,\"kind\":\"%s\",\"channel\":%u,\"sof\":%s,\"eof\":%s,\"eoa\":%s,\"notify\":%s,"
           "\"block\":%u,\"layout\":\"roi\",\"source\":\"0x%llx\",\"frame\":%u,\"lineBytes\":%u,"
           "\"pitch\":%u,\"atuIndex\":%u,\"offset\":\"0x%llx\"}\n",
           s.size, BTD_KINDS[s.kind], s.channel, boolean(s.sof), boolean(s.eof), boolean(s.eoa),
           boolean(s.notify), s.block, (unsigned long long)s.source, s.frame, s.line_bytes, s.pitch,
           s.atu_index, (unsigned long long)s.offset);
  } else {
    rashpa_btd_inline_t s;
    if ((n = rashpa_btd_inline_unpack(buf, len, &s)) < 0) return answer_error(codec_error(n));
    if ((size_t)n != len) return answer_error("trailing bytes");
    printf("{\"size\":%u,\"kind\":\"%s\",\"channel\":%u,\"sof\":%s,\"eof\":%s,\"eoa\":%s,\"notify\":%s,"
           "\"block\":%u,\"layout\":\"inline\",\"data\":\"",
           s.size, BTD_KINDS[s.kind], s.channel, boolean(s.sof), boolean(s.eof), boolean(s.eoa),
           boolean(s.notify), s.block);
    print_hex(s.data, sizeof s.data);
    printf("\",\"atuIndex\":%u,\"offset\":\"0x%llx\"}\n", s.atu_index, (unsigned long long)s.offset);
  }
  return 0;
}

/* The fields every BTD layout shares. */
#define BTD_COMMON(s)                                                                             \
  (U32("size", 0xffffffffu, &(s).size) && U32("channel", 0xf, &(s).channel) &&                   \
   BOOL("sof", &(s).sof) && BOOL("eof", &(s).eof) && BOOL("eoa", &(s).eoa) &&                     \
   BOOL("notify", &(s).notify) && U32("block", 0xffff, &(s).block) &&                            \
   U32("atuIndex", 0xffff, &(s).atu_index) && U64("offset", 0xffffffffffffull, &(s).offset))

static long btd_encode(void) {
  uint32_t kind;
  if (!get_enum("kind", BTD_KINDS, 4, &kind)) return -100;
  if (kind == RASHPA_BTD_KIND_ROI) {
    rashpa_btd_roi_t s = {0};
    s.kind = kind;
    if (!(BTD_COMMON(s) && U64("source", 0xffffffffffffull, &s.source) &&
          U32("frame", 0xffffffffu, &s.frame) && U32("lineBytes", 0xffff, &s.line_bytes) &&
          U32("pitch", 0xffffffffu, &s.pitch)))
      return -100;
    return rashpa_btd_roi_pack(&s, out, sizeof out);
  }
  if (kind == RASHPA_BTD_KIND_INLINE) {
    rashpa_btd_inline_t s = {0};
    s.kind = kind;
    if (!(BTD_COMMON(s) && get_bytes("data", s.data, sizeof s.data))) return -100;
    return rashpa_btd_inline_pack(&s, out, sizeof out);
  }
  rashpa_btd_dma_t s = {0};
  s.kind = kind;
  if (!(BTD_COMMON(s) && U64("source", UINT64_MAX, &s.source) && U32("frame", 0xffffffffu, &s.frame)))
    return -100;
  return rashpa_btd_dma_pack(&s, out, sizeof out);
}

/* ------------------------------------------------------------------ rashpa.event */

static int event_decode(const uint8_t *buf, size_t len) {
  rashpa_event_t s;
  long n = rashpa_event_unpack(buf, len, &s);
  if (n < 0) return answer_error(codec_error(n));
  if ((size_t)n != len) return answer_error("trailing bytes");
  printf("{\"type\":\"%s\",\"channel\":%u,\"status\":%u,\"frame\":%u,\"sequence\":%u,"
         "\"timestamp\":\"0x%llx\",\"info\":\"0x%llx\"}\n",
         EVENT_TYPES[s.type], s.channel, s.status, s.frame, s.sequence,
         (unsigned long long)s.timestamp, (unsigned long long)s.info);
  return 0;
}

static long event_encode(void) {
  rashpa_event_t s = {0};
  if (!(get_enum("type", EVENT_TYPES, 9, &s.type) && U32("channel", 0xff, &s.channel) &&
        U32("status", 0xffff, &s.status) && U32("frame", 0xffffffffu, &s.frame) &&
        U32("sequence", 0xffffffffu, &s.sequence) && U64("timestamp", UINT64_MAX, &s.timestamp) &&
        U64("info", UINT64_MAX, &s.info)))
    return -100;
  return rashpa_event_pack(&s, out, sizeof out);
}

/* ------------------------------------------------------------------ rashpa.atu-entry */

static int atu_decode(const uint8_t *buf, size_t len) {
  rashpa_atu_entry_t s;
  long n = rashpa_atu_entry_unpack(buf, len, &s);
  if (n < 0) return answer_error(codec_error(n));
  if ((size_t)n != len) return answer_error("trailing bytes");
  printf("{\"address\":\"0x%llx\",\"size\":%u,\"receiver\":%u,\"writable\":%s,\"valid\":%s}\n",
         (unsigned long long)s.address, s.size, s.receiver, boolean(s.writable), boolean(s.valid));
  return 0;
}

static long atu_encode(void) {
  rashpa_atu_entry_t s = {0};
  if (!(U64("address", UINT64_MAX, &s.address) && U32("size", 0xffffffffu, &s.size) &&
        U32("receiver", 0xff, &s.receiver) && BOOL("writable", &s.writable) && BOOL("valid", &s.valid)))
    return -100;
  return rashpa_atu_entry_pack(&s, out, sizeof out);
}

/* ------------------------------------------------------------------ the protocol loop */

typedef struct {
  const char *id;
  int (*decode)(const uint8_t *, size_t);
  long (*encode)(void);
} format_t;

static const format_t FORMATS[] = {
    {"rashpa.btd", btd_decode, btd_encode},
    {"rashpa.event", event_decode, event_encode},
    {"rashpa.atu-entry", atu_decode, atu_encode},
};

int main(int argc, char **argv) {
  const format_t *f = NULL;
  for (size_t i = 0; argc == 2 && i < sizeof FORMATS / sizeof FORMATS[0]; i++)
    if (strcmp(argv[1], FORMATS[i].id) == 0) f = &FORMATS[i];
  if (f == NULL) {
    fprintf(stderr, "usage: conform-descriptors rashpa.btd|rashpa.event|rashpa.atu-entry\n");
    return 2;
  }
  while (fgets(line, sizeof line, stdin) != NULL) {
    size_t n = strlen(line);
    if (n > 0 && line[n - 1] != '\n' && !feof(stdin)) {
      int c;
      while ((c = getchar()) != EOF && c != '\n') {}
      answer_error("line too long");
    } else {
      while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = '\0';
      if (strncmp(line, "decode ", 7) == 0) {
        long len = parse_hex(line + 7, bytes, sizeof bytes);
        if (len < 0) answer_error("not hex");
        else f->decode(bytes, (size_t)len);
      } else if (strncmp(line, "encode ", 7) == 0) {
        long len;
        if (parse_object(line + 7) != 0) answer_error("not a flat JSON object");
        else if ((len = f->encode()) == -100) answer_error(problem);
        else if (len < 0) answer_error(codec_error(len));
        else print_hex(out, (size_t)len), printf("\n");
      } else {
        answer_error("unknown request (decode <hex> or encode <json>)");
      }
    }
    fflush(stdout);
  }
  return 0;
}
