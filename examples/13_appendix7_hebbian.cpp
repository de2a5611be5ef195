// 13_appendix7_hebbian — which weights do Dale's backprop and Hebbian learning strengthen?
// (paper §2.1, App. 7)
//
// The paper's claim: with non-negative activations, "the weights strengthened by Hebbian learning
// form a subset of those strengthened via Dale's backprop".
//
// What is precisely true. Hebbian learning changes w_ji by η·a_i·a_j (pre × post). For a
// recurrent weight we take post at t and pre at t − 1: Δw_ji = η·Σ_{b,t} h_j(t)·h_i(t−1) ≥ 0, so it
// strengthens an excitatory weight exactly when the two units were ever co-active, and it never
// strengthens an inhibitory one (it can only make w ≤ 0 less negative). Backprop's update is
// −η·Σ_{b,t} δ_j(t)·h_i(t−1) with δ_j(t) = ∂ℓ/∂z_j(t), and with ReLU δ_j(t) = 0 whenever h_j(t) = 0.
// So for Dale's backprop to strengthen an E weight, some term needs h_i(t−1) > 0 AND h_j(t) > 0:
//     every excitatory weight Dale's backprop strengthens is one Hebbian learning strengthens.
// That is the inclusion in the OTHER direction from the paper's wording; the paper's direction
// fails (co-activity is necessary, the error signal decides), as the demonstration shows.
//
// The construction (verify_appendix7): a ReLU RNN, 10 units (8 E, 2 I), trained for 20 steps of
// Dale's backprop (library tape and Optimizer) on teacher targets; at every step, for every
// weight, we compare "|w| grew in the Dale step" with "the Hebbian update from the same step's
// rates would grow |w|".
//
// Expected output (float build):
//   result             measured    bound          slack                          verdict
//   App. 7                    1 >= 1              tight (slack 0)                pass
//     ReLU RNN, 10 units (8 E, 2 I), T = 6, B = 8, 20 Dale steps (eta = 0.05). Hebbian update
//     eta*sum_t h_j(t) h_i(t-1) >= 0. Of 400 (E weight, step) pairs Dale strengthened, 400 are
//     Hebbian-strengthened (...). Inhibitory weights: Dale strengthened 166 of 400, Hebbian 0 (...)
//
//   App. 7*            0.434783 >= 1              short by 0.565                 broken
//     (statement) / same run: Hebbian learning strengthened 920 (E weight, step) pairs, Dale's
//     backprop 400 of them. (...)
// and exit status 0 (1 if the check fails).
#include <cstdio>

#include "biornn/verify.hpp"

using namespace biornn;

int main() {
  const VerifyCheck c = verify_appendix7({});
  std::printf("%s\n%s\n  %s\n\n", verify_table_header().c_str(), verify_table_row(c).c_str(), c.details.c_str());
  const VerifyCheck d = verify_demo_appendix7_paper_direction({});
  std::printf("%s\n  %s\n  %s\n", verify_table_row(d).c_str(), d.statement.c_str(), d.details.c_str());
  return c.pass ? 0 : 1;
}
