// 12_theorem4_error_bound — the error of Dale's solution in terms of conventional backprop's
// (paper §2.2.2, App. 8.2, Theorem 4).
//
// The statement: for a single-layer RNN f unrolled over T steps, with W from conventional backprop
// and W_D from Dale's backprop after K iterations,
//     ‖f(W_D) − y‖² ≤ 2·(δ²·Σ_t L_{f_t}² + Σ_t (ε*_t)²),   ε*_t = ‖f_t(W) − y_t‖,
// δ = (G/L)((1 + ηL)^K − 1) from Lemma 3, and L_{f_t} a Lipschitz constant of f_t.
// (The appendix restates it without the factor 2, which its own proof does not give.)
//
// Which Lipschitz constant. The proof uses ‖f_t(W) − f_t(W_D)‖ ≤ L_{f_t}·‖W − W_D‖ (eq. 14): a
// constant in the WEIGHTS. Its eq. 13, ‖W‖^t + ‖W_in‖·Σ_k ‖W‖^k, is a constant in the INPUT and does
// not contain the size of the hidden states, which is what a weight change multiplies. We use a
// provable weight-Lipschitz bound instead: with e_t = ‖h_t(W) − h_t(W_D)‖ and ReLU 1-Lipschitz,
//     e_t ≤ ‖W − W_D‖₂·‖H_{t−1}(W)‖_F + ‖W_D‖₂·e_{t−1},  so  L_t = ‖H_{t−1}(W)‖_F + ‖W_D‖₂·L_{t−1},
// L_1 = 0 (h_0 = 0), and the same with W and W_D exchanged; L_{f_t} is the larger of the two. The
// demonstration at the end uses eq. 13's constant on inputs scaled ×10 and eq. 14 fails.
//
// The construction (verify_theorem4): a ReLU RNN with 8 units (6 E, 2 I), 3 inputs, T = 8, batch
// 16, no biases; only W is trained (W_in fixed); targets are the hidden states of a teacher with a
// mixed-sign W, so Dale's signs cost something. 40 iterations of gradient descent, η = 0.05, for
// both rules from one Dale initialisation, on the library's tape and Optimizer. G is the largest
// gradient norm along both runs and L the largest secant ratio of the gradients — exactly what
// the proof of Lemma 3 uses — so δ ≥ ‖W − W_D‖ holds for this run.
//
// What to look for: per time step, the output difference is below L_{f_t}·‖W − W_D‖ (eq. 14);
// the bound holds twice — with Lemma 3's δ (astronomically loose, (1 + ηL)^40 ≈ 110 and the
// factor is squared) and with δ = ‖W − W_D‖ itself (174× the measured error here).
//
// Expected output (float build; the double build differs in the 4th digit of a few entries):
//   8 units, T = 8, B = 16, 40 iterations, eta = 0.05; G = 20.5, secant L = 2.499
//   delta (Lemma 3) = 901.8, ||W - W_D||_F = 0.1867
//         t      L_ft  eq.13 L_ft  ||f(W)-f(W_D)||  L_ft*||dW||     eps*_t  Dale error
//         1         0       2.419                0            0  7.924e-08   7.924e-08
//         2     3.161       4.333           0.1013       0.5901     0.6437      0.6735
//         3     7.977       6.914          0.06962        1.489     0.5451      0.5688
//         4     14.41       10.39           0.0563        2.689      0.708       0.738
//         5     22.99       15.09          0.05751        4.291     0.6532      0.6665
//         6      35.1       21.42          0.07415        6.552     0.8328      0.8677
//         7     50.96       29.95          0.06242        9.512     0.9152      0.9417
//         8     72.23       41.46          0.06086        13.48     0.7345      0.7697
//   bound with delta = ||W - W_D||_F: 694.2
//   result             measured    bound          slack                          verdict
//   Theorem 4           3.99805 <= 1.60321e+10    bound 4.01e+09x measured       pass
//     ReLU RNN, 8 units (6 E, 2 I), ... (one line)
//
//   Theorem 4*          1.25304 <= 1              measured 1.25x the bound       broken
//     (the statement and the details, one line each)
// (ε*_1 ≈ 0: h_1 = relu(W_in·x_1) does not depend on W, and the teacher shares W_in.)
// and exit status 0 (1 if the check fails).
#include <cstdio>

#include "biornn/verify.hpp"

using namespace biornn;

int main() {
  ErrorBoundTrace t;
  const VerifyCheck c = verify_theorem4({}, &t);
  std::printf("%d units, T = %d, B = %d, %d iterations, eta = %.3g; G = %.4g, secant L = %.4g\n", t.units, t.steps,
              t.batch, t.iterations, t.step, t.gradient_bound, t.lipschitz_secant);
  std::printf("delta (Lemma 3) = %.4g, ||W - W_D||_F = %.4g\n", t.delta_lemma3, t.delta_measured);
  std::printf("   %4s %9s %11s %16s %12s %10s %11s\n", "t", "L_ft", "eq.13 L_ft", "||f(W)-f(W_D)||", "L_ft*||dW||",
              "eps*_t", "Dale error");
  for (int32_t s = 0; s < t.steps; ++s)
    std::printf("   %4d %9.4g %11.4g %16.4g %12.4g %10.4g %11.4g\n", s + 1, t.lipschitz_t[std::size_t(s)],
                t.paper_lipschitz_t[std::size_t(s)], t.output_distance_t[std::size_t(s)],
                t.lipschitz_t[std::size_t(s)] * t.delta_measured, t.conventional_error_t[std::size_t(s)],
                t.dale_error_t[std::size_t(s)]);
  std::printf("bound with delta = ||W - W_D||_F: %.4g\n", t.bound_tight);
  std::printf("%s\n%s\n  %s\n\n", verify_table_header().c_str(), verify_table_row(c).c_str(), c.details.c_str());
  const VerifyCheck d = verify_demo_theorem4_paper_lipschitz({});
  std::printf("%s\n  %s\n  %s\n", verify_table_row(d).c_str(), d.statement.c_str(), d.details.c_str());
  return c.pass ? 0 : 1;
}
