// blas.hpp — dense and sparse matrix products with BLAS semantics.
//
//   gemm:          C = α · op(A) · op(B) + β · C                op(X) = X or Xᵀ
//   gemv:          y = α · op(A) · x + β · y
//   csr_spmm:      C = α · op(S) · B + β · C                    S sparse (CSR), B and C dense
//   dense_csr_mm:  C = α · A · op(S) + β · C                    e.g. Y = H · Wᵀ for a pruned W
//   sddmm:         v[k] = α · (op(A) · op(B))[r_k, c_k] + β · v[k]   only on S's pattern
//
// Conventions shared by every function here (the BLAS contract):
//   * β = 0 means C (or y, v) is write-only: it is never read, so NaN or garbage in it cannot
//     leak into the result. α = 0 still computes β · C (and never reads A or B).
//   * Shapes are checked once, here, at the boundary; a mismatch is a contract violation whose
//     message names both shapes. Inner dimension k = 0 is allowed (the product is zero).
//   * Outputs must not alias inputs.
//   * `threads` = 0 means active_threads() (kernels.hpp). Work is split over output blocks
//     only, so results are bit-identical for every thread count.
//   * Which GEMM kernel runs is active_gemm_kernel(); gemm_with picks one explicitly.
// Sizes: A is op(A): (m, k) after the transpose is applied, op(B): (k, n), C: (m, n).
//
// Not here: kernel selection (kernels.hpp), the kernels' internals (src/kernels/).
#pragma once

#include "biornn/csr.hpp"
#include "biornn/kernels.hpp"
#include "biornn/matrix.hpp"

namespace biornn {

enum class Trans { kNo, kYes };

// The specification: a triple loop accumulating in double, one rounding per output element.
void gemm_ref(Trans trans_a, Trans trans_b, real alpha, ConstMatrixView a, ConstMatrixView b,
              real beta, MatrixView c);

// Runs the active kernel on `threads` threads.
void gemm(Trans trans_a, Trans trans_b, real alpha, ConstMatrixView a, ConstMatrixView b,
          real beta, MatrixView c, int threads = 0);

// Runs the named kernel (must be available) on `threads` threads.
void gemm_with(GemmKernel kernel, int threads, Trans trans_a, Trans trans_b, real alpha,
               ConstMatrixView a, ConstMatrixView b, real beta, MatrixView c);

// y: op(A).rows entries, x: op(A).cols entries; lengths are passed so they can be checked.
void gemv_ref(Trans trans_a, real alpha, ConstMatrixView a, const real* x, int32_t x_len,
              real beta, real* y, int32_t y_len);
void gemv(Trans trans_a, real alpha, ConstMatrixView a, const real* x, int32_t x_len, real beta,
          real* y, int32_t y_len, int threads = 0);

// op(S): (m, k), B: (k, n), C: (m, n).
void csr_spmm(Trans trans_s, real alpha, const CsrView& s, ConstMatrixView b, real beta,
              MatrixView c, int threads = 0);
// A: (m, k), op(S): (k, n), C: (m, n).
void dense_csr_mm(Trans trans_s, real alpha, ConstMatrixView a, const CsrView& s, real beta,
                  MatrixView c, int threads = 0);
// op(A): (pattern.rows, k), op(B): (k, pattern.cols); `values` has pattern.nnz entries and is
// the output. pattern.values is never read, so `values` may be that very array.
void sddmm(Trans trans_a, Trans trans_b, real alpha, ConstMatrixView a, ConstMatrixView b,
           real beta, const CsrView& pattern, real* values, int threads = 0);

}  // namespace biornn
