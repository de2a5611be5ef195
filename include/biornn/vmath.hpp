// vmath.hpp — element-wise tanh, exp and sigmoid over arrays of `real`, fast and with a stated
// maximum error.
//
// Why: a flip-flop training epoch evaluates about 4·10⁷ tanh; at libm's ~20 ns each that alone
// exceeds the epoch's time budget. These functions evaluate a whole array per call so the AVX2
// kernel can do 8 floats (4 doubles) at once, in under a nanosecond per float.
//
//   vmath_tanh(h, h, n);                  // in place: y may be x itself
//   vmath_sigmoid(gate, out, n);          // or into another array (no partial overlap)
//   vmath_exp_with(MathKernel::kLibm, x, y, n);   // force one kernel, e.g. to compare
//
// Which kernel runs is the process-wide math kernel of kernels.hpp (BIORNN_MATH=libm|portable|
// avx2, set_math_kernel). The three give results within the bounds below, not bit-identical
// results:
//   libm      the specification: std::tanh, std::exp evaluated one precision up (double for a
//             float build, long double for a double build) and rounded once, so within about
//             0.5 ulp; sigmoid the same way, from exp without cancellation. Slow (7–70 ns).
//   portable  the fast algorithm in plain C++ (no FMA; runs anywhere);
//   avx2      the same algorithm with AVX2+FMA intrinsics. FMA rounds once where portable
//             rounds twice, so avx2 and portable differ in the last bit or two for ~1 % of
//             inputs or fewer.
// The algorithm (src/vmath.cpp explains it): exp by x = n·ln2 + r, |r| ≤ ln2/2, and a
// degree-6 (double: 11) minimax polynomial for e^r; tanh by an odd minimax polynomial for
// |x| < 0.625 and 1 − 2/(e^{2|x|} + 1) above; sigmoid as 1/(1 + e) or e/(1 + e), e = e^{−|x|},
// with the rounding of 1 + e compensated. A double build gets double-accurate polynomials, not
// a fallback to libm.
//
// Error is measured in ulps of the exact result: |y − f(x)| / ulp(f(x)), where ulp(v) is the
// spacing of `real` numbers at |v| (the subnormal spacing below the normal range). Where the
// bounds come from (portable and avx2; libm stays within 0.5 ulp):
//   float:  every one of the 2^32 inputs was measured offline, with FMA (avx2) and without
//           (portable); the largest errors were tanh 1.332, exp 1.009, sigmoid 1.967 ulp, and
//           each bound is that rounded up to the next half ulp. (Only IEEE basic operations
//           are used and the build forbids contraction, so any conforming compiler and CPU
//           compute the same values.)
//   double: ~10^8 inputs per function (random bit patterns, dense on [−20, 20], on exp's
//           range and where the float maxima lie) gave tanh 1.334, exp 1.062, sigmoid 1.972
//           ulp; each bound adds a margin for the inputs not sampled, rounded to a half ulp.
// The unit tests recheck every kernel on ~3·10⁶ inputs that include those worst cases.
//
// Special values, for every kernel:
//   tanh:    tanh(±0) = ±0; tiny and subnormal x give x; |x| ≥ 9.02 (double: 19.1) gives
//            exactly ±1, tanh(±inf) = ±1; tanh(NaN) = NaN.
//   exp:     exp(x) overflows to +inf for x > ln(max real) ≈ 88.72 (double: 709.78); results
//            below the normal range are subnormal (gradual underflow, within the same ulp bound),
//            and 0 below ≈ −103.97 (double: −745.13); exp(−inf) = 0, exp(+inf) = +inf,
//            exp(NaN) = NaN.
//   sigmoid: sigmoid(−inf) = 0, sigmoid(+inf) = 1, sigmoid(±0) = 0.5, never NaN for a non-NaN x;
//            for x < 0 it follows e^x down into the subnormals; sigmoid(NaN) = NaN.
//
// Not here: derivatives. A recurrent layer's backward uses d tanh/dx = 1 − y² and
// d sigmoid/dx = y·(1 − y) from the forward output; the caller computes those.
// Not threaded: arrays in a recurrent step are small; callers parallelise outside if needed.
#pragma once

#include <cstdint>

#include "biornn/config.hpp"
#include "biornn/kernels.hpp"

namespace biornn {

// Maximum error, in ulps of the exact result, of every math kernel (see the definition above).
// For double, the margin over the sampled maximum is 0.17 ulp for tanh (its error peaks
// just above the 0.625 switch, a region sampled densely), 0.44 for exp and 0.53 for sigmoid.
#ifdef BIORNN_DOUBLE
inline constexpr double kVmathTanhMaxUlp = 1.5;
inline constexpr double kVmathExpMaxUlp = 1.5;
inline constexpr double kVmathSigmoidMaxUlp = 2.5;
#else
inline constexpr double kVmathTanhMaxUlp = 1.5;
inline constexpr double kVmathExpMaxUlp = 1.5;
inline constexpr double kVmathSigmoidMaxUlp = 2.0;
#endif

// y[i] = f(x[i]) for 0 ≤ i < n, with the active math kernel.
// x, y: n elements each; y == x (in place) is allowed, any other overlap is a contract
// violation, and so is n < 0. n = 0 touches nothing.
void vmath_tanh(const real* x, real* y, int64_t n);
void vmath_exp(const real* x, real* y, int64_t n);
void vmath_sigmoid(const real* x, real* y, int64_t n);

// The same with an explicit kernel, which must be available (math_kernel_available).
void vmath_tanh_with(MathKernel kernel, const real* x, real* y, int64_t n);
void vmath_exp_with(MathKernel kernel, const real* x, real* y, int64_t n);
void vmath_sigmoid_with(MathKernel kernel, const real* x, real* y, int64_t n);

}  // namespace biornn
