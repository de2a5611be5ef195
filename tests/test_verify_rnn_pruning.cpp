// test_verify_rnn_pruning.cpp — Theorem 4 and App. 7 on the small ReLU network, App. 9 and
// App. 10 with the library's pruners, and verify_all: every check passes, the broken-on-purpose
// cases fail, and the whole report is deterministic for a seed.
#include "doctest/doctest.h"

#include <cmath>

#include "biornn/verify.hpp"

using namespace biornn;

TEST_CASE("Theorem 4 passes with delta from Lemma 3, and also with delta = ||W - W_D|| itself") {
  ErrorBoundTrace t;
  const VerifyCheck c = verify_theorem4({}, &t);
  CAPTURE(c.details);
  CHECK(c.pass);
  REQUIRE(t.lipschitz_t.size() == std::size_t(t.steps));
  CHECK(t.lipschitz_t[0] == 0);  // h_1 does not depend on W: h_0 = 0
  CHECK(t.delta_measured > 0);
  CHECK(t.delta_measured <= t.delta_lemma3);
  CHECK(c.measured <= t.bound_tight);
  for (int32_t s = 0; s < t.steps; ++s) {
    CAPTURE(s);
    CHECK(t.output_distance_t[std::size_t(s)] <= t.lipschitz_t[std::size_t(s)] * t.delta_measured * (1 + 1e-12) + 1e-300);
  }
}

TEST_CASE("Theorem 4 with the paper's eq. 13 constant fails once the inputs are scaled") {
  const VerifyCheck c = verify_demo_theorem4_paper_lipschitz({});
  CAPTURE(c.details);
  CHECK(c.demonstration);
  CHECK_FALSE(c.pass);
  CHECK(c.measured > 1);
}

TEST_CASE("App. 7: every excitatory weight Dale's backprop strengthens is Hebbian-strengthened") {
  const VerifyCheck c = verify_appendix7({});
  CAPTURE(c.details);
  CHECK(c.pass);
  CHECK(c.measured == 1);
  const VerifyCheck paper = verify_demo_appendix7_paper_direction({});
  CHECK_FALSE(paper.pass);  // the paper's wording (the other inclusion) does not hold
  CHECK(paper.measured < 1);
}

TEST_CASE("App. 7 fails when the 'projection' inflates every weight (strengthening without co-activity)") {
  VerifyOptions o;
  o.projection = [](real* w, const SignVector& signs, int64_t n) {
    project_signs_inplace(w, signs, n);
    for (int64_t k = 0; k < n; ++k) w[k] = real(double(w[k]) * 1.01);
  };
  const VerifyCheck c = verify_appendix7(o);
  CAPTURE(c.details);
  CHECK_FALSE(c.pass);
}

TEST_CASE("App. 9: top-prob's mean realised sparsity is the target within 4 standard errors") {
  const VerifyCheck c = verify_appendix9({});
  CAPTURE(c.details);
  CHECK(c.pass);
  CHECK(c.bound == 0.5);
  CHECK(c.tolerance > 0);
  CHECK(c.tolerance < 0.01);
}

TEST_CASE("App. 10.1 and 10.2: top-prob keeps more tree edges than the bound; random keeps nK/M") {
  const VerifyCheck a = verify_appendix10_bound({});
  CAPTURE(a.details);
  CHECK(a.pass);
  CHECK(a.measured > a.bound);
  const VerifyCheck b = verify_appendix10_hypergeom({});
  CAPTURE(b.details);
  CHECK(b.pass);
  CHECK(std::fabs(b.bound - 79 * 0.1) < 1e-12);  // (2N − 1)(1 − s), N = 40, s = 0.9
}

TEST_CASE("verify_all passes every check, breaks every demonstration, and repeats itself exactly") {
  VerifyOptions o;
  o.seed = 7;
  const VerifyReport a = verify_all(o), b = verify_all(o);
  CHECK(a.all_pass());
  REQUIRE(a.checks.size() == 10);
  REQUIRE(a.demonstrations.size() == 5);
  for (std::size_t k = 0; k < a.checks.size(); ++k) {
    CAPTURE(a.checks[k].name);
    CAPTURE(a.checks[k].details);
    CHECK(a.checks[k].pass);
    CHECK(a.checks[k].measured == b.checks[k].measured);
    CHECK(a.checks[k].bound == b.checks[k].bound);
    CHECK_FALSE(verify_table_row(a.checks[k]).empty());
  }
  for (const VerifyCheck& d : a.demonstrations) {
    CAPTURE(d.name);
    CHECK(d.demonstration);
    CHECK_FALSE(d.pass);
  }
}
