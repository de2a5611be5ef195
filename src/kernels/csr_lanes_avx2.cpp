// csr_lanes_avx2.cpp — the CSR products' lane loops with AVX2 intrinsics (contract and why:
// csr_lanes.hpp). Built with -mavx2 -mfma like every *_avx2.cpp, but no FMA is used here, and
// -ffp-contract=off keeps the compiler from fusing a multiply with its add.
//
// kCsrLanes = 16 floats are two ymm registers, lo (lanes 0–7) and hi (lanes 8–15).
//
// Not here: the portable loops and everything around them (csr_kernels.cpp).
#include "kernels/csr_lanes.hpp"

#include <immintrin.h>

namespace biornn::kernels {

#ifndef BIORNN_DOUBLE

static_assert(kCsrLanes == 16, "two ymm registers of floats");

void gather_axpy_lanes_avx2(const real* values, const int32_t* cols, int64_t count, const real* rows, real* acc) {
  __m256 lo = _mm256_loadu_ps(acc), hi = _mm256_loadu_ps(acc + 8);
  for (int64_t q = 0; q < count; ++q) {
    const __m256 v = _mm256_set1_ps(values[q]);
    const real* x = rows + int64_t(cols[q]) * kCsrLanes;
    lo = _mm256_add_ps(lo, _mm256_mul_ps(v, _mm256_loadu_ps(x)));
    hi = _mm256_add_ps(hi, _mm256_mul_ps(v, _mm256_loadu_ps(x + 8)));
  }
  _mm256_storeu_ps(acc, lo);
  _mm256_storeu_ps(acc + 8, hi);
}

void gather_axpy_lanes_pair_avx2(const real* values, const int32_t* cols, int64_t count, const real* rows,
                                 int64_t panel_stride, real* acc) {
  const real* rows0 = rows;
  const real* rows1 = rows + panel_stride;
  __m256 lo0 = _mm256_loadu_ps(acc), hi0 = _mm256_loadu_ps(acc + 8);
  __m256 lo1 = _mm256_loadu_ps(acc + 16), hi1 = _mm256_loadu_ps(acc + 24);
  for (int64_t q = 0; q < count; ++q) {
    const __m256 v = _mm256_set1_ps(values[q]);
    const int64_t offset = int64_t(cols[q]) * kCsrLanes;
    lo0 = _mm256_add_ps(lo0, _mm256_mul_ps(v, _mm256_loadu_ps(rows0 + offset)));
    hi0 = _mm256_add_ps(hi0, _mm256_mul_ps(v, _mm256_loadu_ps(rows0 + offset + 8)));
    lo1 = _mm256_add_ps(lo1, _mm256_mul_ps(v, _mm256_loadu_ps(rows1 + offset)));
    hi1 = _mm256_add_ps(hi1, _mm256_mul_ps(v, _mm256_loadu_ps(rows1 + offset + 8)));
  }
  _mm256_storeu_ps(acc, lo0);
  _mm256_storeu_ps(acc + 8, hi0);
  _mm256_storeu_ps(acc + 16, lo1);
  _mm256_storeu_ps(acc + 24, hi1);
}

void scatter_axpy_lanes_avx2(const real* values, const int32_t* cols, int64_t count, const real* x, real* acc) {
  const __m256 x_lo = _mm256_loadu_ps(x), x_hi = _mm256_loadu_ps(x + 8);
  for (int64_t q = 0; q < count; ++q) {
    const __m256 v = _mm256_set1_ps(values[q]);
    real* out = acc + int64_t(cols[q]) * kCsrLanes;
    _mm256_storeu_ps(out, _mm256_add_ps(_mm256_loadu_ps(out), _mm256_mul_ps(v, x_lo)));
    _mm256_storeu_ps(out + 8, _mm256_add_ps(_mm256_loadu_ps(out + 8), _mm256_mul_ps(v, x_hi)));
  }
}

namespace {

// dot_lanes's fold of its two partial-sum registers, then the tail's sum added last.
inline real fold_lanes(__m256 lo, __m256 hi, real tail) {
  const __m256 s8 = _mm256_add_ps(lo, hi);                                                  // lanes 0..7
  const __m128 s4 = _mm_add_ps(_mm256_castps256_ps128(s8), _mm256_extractf128_ps(s8, 1));  // lanes 0..3
  const __m128 s2 = _mm_add_ps(s4, _mm_movehl_ps(s4, s4));                                  // lanes 0..1
  const __m128 s1 = _mm_add_ss(s2, _mm_shuffle_ps(s2, s2, 1));                              // lane 0
  return _mm_cvtss_f32(s1) + tail;
}

// The tail's own sequential sum: terms from..len−1.
inline real tail_dot(const real* x, const real* y, int32_t from, int32_t len) {
  real tail = 0;
  for (int32_t t = from; t < len; ++t) tail += x[t] * y[t];
  return tail;
}

// dot_lanes of csr_kernels.cpp: lane l sums the terms t ≡ l (mod 16) of the whole chunks; then
// lane[l] += lane[l + 8], lane[l] += lane[l + 4], lane[l] += lane[l + 2], (lane 0 + lane 1),
// and the tail's own sequential sum added last.
inline real dot_lanes(const real* x, const real* y, int32_t len) {
  const int32_t full = len - len % kCsrLanes;
  __m256 lo = _mm256_setzero_ps(), hi = _mm256_setzero_ps();
  for (int32_t t = 0; t < full; t += kCsrLanes) {
    lo = _mm256_add_ps(lo, _mm256_mul_ps(_mm256_loadu_ps(x + t), _mm256_loadu_ps(y + t)));
    hi = _mm256_add_ps(hi, _mm256_mul_ps(_mm256_loadu_ps(x + t + 8), _mm256_loadu_ps(y + t + 8)));
  }
  return fold_lanes(lo, hi, tail_dot(x, y, full, len));
}

// Four dots at once, sharing the loads of x: eight independent sums instead of two, so the
// adds no longer wait on one another; each dot still adds its own terms exactly as dot_lanes
// does. Written out register by register: GCC keeps arrays of __m256 in memory at -O2.
void dot_lanes_four(const real* x, const real* y0, const real* y1, const real* y2, const real* y3, int32_t len,
                    real* out) {
  const int32_t full = len - len % kCsrLanes;
  __m256 lo0 = _mm256_setzero_ps(), hi0 = lo0, lo1 = lo0, hi1 = lo0, lo2 = lo0, hi2 = lo0, lo3 = lo0, hi3 = lo0;
  for (int32_t t = 0; t < full; t += kCsrLanes) {
    const __m256 x_lo = _mm256_loadu_ps(x + t), x_hi = _mm256_loadu_ps(x + t + 8);
    lo0 = _mm256_add_ps(lo0, _mm256_mul_ps(x_lo, _mm256_loadu_ps(y0 + t)));
    hi0 = _mm256_add_ps(hi0, _mm256_mul_ps(x_hi, _mm256_loadu_ps(y0 + t + 8)));
    lo1 = _mm256_add_ps(lo1, _mm256_mul_ps(x_lo, _mm256_loadu_ps(y1 + t)));
    hi1 = _mm256_add_ps(hi1, _mm256_mul_ps(x_hi, _mm256_loadu_ps(y1 + t + 8)));
    lo2 = _mm256_add_ps(lo2, _mm256_mul_ps(x_lo, _mm256_loadu_ps(y2 + t)));
    hi2 = _mm256_add_ps(hi2, _mm256_mul_ps(x_hi, _mm256_loadu_ps(y2 + t + 8)));
    lo3 = _mm256_add_ps(lo3, _mm256_mul_ps(x_lo, _mm256_loadu_ps(y3 + t)));
    hi3 = _mm256_add_ps(hi3, _mm256_mul_ps(x_hi, _mm256_loadu_ps(y3 + t + 8)));
  }
  out[0] = fold_lanes(lo0, hi0, tail_dot(x, y0, full, len));
  out[1] = fold_lanes(lo1, hi1, tail_dot(x, y1, full, len));
  out[2] = fold_lanes(lo2, hi2, tail_dot(x, y2, full, len));
  out[3] = fold_lanes(lo3, hi3, tail_dot(x, y3, full, len));
}

}  // namespace

void sddmm_row_avx2(const real* x, const int32_t* cols, int64_t count, const real* rows, int64_t stride,
                    int32_t depth, real* acc) {
  int64_t q = 0;
  for (; q + 4 <= count; q += 4) {
    real dots[4];
    dot_lanes_four(x, rows + int64_t(cols[q]) * stride, rows + int64_t(cols[q + 1]) * stride,
                   rows + int64_t(cols[q + 2]) * stride, rows + int64_t(cols[q + 3]) * stride, depth, dots);
    for (int i = 0; i < 4; ++i) acc[q + i] += dots[i];
  }
  for (; q < count; ++q) acc[q] += dot_lanes(x, rows + int64_t(cols[q]) * stride, depth);
}

#endif  // BIORNN_DOUBLE

}  // namespace biornn::kernels
