// 09_lemma1_sign_preservation — when is Dale's projection never needed? (paper §2.2.1, App. 8.1,
// Lemma 1)
//
// The statement (paper): if the optimum W* has the sign pattern of the initial weights W⁽⁰⁾, then
// gradient descent with step 1/L keeps that sign pattern at every iteration, so the projection
// never acts and Dale's backprop is plain gradient descent.
//
// What is true, and what we check. The proof argues coordinate by coordinate that each w_j moves
// monotonically towards w*_j. That holds for a separable loss, not in general, and the second
// demonstration below is a 2-D least-squares counterexample: w⁽⁰⁾ = (2, 0.1) and w* = (1, 0.1) are
// both in the positive orthant, yet one step lands at (1.495, −0.395). A sufficient condition that
// does hold for every convex L-smooth loss: ‖W⁽⁰⁾ − W*‖ < min_j |w*_j|. Gradient descent with a step
// ≤ 2/L never moves away from W*, so the iterates stay in a ball around W* that lies inside the
// orthant. The check (verify_lemma1) builds least squares ½‖A·vec(W) − b‖² with a 4×6 W (4 E,
// 2 I columns), W* inside the orthant, W⁽⁰⁾ at 0.9·min|w*_j| from W*, step 1/L with
// L = λ_max(AᵀA), and runs plain GD and Dale's backprop (the library's Optimizer) side by side.
//
// What to look for: the closest approach to a sign boundary stays positive, the projection changes
// nothing and the two runs are bit-for-bit identical. Then the demonstrations: with the optimum
// outside the orthant (first) signs change and the projection clips all the time; and the 2-D
// counterexample (second) flips a sign at step one although the paper's assumption holds.
//
// Expected output (float build):
//   result             measured    bound          slack                          verdict
//   Lemma 1            0.305152 >= 0              slack 0.305                    pass
//     least squares, W: 4x6 (4 E, 2 I columns), A: 72x24, mu = 0.1773, L = 2.358, ... (one line)
//
//   demonstrations (bound broken on purpose, not failures):
//   Lemma 1*          -0.975859 >= 0              short by 0.976                 broken
//     (statement) / ... after 300 steps plain GD has 8 of 24 weights on the wrong side ...
//   Lemma 1**            -0.395 >= 0              short by 0.395                 broken
//     (statement) / ... One GD step with 1/L gives w1 = (1.495, -0.395): a sign flip. ...
// and exit status 0 (1 if the check fails).
#include <cstdio>

#include "biornn/verify.hpp"

using namespace biornn;

int main() {
  const VerifyCheck c = verify_lemma1({});
  std::printf("%s\n%s\n  %s\n\n", verify_table_header().c_str(), verify_table_row(c).c_str(), c.details.c_str());
  std::printf("demonstrations (bound broken on purpose, not failures):\n");
  for (const VerifyCheck& d : {verify_demo_lemma1_outside({}), verify_demo_lemma1_non_separable({})})
    std::printf("%s\n  %s\n  %s\n", verify_table_row(d).c_str(), d.statement.c_str(), d.details.c_str());
  return c.pass ? 0 : 1;
}
