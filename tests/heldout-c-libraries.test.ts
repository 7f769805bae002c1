// Optional held-out check of the assembler and linker on third-party C libraries not used by the other
// checks (their code is not part of rvx): lz4 (https://github.com/lz4/lz4: lz4, lz4hc, lz4frame, xxhash),
// Monocypher (https://github.com/LoupVaillant/Monocypher, with its optional Ed25519/SHA-512), libyaml
// (https://github.com/yaml/libyaml), tinyexpr (https://github.com/codeplea/tinyexpr) and QuickJS
// (https://github.com/bellard/quickjs: the engine, its regexp, unicode, cutils and dtoa). Point
// RVX_HELDOUT_C at a directory holding checkouts named lz4, Monocypher, libyaml, tinyexpr and quickjs (any
// of them; a missing one is skipped with a message). Each library and a driver of our own (below: it calls
// the library on fixed input, prints what it computed and checks known answers) are compiled by the cross gcc
// with picolibc to assembly at -O2 -g (rv64gc), -Os (rv64imac/lp64) and -O2 -msave-restore
// -fpatchable-function-entry=3,1 (QuickJS at -O2 only), with a bare-metal board (HTIF console), then:
//   every .s assembled by riscv64-unknown-elf-as and by `rvx asm -c --compat gnu` gives the same allocated
//     sections (bytes, relocations with R_RISCV_RELAX/ALIGN), the same symbols and no diagnostics;
//   GNU ld (its default script, --gc-sections) on GNU's objects and `rvx ld` on rvx's give byte-identical
//     loaded images, which under `rvx run` print the same, exit 0 after the same number of instructions;
//   `rvx asm -c` in its default (LLVM-choice) mode, linked by `rvx ld`, prints the same and exits 0.
// Skipped when RVX_HELDOUT_C is unset or the GNU tools are absent.

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, it } from 'vitest';
import { checkLibraryBuild, heldoutReady, type Library } from './helpers/heldout.js';

const ROOT = process.env.RVX_HELDOUT_C ?? '';
const ready = heldoutReady('heldout-c-libraries', ROOT);

const LZ4_MAIN = String.raw`#include "lz4.h"
#include "lz4hc.h"
#include "lz4frame.h"
#include "xxhash.h"
#include <stdio.h>
#include <string.h>
#define N 65536
static char src[N], comp[LZ4_COMPRESSBOUND(N) + 1024], back[N];
int main(void) {
  unsigned x = 12345, bad = 0;
  for (int i = 0; i < N; i++) {
    x = x * 1103515245u + 12345u;
    src[i] = i % 1000 < 300 ? "repeat"[i % 6] : "abcdefgh lz4 text "[(x >> 16) % 18];
  }
  int c = LZ4_compress_default(src, comp, N, sizeof comp);
  int d = LZ4_decompress_safe(comp, back, c, N);
  bad |= d != N || memcmp(src, back, N) != 0;
  printf("lz4 %d %d %08x\n", c, d, (unsigned)XXH32(comp, c, 0));
  for (int level = 1; level <= 12; level += 5) {
    int h = LZ4_compress_HC(src, comp, N, sizeof comp, level);
    d = LZ4_decompress_safe(comp, back, h, N);
    bad |= d != N || memcmp(src, back, N) != 0;
    printf("hc%d %d %08x\n", level, h, (unsigned)XXH32(comp, h, 0));
  }
  size_t f = LZ4F_compressFrame(comp, sizeof comp, src, N, NULL);
  LZ4F_dctx *dctx;
  LZ4F_createDecompressionContext(&dctx, LZ4F_VERSION);
  size_t out = N, in = f;
  size_t r = LZ4F_decompress(dctx, back, &out, comp, &in, NULL);
  LZ4F_freeDecompressionContext(dctx);
  bad |= LZ4F_isError(f) || r != 0 || out != N || memcmp(src, back, N) != 0;
  printf("frame %u %u %016llx\n", (unsigned)f, (unsigned)out, (unsigned long long)XXH64(src, N, 7));
  printf("%s\n", bad ? "FAIL" : "ok");
  return bad;
}
`;

