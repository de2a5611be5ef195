// recurrent_driver.hpp — the time loops of the fused recurrent op, threaded over the batch
// (internal; the formulas and the tape glue are in recurrent.hpp and src/rnn_op.cpp).
//
// Every sample of a batch runs through the recurrence independently of the others, so the
// batch is cut into kRecurrentChunks fixed slices of rows and the threads take whole slices:
// one parallel region for the whole sequence instead of one per step and per product, and no
// thread ever waits for another inside it. Each slice's per-step products run on one thread.
// The slices do not depend on the thread count, so neither do the results (bit-identical for
// any number of threads). Step t of sample b is row t·B + b of every (T·B, N) buffer.
//
// The reference for both functions is the same network unrolled with primitive tape ops
// (tests/test_recurrent.cpp).
#pragma once

#include "biornn/blas.hpp"
#include "biornn/recurrent.hpp"

namespace biornn::kernels {

// Fixed number of batch slices (a batch of 200 gives 4 slices of 50 rows, or of 48, 48, 48
// and 56 with a CSR weight: see slice_start in recurrent_driver.cpp).
inline constexpr int32_t kRecurrentChunks = 4;

struct RecurrentProblem {
  int32_t steps = 1, batch = 1, units = 1;
  Activation activation = Activation::kTanh;
  bool threshold = false;
  real theta = 0;
  // W is dense (`w`, (N, N)) or CSR (`sparse`, values included) — exactly one of them.
  const Matrix* w = nullptr;
  const CsrView* sparse = nullptr;
  // The input x (T·B, I) and W_in (N, I), both required by recurrent_forward: each slice forms
  // its own rows of the input drive x_t·W_inᵀ just before their step (so they are still in
  // cache when the step reads them, instead of coming back from a whole-sequence product
  // written long before). Same bits as that product: a product's row does not depend on how
  // many rows are computed with it (blas.hpp).
  const Matrix* x = nullptr;
  const Matrix* w_in = nullptr;
};

// a_t and h_t for every step, into `a` and `h` (T·B, N): the input drive x_t·W_inᵀ, plus the
// biases (1, N), either of which may be null, as (drive + b_in) + b_rec, plus the recurrent
// term. `h` may be the same matrix as `a` when there is no threshold.
void recurrent_forward(const RecurrentProblem& p, const Matrix* b_in, const Matrix* b_rec, Matrix& a, Matrix& h,
                       int threads);

// dZ for every step, newest first: d_a (T·B, N) is the gradient arriving at a_t (or null),
// d_h the gradient arriving at h_t (or null); `a` the forward activations; dz (T·B, N) out.
// `scratch` holds one (rows of a slice, N) dH buffer per slice.
void recurrent_backward(const RecurrentProblem& p, const Matrix* d_a, const Matrix* d_h, const Matrix& a, Matrix& dz,
                        Matrix& scratch, int threads);

}  // namespace biornn::kernels
