// test_verify.cpp — the verify module's foundations and its projection checks: Jacobi
// eigenvalues against closed forms, the verdict arithmetic at its edges, and Theorem 5 /
// Corollary 6 passing with the library's projection and FAILING with deliberately broken ones
// (a check that cannot fail proves nothing).
#include "doctest/doctest.h"

#include <cfloat>
#include <cmath>
#include <vector>

#include "biornn/verify.hpp"

using namespace biornn;

namespace {

// Keeps the wrong sign: zeroes the entries Dale's law allows and keeps the violating ones.
void wrong_sign_projection(real* w, const SignVector& signs, int64_t n) {
  for (int64_t k = 0; k < n; ++k)
    if ((signs[std::size_t(k)] > 0 && w[k] > 0) || (signs[std::size_t(k)] < 0 && w[k] < 0)) w[k] = 0;
}

// The right projection, then everything scaled by `factor` (still feasible, not the nearest).
VerifyProjection scaled_projection(double factor) {
  return [factor](real* w, const SignVector& signs, int64_t n) {
    project_signs_inplace(w, signs, n);
    for (int64_t k = 0; k < n; ++k) w[k] = real(double(w[k]) * factor);
  };
}

// Eigenvalues are backward stable: allow 64·n·ε·‖A‖₂ (n ≤ 30 here, so ≈ 4e-13·‖A‖₂).
double eigen_tolerance(int32_t n, double norm) { return 64.0 * n * DBL_EPSILON * norm; }

}  // namespace

TEST_CASE("Jacobi eigenvalues of a 2x2 symmetric matrix match the closed form") {
  const double a = 3.0, b = -1.25, c = 0.5;
  const double mid = (a + c) / 2, rad = std::sqrt((a - c) * (a - c) / 4 + b * b);
  const std::vector<double> eig = symmetric_eigenvalues({a, b, b, c}, 2);
  REQUIRE(eig.size() == 2);
  CHECK(std::fabs(eig[0] - (mid - rad)) <= eigen_tolerance(2, 4));
  CHECK(std::fabs(eig[1] - (mid + rad)) <= eigen_tolerance(2, 4));
}

TEST_CASE("Jacobi eigenvalues of the tridiagonal (-1, 2, -1) matrix are 2 - 2cos(k pi/(n+1))") {
  const int32_t n = 30;
  std::vector<double> t(std::size_t(n * n), 0.0);
  for (int32_t i = 0; i < n; ++i) {
    t[std::size_t(i * n + i)] = 2;
    if (i + 1 < n) t[std::size_t(i * n + i + 1)] = t[std::size_t((i + 1) * n + i)] = -1;
  }
  const std::vector<double> eig = symmetric_eigenvalues(t, n);
  for (int32_t k = 1; k <= n; ++k) {
    CAPTURE(k);
    CHECK(std::fabs(eig[std::size_t(k - 1)] - (2 - 2 * std::cos(k * M_PI / (n + 1)))) <= eigen_tolerance(n, 4));
  }
}

TEST_CASE("Jacobi recovers a rotated diagonal, repeated and negative eigenvalues included") {
  // Q = I − 2vvᵀ/‖v‖² (a reflection, orthogonal), A = Q·diag(d)·Qᵀ.
  const int32_t n = 5;
  const double d[n] = {-2.0, 0.5, 0.5, 3.0, 7.5};
  const double v[n] = {1, -2, 0.5, 3, 1};
  double vv = 0;
  for (double x : v) vv += x * x;
  std::vector<double> q(std::size_t(n * n)), a(std::size_t(n * n), 0.0);
  for (int32_t i = 0; i < n; ++i)
    for (int32_t j = 0; j < n; ++j) q[std::size_t(i * n + j)] = (i == j ? 1 : 0) - 2 * v[i] * v[j] / vv;
  for (int32_t i = 0; i < n; ++i)
    for (int32_t j = 0; j < n; ++j)
      for (int32_t k = 0; k < n; ++k) a[std::size_t(i * n + j)] += q[std::size_t(i * n + k)] * d[k] * q[std::size_t(j * n + k)];
  const std::vector<double> eig = symmetric_eigenvalues(a, n);
  for (int32_t k = 0; k < n; ++k) CHECK(std::fabs(eig[std::size_t(k)] - d[k]) <= eigen_tolerance(n, 7.5));
}