const MONOCYPHER_MAIN = String.raw`#include "monocypher.h"
#include "monocypher-ed25519.h"
#include <stdio.h>
#include <string.h>
static void hex(const char *name, const uint8_t *p, size_t n) {
  printf("%s ", name);
  for (size_t i = 0; i < n; i++) printf("%02x", p[i]);
  printf("\n");
}
int main(void) {
  uint8_t h[64], seed[32], sk[64], pk[32], sig[64], a[32], b[32], pa[32], pb[32], s1[32], s2[32];
  uint8_t key[32], nonce[24], mac[16], text[100], cipher[100], plain[100];
  int bad = 0;
  crypto_blake2b(h, 64, (const uint8_t *)"abc", 3);
  hex("blake2b", h, 64);
  bad |= h[0] != 0xba || h[63] != 0x23;
  crypto_sha512(h, (const uint8_t *)"abc", 3);
  hex("sha512", h, 64);
  bad |= h[0] != 0xdd || h[63] != 0x9f;
  for (int i = 0; i < 32; i++) { seed[i] = (uint8_t)(i * 7 + 1); a[i] = (uint8_t)(i * 13 + 5); b[i] = (uint8_t)(255 - i * 3); key[i] = (uint8_t)i; }
  for (int i = 0; i < 24; i++) nonce[i] = (uint8_t)(100 + i);
  for (int i = 0; i < 100; i++) text[i] = (uint8_t)("monocypher held-out "[i % 20]);
  crypto_x25519_public_key(pa, a);
  crypto_x25519_public_key(pb, b);
  crypto_x25519(s1, a, pb);
  crypto_x25519(s2, b, pa);
  hex("x25519", s1, 32);
  bad |= memcmp(s1, s2, 32) != 0;
  uint8_t seed2[32];
  memcpy(seed2, seed, 32);
  crypto_ed25519_key_pair(sk, pk, seed2);
  crypto_ed25519_sign(sig, sk, text, 100);
  hex("ed25519", sig, 64);
  bad |= crypto_ed25519_check(sig, pk, text, 100) != 0;
  text[5] ^= 1;
  bad |= crypto_ed25519_check(sig, pk, text, 100) == 0;
  text[5] ^= 1;
  memcpy(seed2, seed, 32);
  crypto_eddsa_key_pair(sk, pk, seed2);
  crypto_eddsa_sign(sig, sk, text, 100);
  hex("eddsa", sig, 64);
  bad |= crypto_eddsa_check(sig, pk, text, 100) != 0;
  crypto_aead_lock(cipher, mac, key, nonce, NULL, 0, text, 100);
  hex("aead", mac, 16);
  bad |= crypto_aead_unlock(plain, mac, key, nonce, NULL, 0, cipher, 100) != 0 || memcmp(plain, text, 100) != 0;
  crypto_poly1305(mac, text, 100, key);
  hex("poly1305", mac, 16);
  printf("%s\n", bad ? "FAIL" : "ok");
  return bad;
}
`;

const LIBYAML_MAIN = String.raw`#include <yaml.h>
#include <stdio.h>
#include <string.h>
static const char doc[] =
  "%YAML 1.1\n---\nname: held-out\nlist: [1, 2.5, -3, 'quoted', \"esc\\tape\"]\n"
  "map:\n  a: &anchor {x: 1, y: [true, null, ~]}\n  b: *anchor\n  c: |\n    literal\n    block\n  d: >\n    folded\n    text\n"
  "seq:\n  - one\n  - two: 2\n    three: 3\n  - - nested\n    - !!str 42\n...\n---\nsecond: doc\n";
static unsigned char out[8192];
int main(void) {
  yaml_parser_t parser;
  yaml_event_t event;
  int counts[YAML_MAPPING_END_EVENT + 1] = {0}, done = 0, bad = 0;
  yaml_parser_initialize(&parser);
  yaml_parser_set_input_string(&parser, (const unsigned char *)doc, strlen(doc));
  while (!done) {
    if (!yaml_parser_parse(&parser, &event)) { printf("parse error %d line %lu\n", parser.error, (unsigned long)parser.problem_mark.line); bad = 1; break; }
    counts[event.type]++;
    done = event.type == YAML_STREAM_END_EVENT;
    yaml_event_delete(&event);
  }
  yaml_parser_delete(&parser);
  printf("events");
  for (int i = 1; i <= YAML_MAPPING_END_EVENT; i++) printf(" %d", counts[i]);
  printf("\n");
  yaml_document_t document;
  yaml_emitter_t emitter;
  size_t written = 0;
  yaml_parser_initialize(&parser);
  yaml_parser_set_input_string(&parser, (const unsigned char *)doc, strlen(doc));
  yaml_emitter_initialize(&emitter);
  yaml_emitter_set_output_string(&emitter, out, sizeof out - 1, &written);
  yaml_emitter_set_canonical(&emitter, 1);
  yaml_emitter_open(&emitter);
  int docs = 0;
  for (;;) {
    if (!yaml_parser_load(&parser, &document)) { bad = 1; break; }
    if (!yaml_document_get_root_node(&document)) { yaml_document_delete(&document); break; }
    docs++;
    if (!yaml_emitter_dump(&emitter, &document)) { bad = 1; break; }
  }
  yaml_emitter_close(&emitter);
  yaml_emitter_delete(&emitter);
  yaml_parser_delete(&parser);
  out[written] = 0;
  printf("docs %d bytes %u\n%s", docs, (unsigned)written, out);
  bad |= docs != 2 || counts[YAML_ALIAS_EVENT] != 1;
  printf("%s\n", bad ? "FAIL" : "ok");
  return bad;
}
`;

