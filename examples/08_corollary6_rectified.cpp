// 08_corollary6_rectified — Dale's projection stays nearer to W than rectified backprop
// (paper §2.1, App. 6.3, Corollary 6).
//
// The statement: rectified backprop (Song, Yang & Wang 2016) trains a latent V and uses
// W_R = relu(V) ⊙ s, s = ±1 per column. Applied to the same updated matrix W it agrees with Dale's
// projection on excitatory columns, but on inhibitory columns it keeps the POSITIVE entries (with
// their sign flipped) and zeroes the negative ones — the opposite of what the projection keeps.
// Since W_R is sign-feasible and W_D is the nearest feasible matrix (Theorem 5),
// ‖W − W_D‖_F ≤ ‖W − W_R‖_F.
//
// The construction: one row of an inhibitory column worked by hand, then verify_corollary6: 200
// matrices W = W0 − 0.1·N(0, 1) (one unconstrained gradient-like step from a Dale-feasible W0, as
// Dale's backprop sees it), W_D from the library's projection and W_R from
// SignedRnn(rectified).recurrent_weights(). The check also compares ‖W − W_R‖² with its closed
// form Σ_E neg² + Σ_I (4·pos² + neg²), so a wrong rectified map would be caught too.
//
// What to look for: the largest ratio ‖W − W_D‖/‖W − W_R‖ is below 1 (about 0.5), i.e. the
// rectified map is typically ~3× farther from the gradient step's intent.
//
// Expected output (float build):
//   an inhibitory column with entries (0.3, -0.2):
//     Dale's projection   (0, -0.2)   distance 0.3
//     rectified map       (-0.3, 0)   distance 0.632 = sqrt(0.6^2 + 0.2^2)
//
//   result             measured    bound          slack                          verdict
//   Corollary 6        0.499547 <= 1              bound 2x measured              pass
//     200 trials: ... Largest ||W - W_D|| / ||W - W_R|| = 0.4995, mean 0.3388 (the rectified map
//     is on average 2.95x farther). W_R feasible: yes; ... (one line)
// and exit status 0 (1 if the check fails).
#include <cmath>
#include <cstdio>

#include "biornn/verify.hpp"

using namespace biornn;

int main() {
  std::printf("an inhibitory column with entries (0.3, -0.2):\n");
  std::printf("  Dale's projection   (0, -0.2)   distance %.3g\n", std::sqrt(0.3 * 0.3));
  std::printf("  rectified map       (-0.3, 0)   distance %.3g = sqrt(0.6^2 + 0.2^2)\n\n", std::sqrt(0.36 + 0.04));
  const VerifyCheck c = verify_corollary6({});
  std::printf("%s\n%s\n  %s\n", verify_table_header().c_str(), verify_table_row(c).c_str(), c.details.c_str());
  return c.pass ? 0 : 1;
}