TEST_CASE("the spectral norm of a rank-one matrix u v' is |u| |v|") {
  const double u[3] = {1, -2, 2}, v[4] = {0.5, 0.5, -0.5, 0.5};  // |u| = 3, |v| = 1
  std::vector<double> m(12);
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 4; ++j) m[std::size_t(i * 4 + j)] = u[i] * v[j];
  CHECK(std::fabs(spectral_norm(m, 3, 4) - 3.0) <= 1e-7);  // √λ halves the digits near λ_min only
  Matrix r = Matrix::from_rows({{3, 0}, {0, -4}});
  CHECK(std::fabs(spectral_norm(r) - 4.0) <= 1e-12);
}

TEST_CASE("a check passes exactly up to its tolerance, NaN never passes, extra conditions count") {
  VerifyCheck c;
  c.relation = VerifyRelation::kAtMost;
  c.bound = 1;
  c.tolerance = 0.5;
  c.measured = 1.5;
  verify_finish(c);
  CHECK(c.pass);
  CHECK(c.slack == -0.5);
  c.measured = std::nextafter(1.5, 2.0);
  verify_finish(c);
  CHECK_FALSE(c.pass);
  CHECK(std::string(verify_verdict(c)) == "fail");
  c.demonstration = true;
  CHECK(std::string(verify_verdict(c)) == "broken");
  c.measured = NAN;
  verify_finish(c);
  CHECK_FALSE(c.pass);
  c.measured = 0.25;
  verify_finish(c, false);
  CHECK_FALSE(c.pass);
  verify_finish(c);
  CHECK(c.pass);
  CHECK(c.ratio == 4);  // bound/measured: "bound 4x measured"
  CHECK(verify_slack_text(c) == "bound 4x measured");

  VerifyCheck lower;
  lower.relation = VerifyRelation::kAtLeast;
  lower.bound = 2;
  lower.measured = 5;
  verify_finish(lower);
  CHECK(lower.pass);
  CHECK(lower.ratio == 2.5);
  VerifyCheck eq;
  eq.relation = VerifyRelation::kEqualWithin;
  eq.bound = 0.5;
  eq.tolerance = 0.01;
  eq.measured = 0.505;
  verify_finish(eq);
  CHECK(eq.pass);
  CHECK(std::fabs(eq.ratio - 0.5) < 1e-9);  // half the tolerance used
  eq.measured = 0.52;
  verify_finish(eq);
  CHECK_FALSE(eq.pass);
}

TEST_CASE("Theorem 5 passes with the library's projection, which matches the optimiser to rounding") {
  const VerifyCheck c = verify_theorem5({});
  CAPTURE(c.details);
  CHECK(c.pass);
  CHECK(c.id == "theorem5");
  CHECK(c.measured > 0);
  CHECK(c.measured <= c.bound + c.tolerance);
  CHECK(c.bound - c.measured <= 1e-12 * c.measured);  // the optimiser cannot do better than P
}

TEST_CASE("Theorem 5 fails for a projection that keeps the wrong sign, scales, or does nothing") {
  VerifyOptions wrong;
  wrong.projection = wrong_sign_projection;
  CHECK_FALSE(verify_theorem5(wrong).pass);
  VerifyOptions shrunk;
  shrunk.projection = scaled_projection(0.999);  // feasible, 0.1 % off the nearest point
  const VerifyCheck s = verify_theorem5(shrunk);
  CAPTURE(s.details);
  CHECK_FALSE(s.pass);
  CHECK(s.measured > s.bound);
  VerifyOptions none;
  none.projection = [](real*, const SignVector&, int64_t) {};  // distance 0, but infeasible
  CHECK_FALSE(verify_theorem5(none).pass);
}

TEST_CASE("Corollary 6 passes: Dale's projection is nearer to W than the rectified map in every trial") {
  const VerifyCheck c = verify_corollary6({});
  CAPTURE(c.details);
  CHECK(c.pass);
  CHECK(c.measured < 1);
  CHECK(c.measured > 0);
}

TEST_CASE("Corollary 6 fails when the projection keeps the wrong sign") {
  VerifyOptions wrong;
  wrong.projection = wrong_sign_projection;
  const VerifyCheck c = verify_corollary6(wrong);
  CAPTURE(c.details);
  CHECK_FALSE(c.pass);
  CHECK(c.measured > 1);
}
