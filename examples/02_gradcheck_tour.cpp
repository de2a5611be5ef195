// 02_gradcheck_tour — how we know the gradients are right: central finite differences.
//
// What it shows:
//  1. the step h and tolerance gradcheck uses, derived from the unit roundoff u of `real`
//     (h = u^(1/3), tolerance = 100·u^(2/3); see include/biornn/gradcheck.hpp);
//  2. a one-hidden-layer network (matmul, bias, tanh, readout, MSE) whose every parameter
//     element passes the check;
//  3. a deliberately broken gradient — part of the loss is computed from a copy of the input
//     that the tape cannot see — being caught, with the worst element reported.
//
// Expected output (float build; a double build prints a far smaller step and tolerance):
//   step h = 0.00390625 ... tolerance = 0.00151...
//   network: 38 elements checked, worst error/allowed = 0.0..., PASS
//   broken gradient: ... FAIL (as it should) — worst: input 0 (2, 3) at ...
// and exit status 0 (non-zero if the correct gradient failed or the broken one passed).
#include <cstdio>

#include "biornn/gradcheck.hpp"
#include "biornn/rng.hpp"

using namespace biornn;

int main() {
  const GradcheckTolerance tol = gradcheck_default_tolerance();
  std::printf("real = %s: step h = %.8g (relative), tolerance = %.3g absolute + %.3g relative\n",
              kPrecisionName, tol.step, tol.abs_tol, tol.rel_tol);

  Rng rng(3);
  auto random = [&rng](int32_t r, int32_t c) {
    Matrix m(r, c);
    for (int64_t i = 0; i < m.size(); ++i) m.data()[i] = real(rng.uniform(-1, 1));
    return m;
  };
  static Matrix inputs = random(5, 3), targets = random(5, 2);

  // loss = mse(tanh(X·W1ᵀ + b1)·W2ᵀ, Y); parameters: W1 (6, 3), b1 (1, 6), W2 (2, 6), and a
  // bias (1, 2) on the readout.
  const GradcheckFunction network = [](Tape& t, const std::vector<Var>& p) {
    Var hidden = tanh(add_row_bias(matmul_nt(t.constant(inputs), p[0]), p[1]));
    return mse(add_row_bias(matmul_nt(hidden, p[2]), p[3]), t.constant(targets));
  };
  const GradcheckReport good = gradcheck(network, {random(6, 3), random(1, 6), random(2, 6), random(1, 2)});
  std::printf("network: %lld elements checked, worst error/allowed = %.3f, %s\n",
              static_cast<long long>(good.elements_checked), good.worst_ratio,
              good.passed ? "PASS" : "FAIL");

  // The tape differentiates only what it recorded. Here 0.1·Σx is computed from a detached
  // copy, so the tape's gradient misses 0.1 in every element.
  const GradcheckFunction broken = [](Tape& t, const std::vector<Var>& p) {
    Var hidden_copy = t.variable(p[0].value(), /*requires_grad=*/false);
    return sum(mul(p[0], p[0])) + scale(sum(hidden_copy), real(0.1));
  };
  const GradcheckReport bad = gradcheck(broken, {random(2, 3)});
  std::printf("broken gradient: %s%s — worst: %s\n", bad.passed ? "PASS" : "FAIL",
              bad.passed ? " (it should have failed!)" : " (as it should)", bad.worst.c_str());

  return good.passed && !bad.passed ? 0 : 1;
}
