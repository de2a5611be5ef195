// gemm_ref.cpp — the GEMM specification: C = α·op(A)·op(B) + β·C by the definition.
//
// Every product is accumulated in double and rounded once to `real`, so for float this is
// accurate to about one float ulp of Σ|a||b| and serves as the twin every fast kernel is
// tested against. It is deliberately unblocked, unthreaded and slow; do not optimise it.
#include "biornn/blas.hpp"
#include "shape_checks.hpp"

namespace biornn {

namespace {

// The k-loop for one element, reading op(A) and op(B) through their transposes.
double dot_op(Trans trans_a, Trans trans_b, ConstMatrixView a, ConstMatrixView b, int32_t i,
              int32_t j, int32_t k) {
  double sum = 0.0;
  for (int32_t p = 0; p < k; ++p) {
    const double aip = trans_a == Trans::kNo ? a(i, p) : a(p, i);
    const double bpj = trans_b == Trans::kNo ? b(p, j) : b(j, p);
    sum += aip * bpj;
  }
  return sum;
}

}  // namespace

void gemm_ref(Trans trans_a, Trans trans_b, real alpha, ConstMatrixView a, ConstMatrixView b,
              real beta, MatrixView c) {
  const kernels::GemmDims d = kernels::check_gemm_shapes("gemm_ref", trans_a, trans_b, a, b, c);
  const int32_t m = d.m, n = d.n, k = d.k;
  for (int32_t i = 0; i < m; ++i) {
    for (int32_t j = 0; j < n; ++j) {
      const double product = alpha == real(0) ? 0.0 : double(alpha) * dot_op(trans_a, trans_b, a, b, i, j, k);
      const double previous = beta == real(0) ? 0.0 : double(beta) * double(c(i, j));
      c(i, j) = real(product + previous);
    }
  }
}

}  // namespace biornn
