/*
 * cwork: a long bare-metal C workload for `rvx bench cwork` (rvx's JIT tier against Spike). Each round
 * fills an array from a xorshift generator, checksums it with a table-driven and a bitwise CRC-32
 * (which must agree), sorts copies with quicksort, heapsort and insertion sort (which must agree and be
 * ordered), and runs 64-bit multiply/divide kernels (division identities, modular exponentiation,
 * gcd) whose results are checked. `bench_rounds` sets the length (the benchmark patches it in the ELF);
 * main returns 0 when every check passed, else the number of the failed check (HTIF exit code).
 *
 * Build (the ELF beside this file is committed, so the benchmark needs no compiler):
 *   riscv64-unknown-elf-gcc -O2 -march=rv64imac -mabi=lp64 -mcmodel=medany -nostdlib -nostartfiles \
 *     -ffreestanding -fno-builtin -T link.ld crt.S cwork.c -o cwork.elf
 */
#include <stdint.h>

#define N 1024
#define SMALL 128

/* Rounds to run: the benchmark writes this word in the ELF (rvx bench cwork --rounds N). */
volatile uint64_t bench_rounds = 2200;
/* The result of the last round, kept so nothing is optimized away. */
volatile uint64_t bench_checksum;

static uint32_t a[N], b[N], c[N], d[SMALL];
static uint32_t crc_table[256];

static uint64_t rng_state;
static uint64_t next_random(void) {
  uint64_t x = rng_state;
  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  rng_state = x;
  return x;
}

static void crc_init(void) {
  for (uint32_t i = 0; i < 256; i++) {
    uint32_t r = i;
    for (int k = 0; k < 8; k++) r = (r >> 1) ^ (0xedb88320u & -(r & 1));
    crc_table[i] = r;
  }
}

static uint32_t crc_table_driven(const uint8_t *p, uint32_t n) {
  uint32_t r = 0xffffffffu;
  for (uint32_t i = 0; i < n; i++) r = crc_table[(r ^ p[i]) & 0xff] ^ (r >> 8);
  return ~r;
}

static uint32_t crc_bitwise(const uint8_t *p, uint32_t n) {
  uint32_t r = 0xffffffffu;
  for (uint32_t i = 0; i < n; i++) {
    r ^= p[i];
    for (int k = 0; k < 8; k++) r = (r >> 1) ^ (0xedb88320u & -(r & 1));
  }
  return ~r;
}

static void quicksort(uint32_t *v, int lo, int hi) {
  while (lo < hi) {
    uint32_t pivot = v[lo + (hi - lo) / 2];
    int i = lo, j = hi;
    while (i <= j) {
      while (v[i] < pivot) i++;
      while (v[j] > pivot) j--;
      if (i <= j) {
        uint32_t t = v[i];
        v[i] = v[j];
        v[j] = t;
        i++;
        j--;
      }
    }
    if (j - lo < hi - i) {
      quicksort(v, lo, j);
      lo = i;
    } else {
      quicksort(v, i, hi);
      hi = j;
    }
  }
}

static void sift_down(uint32_t *v, int start, int end) {
  int root = start;
  while (2 * root + 1 <= end) {
    int child = 2 * root + 1;
    if (child + 1 <= end && v[child] < v[child + 1]) child++;
    if (v[root] >= v[child]) return;
    uint32_t t = v[root];
    v[root] = v[child];
    v[child] = t;
    root = child;
  }
}

static void heapsort(uint32_t *v, int n) {
  for (int s = (n - 2) / 2; s >= 0; s--) sift_down(v, s, n - 1);
  for (int e = n - 1; e > 0; e--) {
    uint32_t t = v[0];
    v[0] = v[e];
    v[e] = t;
    sift_down(v, 0, e - 1);
  }
}

static void insertion_sort(uint32_t *v, int n) {
  for (int i = 1; i < n; i++) {
    uint32_t x = v[i];
    int j = i - 1;
    while (j >= 0 && v[j] > x) {
      v[j + 1] = v[j];
      j--;
    }
    v[j + 1] = x;
  }
}