const TINYEXPR_MAIN = String.raw`#include "tinyexpr.h"
#include <stdio.h>
static double twice(double a) { return 2 * a; }
int main(void) {
  static const char *exprs[] = {
    "sqrt(5^2+7^2+11^2+(8-2)^2)", "-2^2", "2^3^2", "sin(pi/6)*cos(0)+atan2(1,1)", "ln(e^3)+log10(1000)",
    "fac(10)/ncr(10,3)+npr(5,2)", "floor(-3.5)+ceil(2.1)+abs(-7)", "exp(2)*exp(-2)", "1/3+tanh(0.5)", "pow(2,0.5)*(17%5)", "1+*2",
  };
  int bad = 0;
  for (unsigned i = 0; i < sizeof exprs / sizeof exprs[0]; i++) {
    int err;
    double r = te_interp(exprs[i], &err);
    printf("%s = %.10g (%d)\n", exprs[i], r, err);
  }
  double x = 0, y = 0;
  te_variable vars[] = {{"x", &x}, {"y", &y}, {"twice", twice, TE_FUNCTION1}};
  int err;
  te_expr *e = te_compile("twice(x)*y + x^2", vars, 3, &err);
  if (!e) return 2;
  double sum = 0;
  for (int i = 0; i < 100; i++) { x = i * 0.25; y = 100 - i; sum += te_eval(e); }
  te_free(e);
  printf("sum %.6f\n", sum);
  bad |= te_interp("1+*2", &err) == te_interp("1+*2", &err) || err != 3 || te_interp("2^3^2", 0) != 64;
  printf("%s\n", bad ? "FAIL" : "ok");
  return bad;
}
`;

const QUICKJS_MAIN = String.raw`#include "quickjs.h"
#include <stdio.h>
#include <string.h>
static JSValue js_print(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv) {
  (void)this_val;
  for (int i = 0; i < argc; i++) {
    const char *s = JS_ToCString(ctx, argv[i]);
    if (!s) return JS_EXCEPTION;
    printf(i ? " %s" : "%s", s);
    JS_FreeCString(ctx, s);
  }
  printf("\n");
  return JS_UNDEFINED;
}
extern const char script[];
int main(void) {
  JSRuntime *rt = JS_NewRuntime();
  JS_SetMaxStackSize(rt, 0);
  JSContext *ctx = JS_NewContext(rt);
  JSValue global = JS_GetGlobalObject(ctx);
  JS_SetPropertyStr(ctx, global, "print", JS_NewCFunction(ctx, js_print, "print", 1));
  JS_FreeValue(ctx, global);
  JSValue r = JS_Eval(ctx, script, strlen(script), "<heldout>", JS_EVAL_TYPE_GLOBAL);
  int code = 0;
  if (JS_IsException(r)) {
    JSValue e = JS_GetException(ctx);
    const char *s = JS_ToCString(ctx, e);
    printf("exception: %s\n", s ? s : "?");
    code = 3;
  } else {
    int32_t v = 1;
    JS_ToInt32(ctx, &v, r);
    code = v;
  }
  JS_FreeValue(ctx, r);
  JS_FreeContext(ctx);
  JS_FreeRuntime(rt);
  return code;
}
`;

