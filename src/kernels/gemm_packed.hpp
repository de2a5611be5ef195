// gemm_packed.hpp — internal interface of the packed GEMM driver (not a public header).
//
// blas.cpp has already checked shapes and handled the trivial cases (m = 0 or n = 0); the
// driver receives op(A): (m, k), op(B): (k, n), C: (m, n) and must honour the BLAS contract of
// blas.hpp (β = 0 never reads C; k = 0 gives C = β·C; bit-identical results for any thread
// count).
#pragma once

#include "biornn/blas.hpp"

namespace biornn::kernels {

// Whether gemm_packed reads both operands in place (run_in_place) instead of packing them:
// op(A) = Aᵀ and op(B) = B, at most kInPlaceMaxLanes rows and columns. For tests.
bool reads_in_place(Trans trans_a, Trans trans_b, int32_t m, int32_t n);

// `kernel` is kPackedScalar or kPackedAvx2 (available); threads >= 1.
void gemm_packed(GemmKernel kernel, int threads, Trans trans_a, Trans trans_b, real alpha,
                 ConstMatrixView a, ConstMatrixView b, real beta, MatrixView c);

// ---- a B operand packed once, for many products that share it ------------------------------
// The recurrent products h_{t-1}·Wᵀ (forward) and dZ_{t+1}·W (backward) use the same W at every
// step and in every batch slice; packing it once per sequence instead of once per product
// removes most of the packing work from the time loop. The layout is exactly the slivers the
// driver would pack for each K block, so gemm_packed_b's results are bit-identical to
// gemm_packed's with the same kernel.
class PackedOperandB {
 public:
  PackedOperandB() = default;
  PackedOperandB(const PackedOperandB&) = delete;
  PackedOperandB& operator=(const PackedOperandB&) = delete;
  ~PackedOperandB();

  GemmKernel kernel() const { return kernel_; }
  int32_t k() const { return k_; }  // rows of op(B)
  int32_t n() const { return n_; }  // columns of op(B)

 private:
  friend void pack_b_operand(GemmKernel, Trans, ConstMatrixView, PackedOperandB*);
  friend void gemm_packed_b(Trans, real, ConstMatrixView, const PackedOperandB&, real, MatrixView);
  GemmKernel kernel_ = GemmKernel::kPackedScalar;
  int32_t k_ = 0, n_ = 0, k_blocks_ = 0;
  real* data_ = nullptr;  // grow-only, 64-byte aligned
  int64_t capacity_ = 0;
};

// Packs op(B) (k, n) for `kernel` (kPackedScalar or an available kPackedAvx2) into `out`,
// reusing its buffer: once it has grown, packing the same shape again allocates nothing.
void pack_b_operand(GemmKernel kernel, Trans trans_b, ConstMatrixView b, PackedOperandB* out);

// C = α·op(A)·B + β·C with B packed by pack_b_operand, on the calling thread (the recurrent
// driver threads over batch slices itself). op(A): (m, k), C: (m, n) with (k, n) = B's shape.
void gemm_packed_b(Trans trans_a, real alpha, ConstMatrixView a, const PackedOperandB& b, real beta, MatrixView c);

}  // namespace biornn::kernels
