// recurrent.hpp — the fused recurrent op: a whole Elman sequence as one tape node.
//
// For t = 0 … T−1, with h_{−1} = 0 (paper eq. 1, Algorithm 1 step 5; SPEC §1):
//     z_t = x_t·W_inᵀ + b_in + h_{t−1}·Wᵀ + b_rec
//     a_t = φ(z_t)                        φ = tanh | relu | identity
//     h_t = max(a_t, θ)   (threshold on: Dale's rule)      or   h_t = a_t   (threshold off)
// The op returns every a_t (or every h_t) stacked time-major: row t·B + b is sample b at step t.
//
// Why fused: recorded with primitive ops, T steps cost ~6T nodes, T small input products and T
// small weight-gradient products. Here the input projection of every step is ONE product,
// X·W_inᵀ over all T·B rows, written straight into the a buffer; the time loop then adds the
// biases and h_{t−1}·Wᵀ step by step. The hand-written backward runs the recurrence
//     dZ_t = (dA_t + [a_t > θ] ⊙ dZ_{t+1}·W) ⊙ φ'(a_t)
// step by step, then forms every weight gradient with ONE product over all steps:
//     dW += Σ_t dZ_tᵀ·h_{t−1} = dZ[B:]ᵀ · H[:−B]     (a (N, N) result from (T−1)·B rows)
//     dW_in += dZᵀ·X,   db_in += Σ rows of dZ,   db_rec += the same,   dX += dZ·W_in.
// The time loops run in src/kernels/recurrent_driver.cpp, threaded over batch slices.
//
// tests/test_recurrent.cpp proves the op equal to the same network unrolled with primitive
// ops (values and every gradient) and passes it through gradcheck, dense and sparse.
//
// Not here: parameters, initialisation and learning rules (rnn.hpp).
#pragma once

#include "biornn/tape.hpp"

namespace biornn {

enum class Activation { kTanh, kRelu, kIdentity };
enum class ReadoutFrom { kActivation, kRate };  // the op returns a_t, or h_t

const char* activation_name(Activation a);
bool parse_activation(const std::string& text, Activation* out);  // "tanh", "relu", "identity"
const char* readout_from_name(ReadoutFrom r);
bool parse_readout_from(const std::string& text, ReadoutFrom* out);  // "activation", "rate"

struct RecurrentOptions {
  int32_t steps = 1;                 // T; the drive has T·B rows
  Activation activation = Activation::kTanh;
  bool threshold = false;            // h_t = max(a_t, θ)
  real theta = 0;                    // θ ≥ 0
  ReadoutFrom output = ReadoutFrom::kActivation;
};

// x: (T·B, n_in), time-major; w_in: (N, n_in); w: (N, N) recurrent weights (row = post,
// col = pre); b_in, b_rec: (1, N), or a default-constructed Var for none. Returns (T·B, N).
Var recurrent(Var x, Var w_in, Var w, Var b_in, Var b_rec, const RecurrentOptions& options);
// The same with W = CSR(pattern, values): pattern (N, N), values (1, nnz). Only stored
// entries of W receive gradient.
Var recurrent_sparse(Var x, Var w_in, const CsrMatrix& pattern, Var values, Var b_in, Var b_rec,
                     const RecurrentOptions& options);

}  // namespace biornn