// Tables, sorting, JSON, numbers, regular expressions, classes with private fields, generators, Map/Set,
// BigInt, exceptions, dates, promises and typed arrays; the script's value is the exit status.
const QUICKJS_SCRIPT = String.raw`function fib(n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
print('fib', fib(20));
const a = []; for (let i = 0; i < 500; i++) a.push((i * 7919) % 1009);
a.sort((x, y) => x - y);
print('sort', a[0], a[250], a[499], a.reduce((s, v) => (s * 31 + v) % 1000003, 0));
print(JSON.stringify({ s: 'str', n: [1, 2.5, -0, 1e21], o: { t: true, u: null } }));
print(JSON.parse('{"x":[1,{"y":"z"}]}').x[1].y, (0.1 + 0.2).toFixed(10), Math.sqrt(2), 1 / 3, (255).toString(16), 2 ** 53 + 1);
print('The Quick Brown Fox'.replace(/(\w+) (\w+)/, '$2 $1').toUpperCase(), /a(b+)c/.exec('xxabbbcyy')[1], 'é€😀'.length, [...'é€😀'].length);
class P { #x; constructor(x) { this.#x = x; } get x() { return this.#x; } static of(v) { return new P(v); } }
print('class', P.of(42).x, typeof P, Object.keys({ b: 1, a: 2 }).join());
function* gen() { let i = 0; while (i < 5) yield i++; }
print('gen', [...gen()].join('-'));
const m = new Map([[1, 'one'], ['two', 2]]); const st = new Set([1, 2, 2, 3]);
print('map', m.get(1), m.get('two'), st.size, 10n ** 30n, BigInt.asUintN(64, -1n));
let caught = ''; try { null.x; } catch (e) { caught = e.constructor.name; }
print('try', caught, [1, 2, 3].map((x) => x * x).filter((x) => x > 1).join(), new Date(0).toISOString());
let resolved = 0; Promise.resolve(41).then((v) => { resolved = v + 1; });
const ta = new Float64Array([1.5, -2.25, 3]); const u8 = new Uint8Array(ta.buffer);
print('typed', ta.reduce((s, v) => s + v, 0), u8[7], Array.from(new Int32Array([-1, 2])).join(), parseFloat('3.14159e2'), Number('0x1f'));
(fib(20) === 6765 && a[0] === 0 && caught === 'TypeError') ? 0 : 1;
`;

// QuickJS includes <pthread.h> for its Atomics; the board has one hart and no threads.
const PTHREAD_H = String.raw`/* Single-threaded stand-in for the held-out build (no threads on the bare-metal board). */
#ifndef STUB_PTHREAD_H
#define STUB_PTHREAD_H
#include <time.h>
typedef struct { int locked; } pthread_mutex_t;
typedef struct { int unused; } pthread_cond_t;
#define PTHREAD_MUTEX_INITIALIZER { 0 }
static inline int pthread_mutex_lock(pthread_mutex_t *m) { m->locked = 1; return 0; }
static inline int pthread_mutex_unlock(pthread_mutex_t *m) { m->locked = 0; return 0; }
static inline int pthread_cond_init(pthread_cond_t *c, void *a) { (void)c; (void)a; return 0; }
static inline int pthread_cond_destroy(pthread_cond_t *c) { (void)c; return 0; }
static inline int pthread_cond_signal(pthread_cond_t *c) { (void)c; return 0; }
static inline int pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m) { (void)c; (void)m; return 0; }
static inline int pthread_cond_timedwait(pthread_cond_t *c, pthread_mutex_t *m, const struct timespec *t) { (void)c; (void)m; (void)t; return 0; }
#endif
`;

const QUICKJS_BOARD = String.raw`/* What gcc 12 calls for 8- and 16-bit atomics on RISC-V (libatomic, absent bare-metal) and the clock
   QuickJS reads: single-hart versions for the held-out board. */
#include <stdint.h>
#include <string.h>
#include <time.h>
#define OPS(N, T) \
  T __atomic_fetch_add_##N(volatile void *p, T v, int m) { (void)m; T o = *(volatile T *)p; *(volatile T *)p = o + v; return o; } \
  T __atomic_fetch_sub_##N(volatile void *p, T v, int m) { (void)m; T o = *(volatile T *)p; *(volatile T *)p = o - v; return o; } \
  T __atomic_fetch_and_##N(volatile void *p, T v, int m) { (void)m; T o = *(volatile T *)p; *(volatile T *)p = o & v; return o; } \
  T __atomic_fetch_or_##N(volatile void *p, T v, int m) { (void)m; T o = *(volatile T *)p; *(volatile T *)p = o | v; return o; } \
  T __atomic_fetch_xor_##N(volatile void *p, T v, int m) { (void)m; T o = *(volatile T *)p; *(volatile T *)p = o ^ v; return o; } \
  T __atomic_exchange_##N(volatile void *p, T v, int m) { (void)m; T o = *(volatile T *)p; *(volatile T *)p = v; return o; } \
  _Bool __atomic_compare_exchange_##N(volatile void *p, void *e, T v, _Bool w, int s, int f) { \
    (void)w; (void)s; (void)f; T o = *(volatile T *)p; \
    if (o == *(T *)e) { *(volatile T *)p = v; return 1; } \
    *(T *)e = o; return 0; }
OPS(1, uint8_t)
OPS(2, uint16_t)
int clock_gettime(clockid_t c, struct timespec *t) { (void)c; t->tv_sec = 0; t->tv_nsec = 0; return 0; }
`;

