// gemm_thin.hpp — products with a dimension of one, outside the packed driver (internal).
//
// The packed driver pads every operand to MR × NR micro-tiles, which is right when all three
// dimensions are large and wasteful when one of them is 1: the readout y = H·w_outᵀ has n = 1
// (15 of every 16 columns the AVX2 tile computes are padding), the input drive x·W_inᵀ of a
// one-channel task has k = 1 (each tile does one multiply-add per load and store of C), and
// their gradients have m = 1 or n = 1 with k = T·B in the thousands. These are bound by
// reading or writing memory once, so they run as plain loops here:
//
//   k = 1:  C = α·(a·bᵀ) + β·C                          an outer product, rows split over threads
//   n = 1:  c = α·op(A)·x + β·c                         a matrix–vector product
//   m = 1 and op(A) = Aᵀ:  cᵀ = α·op(B)ᵀ·aᵀ + β·cᵀ      the same with B in A's place
//
// Why m = 1 only with A transposed: a product of the forward pass (X·W_inᵀ, H·W_outᵀ) has
// op(A) = A, and then whether it is thin depends on n and k alone, never on m = T·B; each row
// of C then gets the same operations whatever the number of rows. The inference API relies on
// that: it runs these products one row at a time and must reproduce the tape bit for bit.
// The weight gradients with m = 1 (dYᵀ·H for one output) all have op(A) = Aᵀ.
//
// A matrix–vector product is one of two loops, by how the matrix is stored: dot products
// along contiguous rows (each output one dot product, accumulated in kDotLanes partial sums in
// a fixed order), or a sweep down the rows adding x_p times row p into a block of outputs.
// Every output element is computed by exactly one thread with the same operations in the same
// order whatever the thread count, so results are bit-identical for any number of threads, as
// the BLAS contract (blas.hpp) requires. Nothing is allocated.
//
// The caller (gemm_with in blas.cpp) has checked the shapes and handles m = 0, n = 0, k = 0
// and α = 0; the reference for every case is gemm_ref (tests/test_gemm.cpp).
#pragma once

#include "biornn/blas.hpp"

namespace biornn::kernels {

// True for the products this file handles (gemm_with sends them here for the packed kernels):
// op(A)·op(B) of size (m, k)·(k, n), no dimension zero, and k = 1, n = 1, or m = 1 with
// op(A) = Aᵀ.
bool is_thin_product(Trans trans_a, int32_t m, int32_t n, int32_t k);

// How many of `threads` threads a thin product starts: one per kMinElementsPerThread matrix
// elements at most, and no more than it has tasks. The result does not depend on it.
int thin_team_size(int threads, Trans trans_a, Trans trans_b, int32_t m, int32_t n, int32_t k);

// C = α·op(A)·op(B) + β·C for a thin product (is_thin_product holds, α ≠ 0); threads >= 1.
void gemm_thin(int threads, Trans trans_a, Trans trans_b, real alpha, ConstMatrixView a, ConstMatrixView b,
               real beta, MatrixView c);

}  // namespace biornn::kernels
