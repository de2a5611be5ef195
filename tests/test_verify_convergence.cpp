// test_verify_convergence.cpp — Lemma 1, Theorem 2 and Lemma 3 on least squares: each check
// passes as the library runs it, and FAILS when the step size is wrong or the projection is
// broken, so a pass means something. The demonstrations must show their bound broken.
#include "doctest/doctest.h"

#include <cmath>

#include "biornn/verify.hpp"

using namespace biornn;

namespace {

void wrong_sign_projection(real* w, const SignVector& signs, int64_t n) {
  for (int64_t k = 0; k < n; ++k)
    if ((signs[std::size_t(k)] > 0 && w[k] > 0) || (signs[std::size_t(k)] < 0 && w[k] < 0)) w[k] = 0;
}

VerifyProjection scaled_projection(double factor) {
  return [factor](real* w, const SignVector& signs, int64_t n) {
    project_signs_inplace(w, signs, n);
    for (int64_t k = 0; k < n; ++k) w[k] = real(double(w[k]) * factor);
  };
}

VerifyOptions with_step(double scale) {
  VerifyOptions o;
  o.step_scale = scale;
  return o;
}

}  // namespace

TEST_CASE("Lemma 1 passes: from inside the safe ball, GD never nears a sign boundary and never clips") {
  const VerifyCheck c = verify_lemma1({});
  CAPTURE(c.details);
  CHECK(c.pass);
  CHECK(c.measured > 0);
}

TEST_CASE("Lemma 1 fails with a step of 2.5/L (divergence) and with a projection that clips the wrong sign") {
  CHECK_FALSE(verify_lemma1(with_step(2.5)).pass);
  VerifyOptions wrong;
  wrong.projection = wrong_sign_projection;
  const VerifyCheck c = verify_lemma1(wrong);
  CAPTURE(c.details);
  CHECK_FALSE(c.pass);
}

TEST_CASE("Theorem 2 passes: eps is reached within the bound and the gap stays under (1 - mu/L)^i gap0") {
  RateTrace t;
  const VerifyCheck c = verify_theorem2({}, &t);
  CAPTURE(c.details);
  CHECK(c.pass);
  REQUIRE(t.gap.size() == t.bound.size());
  REQUIRE(t.gap.size() == std::size_t(t.iterations_bound + 1));
  CHECK(t.mu > 0);
  CHECK(t.lipschitz >= t.mu);
  CHECK(t.iterations_to_eps > 0);
  CHECK(t.iterations_to_eps <= t.iterations_bound);
  for (std::size_t i = 0; i < t.gap.size(); ++i) {
    CAPTURE(i);
    CHECK(t.gap[i] <= t.bound[i] + t.tolerance[i]);
  }
}

TEST_CASE("Theorem 2 fails with a step of 2.5/L, with a step of 0.2/L, and with broken projections") {
  const VerifyCheck too_long = verify_theorem2(with_step(2.5));
  CAPTURE(too_long.details);
  CHECK_FALSE(too_long.pass);
  const VerifyCheck too_short = verify_theorem2(with_step(0.2));
  CAPTURE(too_short.details);
  CHECK_FALSE(too_short.pass);  // converges, but slower than the rate the theorem promises for 1/L
  VerifyOptions wrong;
  wrong.projection = wrong_sign_projection;
  CHECK_FALSE(verify_theorem2(wrong).pass);
  VerifyOptions shrunk;
  shrunk.projection = scaled_projection(0.98);
  CHECK_FALSE(verify_theorem2(shrunk).pass);
}

TEST_CASE("Lemma 3 passes at every iteration, with a bound far looser than the distance") {
  DistanceTrace t;
  const VerifyCheck c = verify_lemma3({}, &t);
  CAPTURE(c.details);
  CHECK(c.pass);
  REQUIRE(t.distance.size() == t.bound.size());
  CHECK(t.distance.front() == 0);
  CHECK(t.distance.back() > 0);  // the optimum is outside the orthant: the runs do separate
  CHECK(t.gradient_bound > 0);
  CHECK(t.lipschitz_secant <= t.lipschitz * (1 + 1e-6));  // a secant never exceeds the global L
  CHECK(c.ratio > 100);
}

TEST_CASE("Lemma 3 fails when the projection inflates the weights or throws clipped ones far") {
  VerifyOptions inflated;
  inflated.projection = scaled_projection(1.5);
  const VerifyCheck a = verify_lemma3(inflated);
  CAPTURE(a.details);
  CHECK_FALSE(a.pass);
  VerifyOptions thrown;
  thrown.projection = [](real* w, const SignVector& signs, int64_t n) {
    for (int64_t k = 0; k < n; ++k) {
      const int8_t s = signs[std::size_t(k)];
      if ((s > 0 && w[k] < 0) || (s < 0 && w[k] > 0)) w[k] = real(s);  // feasible, but far: ±1
    }
  };
  const VerifyCheck b = verify_lemma3(thrown);
  CAPTURE(b.details);
  CHECK_FALSE(b.pass);
}

TEST_CASE("the demonstrations break their bounds: optimum outside, non-separable loss") {
  const VerifyCheck a = verify_demo_lemma1_outside({});
  CHECK(a.demonstration);
  CHECK_FALSE(a.pass);
  CHECK(a.measured < 0);
  const VerifyCheck b = verify_demo_lemma1_non_separable({});
  CHECK_FALSE(b.pass);
  CHECK(std::fabs(b.measured + 0.395) < 1e-6);  // w1 = (1.495, −0.395)
  RateTrace t;
  const VerifyCheck c = verify_demo_theorem2_outside({}, &t);
  CHECK_FALSE(c.pass);
  CHECK(t.iterations_to_eps == -1);
  CHECK(t.gap.back() > 0.1 * t.gap.front() * 1e-3);  // stalls far above eps
}
