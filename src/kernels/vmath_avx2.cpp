// vmath_avx2.cpp — tanh, exp and sigmoid over arrays with AVX2+FMA: 8 floats or 4 doubles per
// instruction. Compiled with -mavx2 -mfma; called only when the CPU supports both.
//
// This is the portable algorithm of src/vmath.cpp (read that first: it explains each step),
// line for line, on vectors. Differences, all deliberate:
//   * FMA where portable multiplies then adds (one rounding instead of two), so results may
//     differ from portable in the last bit or two; both are tested against one bound;
//   * selections are blends on comparison masks instead of `?:`;
//   * the tail (n not a multiple of the width) is copied into a zero-padded vector-sized buffer
//     and run through the same vector code, so every element gets identical arithmetic
//     whatever its position — no scalar tail with different rounding.
// One template per function serves both precisions through the small overload set below;
// only `real` is instantiated.
//
// Not here: the constants (vmath_kernels.hpp), argument checks (vmath.cpp).
#include <immintrin.h>

#include <cstring>

#include "kernels/vmath_kernels.hpp"

// GCC declines to inline exp_core into its two callers at -O2; a call per vector then costs
// as much as the arithmetic (stack realignment for the ymm arguments), so force it.
#define BIORNN_VMATH_INLINE inline __attribute__((always_inline))

