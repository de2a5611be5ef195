// shape_checks.hpp — the one place product shapes are resolved and checked (internal).
#pragma once

#include "biornn/blas.hpp"

namespace biornn::kernels {

struct GemmDims {
  int32_t m = 0, n = 0, k = 0;
};

// op(A): (m, k), op(B): (k, n), C: (m, n); a mismatch is a contract violation whose message
// starts with `function` and names the shapes involved.
GemmDims check_gemm_shapes(const char* function, Trans trans_a, Trans trans_b, ConstMatrixView a,
                           ConstMatrixView b, ConstMatrixView c);

}  // namespace biornn::kernels
