/* Float and double in the ways a C compiler uses them (gcc -march=rv64gc -mabi=lp64d -O2): arithmetic
 * with fused multiply-add contraction, conversions, comparisons, min/max, sqrt, every rounding mode and
 * the accrued flags. Libm-free: its own sqrt, exp and printing of doubles. The output (text and exact
 * bit patterns) must be identical under rvx, QEMU and Spike. */

typedef unsigned long u64;
typedef long i64;
typedef unsigned int u32;

void putch(int c);

void *memset(void *d, int c, unsigned long n) {
  unsigned char *p = d;
  while (n--) *p++ = (unsigned char)c;
  return d;
}
void *memcpy(void *d, const void *s, unsigned long n) {
  unsigned char *p = d;
  const unsigned char *q = s;
  while (n--) *p++ = *q++;
  return d;
}

static void puts_(const char *s) { while (*s) putch(*s++); }
static void puthex(u64 v, int digits) {
  for (int i = digits - 1; i >= 0; i--) putch("0123456789abcdef"[(v >> (4 * i)) & 15]);
}
static void putu(u64 v) {
  char buf[24];
  int n = 0;
  do { buf[n++] = '0' + v % 10; v /= 10; } while (v);
  while (n) putch(buf[--n]);
}
static void puti(i64 v) {
  if (v < 0) { putch('-'); putu(-(u64)v); } else putu(v);
}
static u64 dbits(double x) { union { double d; u64 u; } v = { x }; return v.u; }
static u32 fbits(float x) { union { float f; u32 u; } v = { x }; return v.u; }

/* printf("%.*f")-like, by repeated multiplication (deterministic under IEEE arithmetic). */
static void putdouble(double x, int prec) {
  if (x != x) { puts_("nan"); return; }
  if (x < 0 || (x == 0 && (dbits(x) >> 63))) { putch('-'); x = -x; }
  if (x > 1e18) { puts_("inf-or-huge"); return; }
  double r = 0.5;
  for (int i = 0; i < prec; i++) r /= 10;
  x += r;
  u64 ip = (u64)x;
  putu(ip);
  x -= (double)ip;
  putch('.');
  for (int i = 0; i < prec; i++) {
    x *= 10;
    int d = (int)x;
    putch('0' + d);
    x -= d;
  }
}

static double my_sqrt(double a) {
  if (a <= 0) return 0;
  double x = a > 1 ? a : 1;
  for (int i = 0; i < 60; i++) x = 0.5 * (x + a / x);
  return x;
}
static double my_exp(double x) {
  /* exp(x) = 2^k · exp(r), r = x − k·ln2, Taylor series for exp(r). */
  const double ln2 = 0.6931471805599453;
  int k = (int)(x / ln2 + (x < 0 ? -0.5 : 0.5));
  double r = x - k * ln2, term = 1, sum = 1;
  for (int i = 1; i < 25; i++) { term *= r / i; sum += term; }
  while (k > 0) { sum *= 2; k--; }
  while (k < 0) { sum /= 2; k++; }
  return sum;
}
static float my_sqrtf(float a) {
  float x = a > 1 ? a : 1;
  for (int i = 0; i < 40; i++) x = 0.5f * (x + a / x);
  return x;
}

static unsigned read_fflags(void) { unsigned r; __asm__ volatile("frflags %0" : "=r"(r)); return r; }
static void clear_fflags(void) { __asm__ volatile("fsflags zero"); }
static void set_rm(unsigned rm) { __asm__ volatile("fsrm %0" : : "r"(rm)); }

/* gcc 12 calls libm for fmin/fmax: the instructions directly. */
static double fmin_d(double a, double b) { double r; __asm__("fmin.d %0, %1, %2" : "=f"(r) : "f"(a), "f"(b)); return r; }
static double fmax_d(double a, double b) { double r; __asm__("fmax.d %0, %1, %2" : "=f"(r) : "f"(a), "f"(b)); return r; }
static float fmin_s(float a, float b) { float r; __asm__("fmin.s %0, %1, %2" : "=f"(r) : "f"(a), "f"(b)); return r; }
static unsigned fclass_d(double a) { unsigned r; __asm__("fclass.d %0, %1" : "=r"(r) : "f"(a)); return r; }

volatile double vd[] = { 1.0, 3.0, 2.0, 0.1, -7.25, 1e308, 4.9e-324, 2.2250738585072014e-308, 0.0, -0.0 };
volatile float vf[] = { 1.0f, 3.0f, 2.0f, 0.1f, -7.25f, 3.0e38f, 1.4e-45f, 1.17549435e-38f, 0.0f, -0.0f };
volatile i64 vi[] = { 0, 1, -1, 123456789012345678L, -9007199254740993L, 0x7fffffffffffffffL, 16777217, -2147483648L };

static void line(const char *name, u64 bits, int digits) {
  puts_(name); puts_(" = 0x"); puthex(bits, digits);
  puts_(" flags "); puthex(read_fflags(), 2); putch('\n');
  clear_fflags();
}