namespace biornn::kernels {

namespace {

// ---- the operations the algorithm needs, for __m256 (8 floats) and __m256d (4 doubles) -----
// Both precisions' overloads are defined, but a build instantiates only `real`'s, so the other
// half goes unused; that is by design, not dead code to remove.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wunused-const-variable"

// The vector type for scalar type T (keyed on T: GCC ignores __m256's attributes, with a
// warning, when it is itself a template argument).
template <typename T>
struct Vec;
template <>
struct Vec<float> {
  using V = __m256;
  static constexpr int kWidth = 8;
};
template <>
struct Vec<double> {
  using V = __m256d;
  static constexpr int kWidth = 4;
};

inline __m256 splat(float v) { return _mm256_set1_ps(v); }
inline __m256d splat(double v) { return _mm256_set1_pd(v); }
inline __m256 load(const float* p) { return _mm256_loadu_ps(p); }
inline __m256d load(const double* p) { return _mm256_loadu_pd(p); }
inline void store(float* p, __m256 v) { _mm256_storeu_ps(p, v); }
inline void store(double* p, __m256d v) { _mm256_storeu_pd(p, v); }

inline __m256 add(__m256 a, __m256 b) { return _mm256_add_ps(a, b); }
inline __m256d add(__m256d a, __m256d b) { return _mm256_add_pd(a, b); }
inline __m256 sub(__m256 a, __m256 b) { return _mm256_sub_ps(a, b); }
inline __m256d sub(__m256d a, __m256d b) { return _mm256_sub_pd(a, b); }
inline __m256 mul(__m256 a, __m256 b) { return _mm256_mul_ps(a, b); }
inline __m256d mul(__m256d a, __m256d b) { return _mm256_mul_pd(a, b); }
inline __m256 div(__m256 a, __m256 b) { return _mm256_div_ps(a, b); }
inline __m256d div(__m256d a, __m256d b) { return _mm256_div_pd(a, b); }
// a·b + c and c − a·b, each rounded once.
inline __m256 fma(__m256 a, __m256 b, __m256 c) { return _mm256_fmadd_ps(a, b, c); }
inline __m256d fma(__m256d a, __m256d b, __m256d c) { return _mm256_fmadd_pd(a, b, c); }
inline __m256 fnma(__m256 a, __m256 b, __m256 c) { return _mm256_fnmadd_ps(a, b, c); }
inline __m256d fnma(__m256d a, __m256d b, __m256d c) { return _mm256_fnmadd_pd(a, b, c); }

// MINPS/MAXPS compute `limit < x ? limit : x` (resp. >): a NaN in x is returned unchanged.
inline __m256 min_keep_nan(__m256 limit, __m256 x) { return _mm256_min_ps(limit, x); }
inline __m256d min_keep_nan(__m256d limit, __m256d x) { return _mm256_min_pd(limit, x); }
inline __m256 max_keep_nan(__m256 limit, __m256 x) { return _mm256_max_ps(limit, x); }
inline __m256d max_keep_nan(__m256d limit, __m256d x) { return _mm256_max_pd(limit, x); }

// Lanes where a < b (ordered: false for NaN), and mask ? if_true : if_false.
inline __m256 less(__m256 a, __m256 b) { return _mm256_cmp_ps(a, b, _CMP_LT_OQ); }
inline __m256d less(__m256d a, __m256d b) { return _mm256_cmp_pd(a, b, _CMP_LT_OQ); }
inline __m256 select(__m256 mask, __m256 t, __m256 f) { return _mm256_blendv_ps(f, t, mask); }
inline __m256d select(__m256d mask, __m256d t, __m256d f) { return _mm256_blendv_pd(f, t, mask); }

// |x| and the sign bit of x, by masking the sign bit.
inline __m256 abs(__m256 x) { return _mm256_andnot_ps(splat(-0.0f), x); }
inline __m256d abs(__m256d x) { return _mm256_andnot_pd(splat(-0.0), x); }
inline __m256 with_sign_of(__m256 m, __m256 x) {
  return _mm256_or_ps(m, _mm256_and_ps(splat(-0.0f), x));
}
inline __m256d with_sign_of(__m256d m, __m256d x) {
  return _mm256_or_pd(m, _mm256_and_pd(splat(-0.0), x));
}

// 2^⌊n/2⌋ and 2^⌈n/2⌉ from k = n + kRoundMagic (step 5 of vmath.cpp), in integer lanes.
inline void exp2_halves(__m256 k, __m256* s1, __m256* s2) {
  using C = VmathConstants<float>;
  const __m256i n =
      _mm256_sub_epi32(_mm256_castps_si256(k), _mm256_castps_si256(splat(C::kRoundMagic)));
  const __m256i m = _mm256_add_epi32(n, _mm256_set1_epi32(2 * C::kExponentBias));
  const __m256i e1 = _mm256_srli_epi32(m, 1);
  const __m256i e2 = _mm256_sub_epi32(m, e1);
  *s1 = _mm256_castsi256_ps(_mm256_slli_epi32(e1, C::kMantissaBits));
  *s2 = _mm256_castsi256_ps(_mm256_slli_epi32(e2, C::kMantissaBits));
}
inline void exp2_halves(__m256d k, __m256d* s1, __m256d* s2) {
  using C = VmathConstants<double>;
  const __m256i n =
      _mm256_sub_epi64(_mm256_castpd_si256(k), _mm256_castpd_si256(splat(C::kRoundMagic)));
  const __m256i m = _mm256_add_epi64(n, _mm256_set1_epi64x(2 * C::kExponentBias));
  const __m256i e1 = _mm256_srli_epi64(m, 1);
  const __m256i e2 = _mm256_sub_epi64(m, e1);
  *s1 = _mm256_castsi256_pd(_mm256_slli_epi64(e1, C::kMantissaBits));
  *s2 = _mm256_castsi256_pd(_mm256_slli_epi64(e2, C::kMantissaBits));
}

#pragma GCC diagnostic pop

// ---- the algorithm (vmath.cpp, steps 2–5 and the tanh / sigmoid formulas) ------------------

template <typename T, std::size_t N>
BIORNN_VMATH_INLINE typename Vec<T>::V horner(const T (&c)[N], typename Vec<T>::V t) {
  typename Vec<T>::V p = splat(c[N - 1]);
  for (std::size_t k = N - 1; k-- > 0;) p = fma(p, t, splat(c[k]));
  return p;
}

// e^x for x in [kExpMin, kExpMax] or NaN.
template <typename T, typename V = typename Vec<T>::V>
BIORNN_VMATH_INLINE V exp_core(V x) {
  using C = VmathConstants<T>;
  const V k = fma(x, splat(C::kLog2e), splat(C::kRoundMagic));
  const V nf = sub(k, splat(C::kRoundMagic));
  V r = fnma(nf, splat(C::kLn2Hi), x);
  r = fnma(nf, splat(C::kLn2Lo), r);
  const V p = add(splat(T(1)), fma(mul(r, r), horner<T>(C::kExpQ, r), r));
  V s1, s2;
  exp2_halves(k, &s1, &s2);
  return mul(mul(p, s1), s2);
}

template <typename T, typename V = typename Vec<T>::V>
BIORNN_VMATH_INLINE V exp_vec(V x) {
  using C = VmathConstants<T>;
  return exp_core<T>(max_keep_nan(splat(C::kExpMin), min_keep_nan(splat(C::kExpMax), x)));
}

template <typename T, typename V = typename Vec<T>::V>
BIORNN_VMATH_INLINE V tanh_vec(V x) {
  using C = VmathConstants<T>;
  const V one = splat(T(1));
  const V a = abs(x);
  const V s = mul(a, a);
  const V small = fma(mul(a, s), horner<T>(C::kTanhP, s), a);
  const V clamped = min_keep_nan(splat(C::kTanhSaturate), a);
  const V e = exp_core<T>(add(clamped, clamped));
  const V large = sub(one, div(splat(T(2)), add(e, one)));
  return with_sign_of(select(less(a, splat(C::kTanhSmall)), small, large), x);
}

template <typename T, typename V = typename Vec<T>::V>
BIORNN_VMATH_INLINE V sigmoid_vec(V x) {
  using C = VmathConstants<T>;
  const V one = splat(T(1));
  const V e = exp_core<T>(max_keep_nan(splat(C::kExpMin), sub(splat(T(0)), abs(x))));
  const V negative = less(x, splat(T(0)));
  const V d = add(one, e);
  const V t = sub(e, sub(d, one));
  const V q = div(select(negative, e, one), d);
  const V inv_d = select(negative, sub(one, q), q);
  return fnma(mul(q, inv_d), t, q);
}

// ---- array driver --------------------------------------------------------------------------

template <typename T, typename F>
void apply(F f, const T* x, T* y, int64_t n) {
  constexpr int W = Vec<T>::kWidth;
  int64_t i = 0;
  for (; i + W <= n; i += W) store(y + i, f(load(x + i)));
  if (i < n) {
    // Zero padding keeps the unused lanes finite; they are computed and discarded.
    T buffer[W] = {};
    const std::size_t bytes = std::size_t(n - i) * sizeof(T);
    std::memcpy(buffer, x + i, bytes);
    store(buffer, f(load(buffer)));
    std::memcpy(y + i, buffer, bytes);
  }
}

using RealVec = Vec<real>::V;

}  // namespace

void vmath_tanh_avx2(const real* x, real* y, int64_t n) {
  apply<real>([](RealVec v) { return tanh_vec<real>(v); }, x, y, n);
}
void vmath_exp_avx2(const real* x, real* y, int64_t n) {
  apply<real>([](RealVec v) { return exp_vec<real>(v); }, x, y, n);
}
void vmath_sigmoid_avx2(const real* x, real* y, int64_t n) {
  apply<real>([](RealVec v) { return sigmoid_vec<real>(v); }, x, y, n);
}

}  // namespace biornn::kernels
