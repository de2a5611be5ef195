// constraint.hpp — what an optimiser step must preserve: Dale's signs and a fixed mask.
//
// Dale's law fixes the sign of every outgoing weight of a neuron: in W (n_post, n_pre) the
// column of an excitatory presynaptic neuron is ≥ 0 and that of an inhibitory one ≤ 0. The
// feasible set is an orthant, and the Euclidean (Frobenius) projection onto it is element-wise
// clipping — E entries max(0, w), I entries min(0, w) — which is the paper's eq. 3 and its
// Theorem 5. A fixed Mask (after pruning) pins the pruned entries to 0.
//
// A ParamConstraint describes both for one parameter, element by element, so the same code
// serves a dense matrix (signs repeated down each column) and the values of a CSR matrix
// (each stored value takes the sign of its column). Optimizer::step (optim.hpp) applies it in
// the order SPEC §2 fixes: mask the gradient → update → project signs → apply mask → zero the
// optimiser moments outside the mask.
//
// Not here: the optimisers themselves (optim.hpp), choosing masks (prune.hpp). Rectified
// backprop is not a constraint but a reparameterisation on the tape (rnn.hpp).
#pragma once

#include <cstdint>
#include <vector>

#include "biornn/csr.hpp"
#include "biornn/mask.hpp"
#include "biornn/matrix.hpp"

namespace biornn {

// +1: the element must stay ≥ 0; −1: ≤ 0; 0: free.
using SignVector = std::vector<int8_t>;

// Column signs for `n` units of which the first round(exc_frac·n) are excitatory (+1) and the
// rest inhibitory (−1). With n = 128 and 0.8 that is 102 E and 26 I (SPEC §1).
SignVector dale_column_signs(int32_t n, double exc_frac);
// Number of excitatory units the rule above gives.
int32_t excitatory_count(int32_t n, double exc_frac);
// Number of excitatory (+1) entries in any column-sign vector.
int32_t excitatory_count(const SignVector& col_signs);

// Per-element signs of a (rows, cols) row-major matrix whose column j has sign col_signs[j].
SignVector element_signs_dense(int32_t rows, const SignVector& col_signs);
// Per-value signs of a CSR matrix: value k takes the sign of its column.
SignVector element_signs_csr(const CsrMatrix& pattern, const SignVector& col_signs);

struct ParamConstraint {
  SignVector signs;            // empty: no sign constraint; else one per element
  const Mask* mask = nullptr;  // nullptr: no mask; else the parameter's shape, must outlive use
  // SPEC §2 option: where the projection clipped a weight, also reset its optimiser moments.
  bool reset_moments_where_clipped = false;

  bool active() const { return !signs.empty() || mask != nullptr; }
};

// The Dale projection, in place. Returns how many elements it changed. When `clipped` is not
// null it receives 1 for each clipped element and 0 otherwise (n entries).
int64_t project_signs_inplace(real* w, const SignVector& signs, int64_t n, uint8_t* clipped = nullptr);
// Elements of w whose sign breaks `signs` (0 means w is feasible).
int64_t count_sign_violations(const real* w, const SignVector& signs, int64_t n);

}  // namespace biornn