int main(void) {
  puts_("fpmix\n");
  clear_fflags();

  /* Series: Basel sum in double and float. */
  double s = 0; float sf = 0;
  for (int k = 1; k <= 3000; k++) { s += 1.0 / ((double)k * k); sf += 1.0f / ((float)k * k); }
  puts_("basel "); putdouble(s, 15); putch(' '); putdouble(sf, 7); putch('\n');
  line("basel.d", dbits(s), 16);
  line("basel.s", fbits(sf), 8);

  /* sqrt: the instruction against Newton's iteration. */
  for (int i = 0; i < 8; i++) {
    double a = vd[i] < 0 ? -vd[i] : vd[i];
    double r = __builtin_sqrt(a), n = my_sqrt(a);
    puts_("sqrt "); putdouble(r, 12); puts_(r == n ? " same" : " differs"); putch('\n');
    line("  sqrt.d", dbits(r), 16);
    line("  sqrt.s", fbits(__builtin_sqrtf(vf[i] < 0 ? -vf[i] : vf[i])), 8);
  }
  line("newton.s", fbits(my_sqrtf(2.0f)), 8);

  /* exp over a range, with fused multiply-add contraction in the polynomial. */
  for (double x = -5; x <= 5; x += 0.37) {
    double e = my_exp(x);
    puts_("exp("); putdouble(x, 2); puts_(") = "); putdouble(e, 10); putch('\n');
    line("  bits", dbits(e), 16);
  }

  /* Matrix product (fmadd.d / fmadd.s after contraction). */
  double A[6][6], B[6][6], C[6][6];
  float Af[6][6], Cf[6][6];
  for (int i = 0; i < 6; i++)
    for (int j = 0; j < 6; j++) {
      A[i][j] = vd[3] * (i + 1) - vd[4] / (j + 2);
      B[i][j] = (i == j) ? 1.5 : vd[3] * (i - j);
      Af[i][j] = vf[3] * (i + 2) - vf[4] / (j + 1);
    }
  for (int i = 0; i < 6; i++)
    for (int j = 0; j < 6; j++) {
      double acc = 0; float accf = 0;
      for (int k = 0; k < 6; k++) { acc += A[i][k] * B[k][j]; accf += Af[i][k] * Af[k][j]; }
      C[i][j] = acc; Cf[i][j] = accf;
    }
  u64 h = 0;
  for (int i = 0; i < 6; i++) for (int j = 0; j < 6; j++) h = h * 31 + dbits(C[i][j]) + fbits(Cf[i][j]);
  line("matrix hash", h, 16);

  /* Mandelbrot in float. */
  for (int y = 0; y < 12; y++) {
    for (int x = 0; x < 40; x++) {
      float cr = -2.0f + x * 0.065f, ci = -1.2f + y * 0.2f, zr = 0, zi = 0;
      int n = 0;
      while (n < 60 && zr * zr + zi * zi < 4.0f) { float t = zr * zr - zi * zi + cr; zi = 2 * zr * zi + ci; zr = t; n++; }
      putch(" .:-=+*#%@"[n % 10]);
    }
    putch('\n');
  }

  /* Conversions. */
  for (int i = 0; i < 8; i++) {
    i64 v = vi[i];
    puts_("int "); puti(v); putch('\n');
    line("  d.l", dbits((double)v), 16);
    line("  s.l", fbits((float)v), 8);
    line("  d.lu", dbits((double)(u64)v), 16);
    line("  s.w", fbits((float)(int)v), 8);
  }
  for (int i = 0; i < 6; i++) {
    double d = vd[i] * 1e3;
    if (d > -9e18 && d < 9e18) { puts_("trunc "); puti((i64)d); putch(' '); puti((int)(vd[i] * 10)); putch('\n'); }
    line("  d2s", fbits((float)vd[i]), 8);
    line("  s2d", dbits((double)vf[i]), 16);
  }

  /* Comparisons, min/max and the special values. */
  volatile double zero = vd[8], nz = vd[9];
  double nan = zero / zero, inf = 1.0 / zero;
  line("0/0", dbits(nan), 16);
  line("1/0", dbits(inf), 16);
  line("inf-inf", dbits(inf - inf), 16);
  puts_("cmp "); puti(nan < 1.0); puti(nan == nan); puti(zero == nz); puti(inf > 1e308); puti(nz < zero); putch('\n');
  line("after cmp", 0, 1);
  line("fmin(nan,2)", dbits(fmin_d(nan, vd[2])), 16);
  line("fmax(-0,0)", dbits(fmax_d(nz, zero)), 16);
  line("fmin(-0,0)", dbits(fmin_d(zero, nz)), 16);
  line("fminf", fbits(fmin_s(vf[4], vf[3])), 8);
  for (int i = 0; i < 10; i++) line("fclass", fclass_d(vd[i]), 3);
  line("fclass nan", fclass_d(nan), 3);
  line("copysign", dbits(__builtin_copysign(vd[1], nz)), 16);
  line("fabs", dbits(__builtin_fabs(vd[4])), 16);

  /* Subnormals, overflow, underflow. */
  line("tiny*tiny", dbits(vd[7] * vd[3]), 16);
  line("denorm/2", dbits(vd[6] / 2), 16);
  line("huge*10", dbits(vd[5] * 10), 16);
  line("tinyf*0.5", fbits(vf[7] * 0.5f), 8);
  line("minsub+", dbits(vd[6] + vd[6]), 16);

  /* Every rounding mode through frm (dynamic rounding). */
  for (unsigned rm = 0; rm < 5; rm++) {
    set_rm(rm);
    puts_("rm "); putu(rm); putch('\n');
    line("  1/3", dbits(vd[0] / vd[1]), 16);
    line("  -1/3", dbits(-vd[0] / vd[1]), 16);
    line("  sqrt2", dbits(__builtin_sqrt(vd[2])), 16);
    line("  1/3f", fbits(vf[0] / vf[1]), 8);
    line("  0.1+0.2", dbits(vd[3] + 0.2), 16);
    line("  fma", dbits(__builtin_fma(vd[3], vd[1], -0.3)), 16);
    line("  big*", dbits(vd[5] * vd[2]), 16);
    line("  l.d", (u64)__builtin_llrint(vd[4] / 2), 16);
  }
  set_rm(0);
  puts_("done\n");
  return 0;
}
