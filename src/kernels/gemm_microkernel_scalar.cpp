// gemm_microkernel_scalar.cpp — the portable GEMM micro-kernel (contract: gemm_blocking.hpp).
//
// Plain C++ with compile-time tile sizes, so the compiler can keep the MR × NR accumulators in
// registers and vectorise the NR loop with whatever the baseline instruction set offers
// (SSE2 on x86-64). No fused multiply-add: the file is built with -ffp-contract=off, so every
// product and sum is rounded separately — the reference for the rounding count in the error
// bound of tests/test_gemm.cpp.
//
// Not here: packing, blocking, threading (gemm_packed.cpp).
#include "kernels/gemm_blocking.hpp"

namespace biornn::kernels {

namespace {

constexpr int32_t MR = kScalarBlocking.mr;
constexpr int32_t NR = kScalarBlocking.nr;

// One tile from slivers read at a[p·a_step + i] and b[p·b_step + j]: packed slivers have
// steps MR and NR, operands read in place their leading dimensions. Same arithmetic either way.
void scalar_tile(int32_t kc, const real* a, int64_t a_step, const real* b, int64_t b_step, real alpha, real beta,
                 real* c, int64_t ldc, int32_t m_valid, int32_t n_valid) {
  real acc[MR][NR] = {};
  for (int32_t p = 0; p < kc; ++p) {
    const real* ap = a + p * a_step;
    const real* bp = b + p * b_step;
    for (int32_t i = 0; i < MR; ++i) {
      const real ai = ap[i];
      for (int32_t j = 0; j < NR; ++j) acc[i][j] += ai * bp[j];
    }
  }
  // The update, element by element, exactly as the contract spells it.
  for (int32_t i = 0; i < m_valid; ++i) {
    real* row = c + i * ldc;
    if (beta == real(0)) {
      for (int32_t j = 0; j < n_valid; ++j) row[j] = alpha * acc[i][j];
    } else if (beta == real(1)) {
      for (int32_t j = 0; j < n_valid; ++j) row[j] = alpha * acc[i][j] + row[j];
    } else {
      for (int32_t j = 0; j < n_valid; ++j) row[j] = alpha * acc[i][j] + beta * row[j];
    }
  }
}

}  // namespace

void microkernel_scalar(int32_t kc, const real* a_packed, const real* b_packed, real alpha,
                        real beta, real* c, int64_t ldc, int32_t m_valid, int32_t n_valid) {
  scalar_tile(kc, a_packed, MR, b_packed, NR, alpha, beta, c, ldc, m_valid, n_valid);
}

void microkernel_in_place_scalar(int32_t kc, const real* a, int64_t a_step, const real* b, int64_t b_step,
                                 real alpha, real beta, real* c, int64_t ldc, int32_t m_valid, int32_t n_valid) {
  scalar_tile(kc, a, a_step, b, b_step, alpha, beta, c, ldc, m_valid, n_valid);
}

}  // namespace biornn::kernels
