// inference_internal.hpp — what an InferenceModel holds (internal; shared by inference.cpp, the
// step, and inference_load.cpp, which reads and checks model.npz).
#pragma once

#include "biornn/csr.hpp"
#include "biornn/inference.hpp"
#include "biornn/matrix.hpp"
#include "kernels/gemm_packed.hpp"

namespace biornn {

struct InferenceModel::Impl {
  InferenceSpec spec;
  GemmKernel gemm = GemmKernel::kRef;      // captured at load: every step uses these
  MathKernel math = MathKernel::kLibm;
  // Weights as model.npz holds them. W is (N, N) dense, or empty when the model is sparse;
  // W_in, W and W_out are released once packed (packed GEMM kernels).
  Matrix w_in, w, b_in, b_rec, w_out, b_out;  // (N, n_in) (N, N) (1, N) (1, N) (n_out, N) (1, n_out)
  CsrMatrix pattern;                          // sparse: W on `mask`, values included
  CsrView sparse_view;
  // op(B) of each product packed once (packed GEMM kernels only): W_inᵀ, Wᵀ, W_outᵀ.
  kernels::PackedOperandB packed_in, packed_w, packed_out;
  // State and scratch, (1, N) or (1, n_out): a_t, h_t (h_{t−1} during a step), y_t.
  Matrix a, h, y;
  int64_t t = 0;
};

// Builds the kernel-side part of a model whose weights and spec are set (inference.cpp):
// captures the active kernels, packs the weights, sizes the state, warms the workspaces.
void inference_prepare(InferenceModel::Impl& m);

}  // namespace biornn
