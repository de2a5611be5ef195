// 07_theorem5_projection — Dale's projection is the nearest sign-feasible matrix (paper App. 6.3,
// Theorem 5).
//
// The statement: let S be the matrices whose excitatory columns are ≥ 0 and inhibitory columns
// ≤ 0. For any W, the matrix W_D that Dale's backprop produces — clip E entries at 0 from below,
// I entries at 0 from above — minimises ‖W − X‖_F over X ∈ S. The proof is one line: the squared
// Frobenius norm is a sum over entries, so each entry is its own one-dimensional problem
// "nearest x ≥ 0 to w" (or x ≤ 0), whose answer is max(w, 0) (or min(w, 0)).
//
// The construction: a small W printed next to its projection, then verify_theorem5, which takes a
// 12×12 W and compares the library's projection (constraint.hpp, the code the optimiser runs)
// with (1) a golden-section search on every entry that knows nothing about clipping, (2) 2000
// random feasible matrices, and (3) the variational inequality ⟨W − P, X − P⟩ ≤ 0 that
// characterises a projection onto a convex set. Finally the same check with a projection that is
// feasible but 0.1 % too small, to show the check is able to fail.
//
// What to look for: the projection's distance equals the optimiser's minimum to the last digit
// ("tight"); random feasible points are all farther; the scaled projection fails.
//
// Expected output (float build; a double build differs in the last digits of the check row):
//   W (columns: E E I):            P(W):
//      0.70  -0.20   0.30            0.70   0.00   0.00
//     -0.50   0.10  -0.40            0.00   0.10  -0.40
//   ||W - P(W)||_F = 0.6164 = sqrt(0.2^2 + 0.3^2 + 0.5^2)
//
//   result             measured    bound          slack                          verdict
//   Theorem 5           4.19708 <= 4.19708        tight (slack 8.9e-16)          pass
//     W: 12x12, entries U(-1,1), 9 E and 3 I columns. P(W) feasible: yes. Per-entry golden-section
//     optimiser (double) reaches 4.1970778928384922 (P is within rounding of it). 2000 random
//     feasible points: the nearest of those drawn anywhere is 4.35x farther than P; ... (one line)
//
//   with a projection scaled by 0.999: measured 4.19708088 > bound 4.19707789 -> fail (as it must)
// and exit status 0 (1 if the check fails).
#include <cmath>
#include <cstdio>

#include "biornn/verify.hpp"

using namespace biornn;

int main() {
  const SignVector col_signs = {1, 1, -1};
  Matrix w = Matrix::from_rows({{0.7, -0.2, 0.3}, {-0.5, 0.1, -0.4}});
  Matrix p = w;
  project_signs_inplace(p.data(), element_signs_dense(2, col_signs), p.size());
  std::printf("W (columns: E E I):            P(W):\n");
  for (int32_t i = 0; i < 2; ++i) {
    for (int32_t j = 0; j < 3; ++j) std::printf(" %6.2f", double(w(i, j)));
    std::printf("         ");
    for (int32_t j = 0; j < 3; ++j) std::printf(" %6.2f", double(p(i, j)) + 0.0);
    std::printf("\n");
  }
  double d2 = 0;
  for (int64_t k = 0; k < w.size(); ++k) d2 += (double(w.data()[k]) - double(p.data()[k])) * (double(w.data()[k]) - double(p.data()[k]));
  std::printf("||W - P(W)||_F = %.4f = sqrt(0.2^2 + 0.3^2 + 0.5^2)\n\n", std::sqrt(d2));

  const VerifyCheck c = verify_theorem5({});
  std::printf("%s\n%s\n  %s\n\n", verify_table_header().c_str(), verify_table_row(c).c_str(), c.details.c_str());

  VerifyOptions broken;
  broken.projection = [](real* x, const SignVector& signs, int64_t n) {
    project_signs_inplace(x, signs, n);
    for (int64_t k = 0; k < n; ++k) x[k] = real(double(x[k]) * 0.999);
  };
  const VerifyCheck b = verify_theorem5(broken);
  std::printf("with a projection scaled by 0.999: measured %.9g > bound %.9g -> %s (as it must)\n", b.measured, b.bound,
              verify_verdict(b));
  return c.pass && !b.pass ? 0 : 1;
}