const RV64GC = ['-march=rv64gc', '-mabi=lp64d'];
const LEVELS = [['-O2', '-g', ...RV64GC], ['-Os', '-march=rv64imac', '-mabi=lp64'], ['-O2', '-msave-restore', '-fpatchable-function-entry=3,1', ...RV64GC]];
const LIBRARIES: Library[] = [
  {
    dir: 'lz4', sources: ['lib/lz4.c', 'lib/lz4hc.c', 'lib/lz4frame.c', 'lib/xxhash.c'], includes: ['lib'], options: [],
    own: { 'main.c': LZ4_MAIN }, expect: ['ok'], levels: LEVELS,
  },
  {
    dir: 'Monocypher', sources: ['src/monocypher.c', 'src/optional/monocypher-ed25519.c'], includes: ['src', 'src/optional'], options: [],
    // BLAKE2b-512 and SHA-512 of "abc" (RFC 7693 appendix A; FIPS 180-2 appendix C.1).
    own: { 'main.c': MONOCYPHER_MAIN }, expect: [
      'blake2b ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d17d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923',
      'sha512 ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f',
      'ok',
    ],
    levels: LEVELS,
  },
  {
    dir: 'libyaml', sources: ['api.c', 'dumper.c', 'emitter.c', 'loader.c', 'parser.c', 'reader.c', 'scanner.c', 'writer.c'].map((f) => `src/${f}`), includes: ['include'],
    options: ['-DYAML_VERSION_MAJOR=0', '-DYAML_VERSION_MINOR=2', '-DYAML_VERSION_PATCH=5', '-DYAML_VERSION_STRING="0.2.5"'],
    own: { 'main.c': LIBYAML_MAIN }, expect: ['docs 2 bytes 792', 'ok'], levels: LEVELS,
  },
  {
    dir: 'tinyexpr', sources: ['tinyexpr.c'], includes: ['.'], options: [],
    own: { 'main.c': TINYEXPR_MAIN }, expect: ['sqrt(5^2+7^2+11^2+(8-2)^2) = 15.19868415 (0)', 'ok'], levels: LEVELS,
  },
  {
    dir: 'quickjs', sources: ['quickjs.c', 'libregexp.c', 'libunicode.c', 'cutils.c', 'dtoa.c'], includes: ['.'],
    // picolibc's struct tm has no tm_gmtoff (QuickJS reads it for the local time zone: 0 here either way).
    options: ['-DCONFIG_VERSION="heldout"', '-D_GNU_SOURCE', '-Dtm_gmtoff=tm_isdst'],
    own: { 'main.c': QUICKJS_MAIN, 'script.c': `const char script[] = ${JSON.stringify(QUICKJS_SCRIPT)};\n`, 'atomics.c': QUICKJS_BOARD, 'pthread.h': PTHREAD_H },
    // At -O2 without -g: its -g assembly (1.7 million lines) blocks the test worker past vitest's RPC timeout.
    expect: ['fib 6765', 'class 42 function b,a', 'try TypeError 4,9 1970-01-01T00:00:00.000Z'], levels: [['-O2', ...RV64GC]],
  },
];

const dir = ready ? mkdtempSync(join(tmpdir(), 'rvx-heldout-c-')) : '';
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

for (const lib of LIBRARIES) {
  const src = join(ROOT, lib.dir);
  const present = ready && existsSync(join(src, lib.sources[0]));
  if (ready && !present) console.warn(`heldout-c-libraries: ${lib.dir} skipped (no ${join(src, lib.sources[0])})`);
  describe.skipIf(!present)(`${lib.dir} built by GNU as/ld and by rvx asm/ld`, () => {
    for (const level of lib.levels) {
      it(level.join(' '), () => checkLibraryBuild(lib, level, src, dir), 900_000);
    }
  });
}
