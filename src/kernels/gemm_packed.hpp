// gemm_packed.hpp — internal interface of the packed GEMM driver (not a public header).
//
// blas.cpp has already checked shapes and handled the trivial cases (m = 0 or n = 0); the
// driver receives op(A): (m, k), op(B): (k, n), C: (m, n) and must honour the BLAS contract of
// blas.hpp (β = 0 never reads C; k = 0 gives C = β·C; bit-identical results for any thread
// count).
#pragma once

#include "biornn/blas.hpp"

namespace biornn::kernels {

// `kernel` is kPackedScalar or kPackedAvx2 (available); threads >= 1.
void gemm_packed(GemmKernel kernel, int threads, Trans trans_a, Trans trans_b, real alpha,
                 ConstMatrixView a, ConstMatrixView b, real beta, MatrixView c);

}  // namespace biornn::kernels
