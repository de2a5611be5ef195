// vmath.cpp — element-wise tanh, exp and sigmoid (vmath.hpp): argument checks, dispatch, the
// libm reference path, and the portable fast path.
//
// The portable path is the algorithm the AVX2 kernel (src/kernels/vmath_avx2.cpp) vectorises,
// written as plain scalar C++ so it is easy to read, runs on every target, and can be compared
// with the AVX2 kernel line by line. It is branch-free in the arithmetic sense: every element
// takes the same operations and special values fall out of them, which is what lets the AVX2
// version process 8 lanes without per-lane branches. It uses no FMA (the build passes
// -ffp-contract=off), so it rounds twice where AVX2 rounds once: the two are not bit-identical
// (they differ in the last bit or two on about 1 % of inputs or fewer), and each is tested
// against the same bound.
//
// exp(x):
//   1. Clamp x to [kExpMin, kExpMax] (NaN passes through); this changes no result (see the
//      constants) but keeps n small.
//   2. n = round(x·log2 e), by adding 1.5·2^M (M = mantissa bits): the sum's low mantissa bits
//      are then n in two's complement, so n is read from the bits — no float→int conversion,
//      which would be undefined behaviour for NaN.
//   3. r = x − n·ln2, Cody–Waite: x − n·kLn2Hi is exact, then − n·kLn2Lo; |r| ≤ 0.347.
//   4. e^r ≈ 1 + (r + r²·Q(r)), the minimax polynomial of vmath_kernels.hpp (Horner).
//   5. e^x = e^r · 2^n1 · 2^n2 with n1 = ⌊n/2⌋, n2 = n − n1. Two factors so that both are
//      normal numbers for every n in range: the first product is exact, the second rounds once,
//      which yields correct overflow to inf and gradual underflow into the subnormals.
// tanh(x): on a = |x|, sign restored at the end (so tanh(−0) = −0 and errors are symmetric):
//   a < 0.625:  a + a³·P(a²)      (odd minimax polynomial; no cancellation)
//   otherwise:  1 − 2/(e^{2a} + 1) with a clamped to kTanhSaturate; 2/(e+1) < 0.45 there, so
//               the subtraction loses under one bit, and for large a it is exactly 1.
//   Both are computed and one is selected, as the vector version must.
// sigmoid(x): with e = e^{−|x|} ∈ [0, 1] (never overflows): 1/(1 + e) for x ≥ 0 and e/(1 + e)
//   for x < 0. Neither form cancels, so sigmoid is accurate in relative terms on both sides,
//   including its subnormal left tail; ±inf give exactly 1 and 0. The rounding of d = 1 + e
//   alone would cost up to 1 ulp; its error t = e − (d − 1) is exact, and the quotient q is
//   corrected to first order, q·(1 − t/d), with 1/d = q (x ≥ 0) or 1 − q (x < 0).
//
// Not here: threading (arrays are per-step and small) and derivatives (the caller has y).
#include "biornn/vmath.hpp"

#include <cmath>
#include <cstring>
#include <functional>
#include <string>
#include <type_traits>

#include "biornn/check.hpp"
#include "kernels/vmath_kernels.hpp"

