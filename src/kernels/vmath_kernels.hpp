// vmath_kernels.hpp — internal interface of the fast element-wise math (not a public header):
// the constants both fast kernels share, and the AVX2 entry points.
//
// src/vmath.cpp holds the algorithm in plain C++ and explains it; src/kernels/vmath_avx2.cpp
// repeats it with intrinsics. Keeping every constant here means the two cannot drift apart.
//
// How the polynomial coefficients were derived (a throwaway mpmath script, not shipped):
// Remez exchange at 60 decimal digits minimising the maximum *relative* error of the final
// function, then each coefficient rounded to the nearest float (double); the error of the
// rounded polynomial was re-measured on a 6000-point grid in mpmath.
//   exp:  e^r ≈ 1 + r + r²·Q(r) on |r| ≤ 0.35 (a little over ln2/2 = 0.3466, since n comes
//         from a rounded product). The leading 1 + r is exact so e^r stays accurate near 0.
//         float:  Q of degree 4, rel. error 4.8e-9 (0.08 ulp) after rounding;
//         double: Q of degree 9, rel. error 1.3e-17 (0.12 ulp) after rounding.
//   tanh: tanh x ≈ x + x³·P(x²) on 0 ≤ x ≤ 0.625 (P in s = x² on [0, 0.390625]).
//         float:  P of degree 4, rel. error 8.6e-9 (0.15 ulp);
//         double: P of degree 10, rel. error 1.3e-17 (0.12 ulp).
// ln 2 is split Cody–Waite style into kLn2Hi, rounded to 15 (double: 40) significant bits so
// that n·kLn2Hi is exact for every |n| the clamped exp can produce (≤ 151; double ≤ 1076),
// plus kLn2Lo = ln 2 − kLn2Hi rounded; the pair carries ln 2 to 5.5e-14 (double 2e-31).
#pragma once

#include <cstdint>

#include "biornn/config.hpp"

namespace biornn::kernels {

template <typename T>
struct VmathConstants;

template <>
struct VmathConstants<float> {
  using Bits = uint32_t;
  static constexpr int kMantissaBits = 23;
  static constexpr Bits kExponentBias = 127;
  // x is clamped to [kExpMin, kExpMax] before reduction: e^−104 < 2^−150 rounds to 0, and
  // e^89 > FLT_MAX overflows to inf, so the clamp changes no result but keeps n in range.
  static constexpr float kExpMin = -104.0f;
  static constexpr float kExpMax = 89.0f;
  static constexpr float kLog2e = 0x1.715476p+0f;
  static constexpr float kLn2Hi = 0x1.62e4p-1f;
  static constexpr float kLn2Lo = 0x1.7f7d1cp-20f;
  // v + 1.5·2^23 rounds v to an integer n (for |v| < 2^22) that sits in the low mantissa bits.
  static constexpr float kRoundMagic = 0x1.8p+23f;
  static constexpr float kExpQ[] = {0x1.fffffcp-2f, 0x1.55548ap-3f, 0x1.555916p-5f, 0x1.123fb4p-7f,
                                    0x1.6a1a8ep-10f};
  // Below kTanhSmall the odd polynomial; above, 1 − 2/(e^{2|x|} + 1). Above kTanhSaturate
  // (tanh rounds to 1 from 9.011 on) the argument is clamped so e^{2|x|} stays finite.
  static constexpr float kTanhSmall = 0.625f;
  static constexpr float kTanhSaturate = 9.5f;
  static constexpr float kTanhP[] = {-0x1.555532p-2f, 0x1.110726p-3f, -0x1.b83c5ap-5f,
                                     0x1.52269cp-6f, -0x1.75e1cep-8f};
};

template <>
struct VmathConstants<double> {
  using Bits = uint64_t;
  static constexpr int kMantissaBits = 52;
  static constexpr Bits kExponentBias = 1023;
  static constexpr double kExpMin = -746.0;  // e^−746 < 2^−1075 rounds to 0
  static constexpr double kExpMax = 710.0;   // e^710 > DBL_MAX
  static constexpr double kLog2e = 0x1.71547652b82fep+0;
  static constexpr double kLn2Hi = 0x1.62e42fefa4p-1;
  static constexpr double kLn2Lo = -0x1.8432a1b0e2634p-43;
  static constexpr double kRoundMagic = 0x1.8p+52;
  static constexpr double kExpQ[] = {
      0x1.000000000000bp-1,  0x1.55555555554fp-3,   0x1.555555555025dp-5,  0x1.1111111129943p-7,
      0x1.6c16c185981d8p-10, 0x1.a01a01233ee2cp-13, 0x1.a01995fa199efp-16, 0x1.71df2eb730575p-19,
      0x1.28b15bb5297bdp-22, 0x1.ad7acc1a0a9d8p-26};
  static constexpr double kTanhSmall = 0.625;
  static constexpr double kTanhSaturate = 20.0;  // tanh rounds to 1 from 19.06 on
  static constexpr double kTanhP[] = {
      -0x1.55555555554ffp-2,  0x1.111111110accdp-3,  -0x1.ba1ba1b5064afp-5,  0x1.664f477adac7ap-6,
      -0x1.226e162bf7b4ap-7,  0x1.d6cf280ecd988p-9,  -0x1.7d68a32fdd5bap-10, 0x1.336612e403ee7p-11,
      -0x1.df5579a8ae5edp-13, 0x1.43912142f8cb9p-14, -0x1.0da727a6217adp-16};
};

#ifdef BIORNN_HAVE_AVX2
// y[i] = f(x[i]), 0 ≤ i < n; y == x allowed. Callers (vmath.cpp) have checked the arguments
// and that the CPU supports AVX2+FMA.
void vmath_tanh_avx2(const real* x, real* y, int64_t n);
void vmath_exp_avx2(const real* x, real* y, int64_t n);
void vmath_sigmoid_avx2(const real* x, real* y, int64_t n);
#endif

}  // namespace biornn::kernels