static uint64_t mulmod(uint64_t x, uint64_t y, uint64_t m) {
  return (uint64_t)(((unsigned __int128)x * y) % m);
}

static uint64_t powmod(uint64_t base, uint64_t e, uint64_t m) {
  uint64_t r = 1 % m;
  base %= m;
  while (e) {
    if (e & 1) r = mulmod(r, base, m);
    base = mulmod(base, base, m);
    e >>= 1;
  }
  return r;
}

static uint64_t gcd(uint64_t x, uint64_t y) {
  while (y) {
    uint64_t t = x % y;
    x = y;
    y = t;
  }
  return x;
}

/* One round; returns 0 or the number of the failed check. */
static int round_once(uint64_t round, uint64_t *sum) {
  rng_state = 0x9e3779b97f4a7c15ull ^ (round * 0x2545f4914f6cdd1dull);
  for (int i = 0; i < N; i++) a[i] = (uint32_t)next_random();

  uint32_t crc = crc_table_driven((const uint8_t *)a, sizeof a);
  if (crc_table_driven((const uint8_t *)a, 256) != crc_bitwise((const uint8_t *)a, 256)) return 2;

  for (int i = 0; i < N; i++) b[i] = c[i] = a[i];
  quicksort(b, 0, N - 1);
  heapsort(c, N);
  for (int i = 0; i < N; i++) {
    if (b[i] != c[i]) return 3;
    if (i > 0 && b[i - 1] > b[i]) return 4;
  }
  for (int i = 0; i < SMALL; i++) d[i] = a[i];
  insertion_sort(d, SMALL);
  for (int i = 1; i < SMALL; i++) if (d[i - 1] > d[i]) return 5;

  uint64_t acc = crc;
  for (int i = 0; i < 256; i++) {
    uint64_t n = next_random();
    uint64_t m = (next_random() >> (i & 31)) | 1;
    uint64_t q = n / m, r = n % m;
    if (q * m + r != n || r >= m) return 6;
    int64_t sn = (int64_t)n, sm = (int64_t)(m >> 1) - (int64_t)(m >> 2);
    if (sm != 0) {
      int64_t sq = sn / sm, sr = sn % sm;
      if (sq * sm + sr != sn) return 7;
      acc += (uint64_t)sq ^ (uint64_t)sr;
    }
    uint32_t wn = (uint32_t)n, wm = (uint32_t)m | 1;
    if ((wn / wm) * wm + wn % wm != wn) return 8;
    acc += q ^ r ^ (n * m);
  }
  /* Fermat: a^(p-1) = 1 mod p for the prime p = 2^61 - 1. */
  const uint64_t p = (1ull << 61) - 1;
  for (int i = 0; i < 8; i++) {
    uint64_t x = (next_random() % (p - 2)) + 2;
    if (powmod(x, p - 1, p) != 1) return 9;
    acc += powmod(x, round + 3, p);
  }
  for (int i = 0; i < 64; i++) {
    uint64_t g = (next_random() & 0xffff) + 1;
    uint64_t x = g * ((next_random() & 0xfffff) + 1), y = g * ((next_random() & 0xfffff) + 1);
    uint64_t k = gcd(x, y);
    if (k % g != 0 || x % k != 0 || y % k != 0) return 10;
    acc += k;
  }
  *sum += acc ^ b[N / 2];
  return 0;
}

int main(void) {
  crc_init();
  static const char check[] = "123456789";
  if (crc_table_driven((const uint8_t *)check, 9) != 0xcbf43926u) return 1;
  if (crc_bitwise((const uint8_t *)check, 9) != 0xcbf43926u) return 1;
  uint64_t sum = 0;
  uint64_t rounds = bench_rounds;
  for (uint64_t r = 0; r < rounds; r++) {
    int e = round_once(r, &sum);
    if (e) return e;
  }
  bench_checksum = sum;
  return 0;
}