namespace biornn {

namespace {

using kernels::VmathConstants;

// ---- libm: the specification ---------------------------------------------------------------

// Evaluated one precision up (double for a float build, long double for a double build) and
// rounded once to `real`: the error is 0.5 ulp plus the wider libm's own, which is tiny in
// ulps of `real` (≈ 2^−28 for float; ≈ 2^−10 for double with x87 long double). Where long
// double is no wider than double, a double build gets libm's double accuracy instead (glibc:
// tanh 2.1 ulp, exp 0.5 ulp, measured).
using LibmWide = std::conditional_t<std::is_same_v<real, float>, double, long double>;

real tanh_libm(real x) { return real(std::tanh(LibmWide(x))); }
real exp_libm(real x) { return real(std::exp(LibmWide(x))); }

real sigmoid_libm(real x) {
  // Choosing the form by sign avoids exp overflow and keeps relative accuracy in both tails.
  const LibmWide w = x;
  if (w >= 0) return real(LibmWide(1) / (LibmWide(1) + std::exp(-w)));
  const LibmWide e = std::exp(w);  // NaN lands here and propagates
  return real(e / (LibmWide(1) + e));
}

// ---- portable: the fast algorithm in plain C++ ---------------------------------------------

template <typename T>
typename VmathConstants<T>::Bits bits_of(T v) {
  typename VmathConstants<T>::Bits b;
  std::memcpy(&b, &v, sizeof b);
  return b;
}

template <typename T>
T from_bits(typename VmathConstants<T>::Bits b) {
  T v;
  std::memcpy(&v, &b, sizeof v);
  return v;
}

// Horner's rule for c[0] + c[1]·t + … + c[N−1]·t^{N−1}.
template <typename T, std::size_t N>
T horner(const T (&c)[N], T t) {
  T p = c[N - 1];
  for (std::size_t k = N - 1; k-- > 0;) p = p * t + c[k];
  return p;
}

// e^x for x already in [kExpMin, kExpMax] or NaN (steps 2–5 above).
template <typename T>
T exp_core(T x) {
  using C = VmathConstants<T>;
  using Bits = typename C::Bits;
  const T k = x * C::kLog2e + C::kRoundMagic;
  const T nf = k - C::kRoundMagic;  // exact: n as a floating-point number
  T r = x - nf * C::kLn2Hi;         // exact (Cody–Waite)
  r = r - nf * C::kLn2Lo;
  const T p = T(1) + (r + (r * r) * horner(C::kExpQ, r));
  // Biased exponents of 2^⌊n/2⌋ and 2^⌈n/2⌉: m = n + 2·bias ≥ 0, so a logical shift halves it.
  const Bits m = bits_of(k) - bits_of(C::kRoundMagic) + 2 * C::kExponentBias;
  const Bits e1 = m >> 1;
  const Bits e2 = m - e1;
  return (p * from_bits<T>(e1 << C::kMantissaBits)) * from_bits<T>(e2 << C::kMantissaBits);
}

// Clamps that let NaN through: written as the comparisons MINPS/MAXPS perform.
template <typename T>
T min_keep_nan(T limit, T x) {
  return limit < x ? limit : x;
}
template <typename T>
T max_keep_nan(T limit, T x) {
  return limit > x ? limit : x;
}

template <typename T>
T exp_portable(T x) {
  using C = VmathConstants<T>;
  return exp_core(max_keep_nan(C::kExpMin, min_keep_nan(C::kExpMax, x)));
}

template <typename T>
T with_sign_of(T magnitude, T x) {
  using Bits = typename VmathConstants<T>::Bits;
  const Bits sign = Bits(1) << (8 * sizeof(T) - 1);
  return from_bits<T>(bits_of(magnitude) | (bits_of(x) & sign));
}

template <typename T>
T tanh_portable(T x) {
  using C = VmathConstants<T>;
  const T a = std::fabs(x);
  const T s = a * a;
  const T small = a + (a * s) * horner(C::kTanhP, s);
  const T e = exp_core(T(2) * min_keep_nan(C::kTanhSaturate, a));
  const T large = T(1) - T(2) / (e + T(1));
  return with_sign_of(a < C::kTanhSmall ? small : large, x);  // NaN: a < … is false → large
}

template <typename T>
T sigmoid_portable(T x) {
  using C = VmathConstants<T>;
  const T e = exp_core(max_keep_nan(C::kExpMin, -std::fabs(x)));
  const T d = T(1) + e;
  const T t = e - (d - T(1));  // exactly the rounding error of d (Fast2Sum: 1 ≥ e ≥ 0)
  const T q = (x < 0 ? e : T(1)) / d;
  const T inv_d = x < 0 ? T(1) - q : q;  // 1/d to first order
  return q - (q * inv_d) * t;            // q·(1 − t/d): as if divided by 1 + e exactly
}

// ---- dispatch ------------------------------------------------------------------------------

enum class Func { kTanh, kExp, kSigmoid };

const char* func_name(Func f) {
  switch (f) {
    case Func::kTanh: return "vmath_tanh";
    case Func::kExp: return "vmath_exp";
    case Func::kSigmoid: return "vmath_sigmoid";
  }
  return "?";
}

void check_arguments(Func f, MathKernel kernel, const real* x, const real* y, int64_t n) {
  // CPUID is slow (it traps under virtualisation), so availability is asked once.
  static const bool avx2_available = math_kernel_available(MathKernel::kAvx2);
  BIORNN_CHECK(kernel != MathKernel::kAvx2 || avx2_available,
               std::string(func_name(f)) + ": math kernel avx2 is not available here");
  BIORNN_CHECK(n >= 0, std::string(func_name(f)) + ": n must be >= 0, got " + std::to_string(n));
  if (n == 0) return;
  BIORNN_CHECK(x != nullptr && y != nullptr,
               std::string(func_name(f)) + ": x and y must be non-null for n > 0");
  // In place (y == x) works element by element; a shifted overlap would read outputs.
  const std::less<const real*> before;
  const bool disjoint = !before(y, x + n) || !before(x, y + n);
  BIORNN_CHECK(y == x || disjoint,
               std::string(func_name(f)) +
                   ": y must be x itself or not overlap x (n = " + std::to_string(n) + ")");
}

void run(Func f, MathKernel kernel, const real* x, real* y, int64_t n) {
  check_arguments(f, kernel, x, y, n);
  switch (kernel) {
    case MathKernel::kLibm:
      for (int64_t i = 0; i < n; ++i) {
        const real v = x[i];
        y[i] = f == Func::kTanh ? tanh_libm(v) : f == Func::kExp ? exp_libm(v) : sigmoid_libm(v);
      }
      return;
    case MathKernel::kPortable:
      // One loop per function so the compiler may vectorise each body.
      if (f == Func::kTanh) {
        for (int64_t i = 0; i < n; ++i) y[i] = tanh_portable(x[i]);
      } else if (f == Func::kExp) {
        for (int64_t i = 0; i < n; ++i) y[i] = exp_portable(x[i]);
      } else {
        for (int64_t i = 0; i < n; ++i) y[i] = sigmoid_portable(x[i]);
      }
      return;
    case MathKernel::kAvx2:
#ifdef BIORNN_HAVE_AVX2
      if (f == Func::kTanh) kernels::vmath_tanh_avx2(x, y, n);
      if (f == Func::kExp) kernels::vmath_exp_avx2(x, y, n);
      if (f == Func::kSigmoid) kernels::vmath_sigmoid_avx2(x, y, n);
#endif
      return;  // without BIORNN_HAVE_AVX2, check_arguments has already refused kAvx2
  }
}

}  // namespace

void vmath_tanh(const real* x, real* y, int64_t n) {
  run(Func::kTanh, active_math_kernel(), x, y, n);
}
void vmath_exp(const real* x, real* y, int64_t n) {
  run(Func::kExp, active_math_kernel(), x, y, n);
}
void vmath_sigmoid(const real* x, real* y, int64_t n) {
  run(Func::kSigmoid, active_math_kernel(), x, y, n);
}

void vmath_tanh_with(MathKernel kernel, const real* x, real* y, int64_t n) {
  run(Func::kTanh, kernel, x, y, n);
}
void vmath_exp_with(MathKernel kernel, const real* x, real* y, int64_t n) {
  run(Func::kExp, kernel, x, y, n);
}
void vmath_sigmoid_with(MathKernel kernel, const real* x, real* y, int64_t n) {
  run(Func::kSigmoid, kernel, x, y, n);
}

}  // namespace biornn
