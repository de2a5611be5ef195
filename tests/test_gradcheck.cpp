// test_gradcheck.cpp — the finite-difference checker itself: its derived tolerances, and
// that it passes right gradients and catches wrong ones at the edges of its tolerance.
#include "doctest/doctest.h"

#include <cmath>
#include <limits>

#include "biornn/gradcheck.hpp"

using namespace biornn;

TEST_CASE("the default tolerance follows u^(1/3) and u^(2/3) for the build's precision") {
  const double u = std::numeric_limits<real>::epsilon() / 2;
  const GradcheckTolerance t = gradcheck_default_tolerance();
  CHECK(t.step == doctest::Approx(std::cbrt(u)));
  CHECK(t.abs_tol == doctest::Approx(kGradcheckSafety * std::pow(u, 2.0 / 3.0)));
  if (sizeof(real) == 4) {
    CHECK(t.step == doctest::Approx(3.9e-3).epsilon(0.01));
    CHECK(t.abs_tol == doctest::Approx(1.5e-3).epsilon(0.05));
  } else {
    CHECK(t.step == doctest::Approx(6.06e-6).epsilon(0.01));
    CHECK(t.abs_tol == doctest::Approx(2.3e-9).epsilon(0.05));
  }
}

namespace {

// f(x) = Σ x ⊙ R + ε·Σ x̃, where x̃ is a copy of x made *without* a gradient path: the tape
// reports ∂f/∂x = R, the truth is R + ε. gradcheck must fail when ε is well above its
// tolerance and pass when ε is well below it.
GradcheckReport check_with_gradient_error(double epsilon) {
  static const Matrix r = Matrix::from_rows({{0.5, -0.25, 0.75}, {1.0, -0.5, 0.125}});
  const GradcheckFunction f = [epsilon](Tape& t, const std::vector<Var>& v) {
    Var detached = t.variable(v[0].value(), /*requires_grad=*/false);
    return sum(mul(v[0], t.constant(r))) + scale(sum(detached), real(epsilon));
  };
  std::vector<Matrix> inputs = {Matrix::from_rows({{0.1, 0.2, -0.3}, {0.4, -0.5, 0.6}})};
  return gradcheck(f, inputs);
}

}  // namespace

TEST_CASE("gradcheck passes a correct gradient") {
  const GradcheckReport report = check_with_gradient_error(0.0);
  CAPTURE(report.worst);
  CHECK(report.passed);
  CHECK(report.elements_checked == 6);
  CHECK(report.worst_ratio < 0.1);
}

TEST_CASE("gradcheck catches a gradient error ten times its tolerance and passes one a tenth of it") {
  const GradcheckTolerance t = gradcheck_default_tolerance();
  // allowed ≈ abs_tol + rel_tol·|R + ε| ≤ abs_tol·(1 + 1.1) for |R| ≤ 1.
  const double allowed_at_worst = t.abs_tol * 2.1;
  const GradcheckReport caught = check_with_gradient_error(10 * allowed_at_worst);
  CHECK_FALSE(caught.passed);
  CHECK(caught.worst_ratio > 4);
  const GradcheckReport tolerated = check_with_gradient_error(0.1 * t.abs_tol);
  CAPTURE(tolerated.worst);
  CHECK(tolerated.passed);
}

TEST_CASE("gradcheck reports the worst element in words") {
  const GradcheckReport report = check_with_gradient_error(1.0);
  CHECK_FALSE(report.passed);
  CHECK(report.worst.find("analytic") != std::string::npos);
  CHECK(report.worst.find("numeric") != std::string::npos);
}
