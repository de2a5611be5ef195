// test_optim.cpp — the optimisers against PyTorch's own trajectories, and the constraint hook:
// Dale signs after every step, masks that never regrow, optional moment resets.
#include "doctest/doctest.h"

#include <cmath>
#include <cstring>
#include <limits>

#include "biornn/optim.hpp"
#include "biornn/rng.hpp"

using namespace biornn;

namespace {

struct Reference {
  const char* name;
  bool dale;
  double w[6];
};

// PyTorch 1.13 trajectories; see tests/data/make_optim_reference.py for the problem.
const Reference kReferences[] = {
#include "data/optim_reference.inc"
};

OptimizerOptions options_for(const std::string& name) {
  OptimizerOptions o;
  if (name == "sgd_momentum") { o.kind = OptimizerKind::kSgd; o.lr = 0.05; o.momentum = 0.9; }
  if (name == "sgd_nesterov_wd") {
    o.kind = OptimizerKind::kSgd; o.lr = 0.05; o.momentum = 0.8; o.nesterov = true; o.weight_decay = 0.01;
  }
  if (name == "adam") { o.kind = OptimizerKind::kAdam; o.lr = 0.05; }
  if (name == "adam_wd") {
    o.kind = OptimizerKind::kAdam; o.lr = 0.02; o.beta1 = 0.8; o.beta2 = 0.99; o.eps = 1e-6; o.weight_decay = 0.1;
  }
  if (name == "rmsprop") { o.kind = OptimizerKind::kRmsProp; o.lr = 0.01; }
  if (name == "rmsprop_momentum") { o.kind = OptimizerKind::kRmsProp; o.lr = 0.01; o.momentum = 0.5; }
  return o;
}

// The same quadratic as the generator: loss = Σ d (w − c)², grad = 2 d (w − c).
Matrix replay(const Reference& ref) {
  const Matrix c = Matrix::from_rows({{-0.50, 0.70, 0.40}, {0.20, -0.30, -0.60}});
  const Matrix d = Matrix::from_rows({{1.0, 2.0, 0.5}, {1.5, 0.25, 3.0}});
  Parameter w("w", Matrix::from_rows({{0.30, -0.20, 0.10}, {0.05, 0.40, -0.25}}));
  Optimizer opt(options_for(ref.name));
  ParamConstraint constraint;
  if (ref.dale) constraint.signs = element_signs_dense(2, SignVector{1, 1, -1});
  opt.add(w, constraint);
  for (int step = 0; step < 12; ++step) {
    opt.zero_grad();
    for (int64_t k = 0; k < 6; ++k)
      w.grad.data()[k] = real(2) * d.data()[k] * (w.value.data()[k] - c.data()[k]);
    opt.step();
  }
  return w.value;
}

}  // namespace

// Tolerance: the reference ran in float32. A float build performs the same operations in the
// same order, so it agrees to a few ulps; we allow 8 ulps of 1 (≈ 1e-6). A double build
// differs by float32's own rounding, ~1e-7 per step, which momentum can accumulate over at
// most 1/(1 − μ) = 10 steps: we allow 2e-5.
TEST_CASE("every optimiser follows PyTorch's trajectory, with and without the Dale projection") {
  const double allowed = sizeof(real) == 4 ? 8 * std::numeric_limits<float>::epsilon() : 2e-5;
  for (const Reference& ref : kReferences) {
    CAPTURE(ref.name);
    CAPTURE(ref.dale);
    const Matrix w = replay(ref);
    for (int k = 0; k < 6; ++k) {
      CAPTURE(k);
      CHECK(std::fabs(double(w.data()[k]) - ref.w[k]) <= allowed);
    }
  }
}

TEST_CASE("the Dale projection leaves no sign violation after any step, whatever the gradient") {
  Rng rng(5);
  const int32_t n = 20;
  const SignVector cols = dale_column_signs(n, 0.8);
  for (OptimizerKind kind : {OptimizerKind::kSgd, OptimizerKind::kAdam, OptimizerKind::kRmsProp}) {
    CAPTURE(optimizer_name(kind));
    Parameter w("W", Matrix(n, n));
    for (int32_t i = 0; i < n; ++i)
      for (int32_t j = 0; j < n; ++j) w.value(i, j) = real(cols[std::size_t(j)] * rng.uniform(0, 0.2));
    OptimizerOptions o;
    o.kind = kind;
    o.lr = 0.1;
    o.momentum = kind == OptimizerKind::kAdam ? 0.0 : 0.9;
    Optimizer opt(o);
    opt.add(w, {element_signs_dense(n, cols), nullptr, false});
    int64_t clipped = 0;
    for (int step = 0; step < 50; ++step) {
      for (int64_t k = 0; k < w.grad.size(); ++k) w.grad.data()[k] = real(rng.normal());
      opt.step();
      clipped += opt.last_clipped();
      REQUIRE(count_sign_violations(w.value.data(), element_signs_dense(n, cols), w.value.size()) == 0);
    }
    CHECK(clipped > 0);  // the gradients did push weights across: the projection was exercised
  }
}

TEST_CASE("masked entries receive no update, stay exactly zero and keep zero moments") {
  Rng rng(8);
  Parameter w("W", Matrix(6, 6));
  Mask mask(6, 6);
  for (int32_t i = 0; i < 6; ++i)
    for (int32_t j = 0; j < 6; ++j) {
      mask.set(i, j, (i + j) % 3 == 0);
      w.value(i, j) = mask(i, j) ? real(rng.uniform(-1, 1)) : real(0);
    }
  OptimizerOptions o;
  o.kind = OptimizerKind::kAdam;
  o.lr = 0.05;
  Optimizer opt(o);
  ParamConstraint c;
  c.mask = &mask;
  opt.add(w, c);
  Matrix before = w.value;
  for (int step = 0; step < 20; ++step) {
    for (int64_t k = 0; k < w.grad.size(); ++k) w.grad.data()[k] = real(rng.normal());
    opt.step();
  }
  const Optimizer::Slot& slot = opt.slots()[0];
  bool kept_moved = false;
  for (int32_t i = 0; i < 6; ++i) {
    for (int32_t j = 0; j < 6; ++j) {
      if (mask(i, j)) {
        kept_moved = kept_moved || w.value(i, j) != before(i, j);
        continue;
      }
      CHECK(w.value(i, j) == 0);
      CHECK(slot.first(i, j) == 0);
      CHECK(slot.second(i, j) == 0);
      CHECK(w.grad(i, j) == 0);  // step 1 masks the gradient itself
    }
  }
  CHECK(kept_moved);
}

TEST_CASE("clip_grad_norm scales all gradients jointly to the limit, after the mask, and only above it") {
  // Two parameters, plain SGD with lr 1 so the update equals the (clipped) gradient. The
  // masked-out entry carries a huge gradient that must not count towards the norm.
  Parameter a("a", Matrix::from_rows({{0, 0}}));
  Parameter b("b", Matrix::from_rows({{0, 0}}));
  Mask mask(1, 2);
  mask.set(0, 0, true);
  mask.set(0, 1, false);
  auto run = [&](double limit) {
    a.value.set_zero();
    b.value.set_zero();
    OptimizerOptions o;
    o.kind = OptimizerKind::kSgd;
    o.lr = 1;
    o.clip_grad_norm = limit;
    Optimizer opt(o);
    ParamConstraint masked;
    masked.mask = &mask;
    opt.add(a, masked);
    opt.add(b);
    a.grad = Matrix::from_rows({{3, 1000}});  // 1000 is masked out
    b.grad = Matrix::from_rows({{0, 4}});     // joint norm of the kept entries: 5
    opt.step();
    return opt.last_grad_norm();
  };
  // Above the limit: every kept gradient scaled by 2.5 / (5 + 1e-6), the same factor for both
  // parameters, so the update has norm 2.5 and the direction (3, 4) / 5.
  CHECK(run(2.5) == doctest::Approx(5.0).epsilon(1e-12));
  const double f = 2.5 / (5.0 + 1e-6);
  CHECK(a.value(0, 0) == doctest::Approx(-3 * f).epsilon(1e-6));
  CHECK(a.value(0, 1) == 0);
  CHECK(b.value(0, 0) == 0);
  CHECK(b.value(0, 1) == doctest::Approx(-4 * f).epsilon(1e-6));
  // Below the limit (and off): the gradients are used as they are.
  CHECK(run(6) == doctest::Approx(5.0).epsilon(1e-12));
  CHECK(a.value(0, 0) == real(-3));
  CHECK(b.value(0, 1) == real(-4));
  CHECK(run(0) == 0);  // off: the norm is not even computed
  CHECK(a.value(0, 0) == real(-3));
  CHECK(b.value(0, 1) == real(-4));
  OptimizerOptions negative;
  negative.clip_grad_norm = -1;
  CHECK_THROWS_AS(Optimizer{negative}, ContractViolation);
}

TEST_CASE("with reset_moments_where_clipped the moments of clipped weights restart at zero") {
  Parameter w("w", Matrix::from_rows({{real(0.01), real(0.5)}}));
  OptimizerOptions o;
  o.kind = OptimizerKind::kAdam;
  o.lr = 0.1;
  for (bool reset : {false, true}) {
    CAPTURE(reset);
    w.value = Matrix::from_rows({{real(0.01), real(0.5)}});
    Optimizer opt(o);
    ParamConstraint c;
    c.signs = {1, 1};
    c.reset_moments_where_clipped = reset;
    opt.add(w, c);
    w.grad = Matrix::from_rows({{real(1), real(1)}});  // pushes the first weight below 0
    opt.step();
    CHECK(w.value(0, 0) == 0);
    CHECK(opt.last_clipped() == 1);
    const Optimizer::Slot& s = opt.slots()[0];
    CHECK((s.first(0, 0) == 0) == reset);
    CHECK(s.first(0, 1) != 0);  // the unclipped weight keeps its moment either way
  }
}

TEST_CASE("the E/I split follows SPEC §1: 102 excitatory and 26 inhibitory of 128") {
  CHECK(excitatory_count(128, 0.8) == 102);
  const SignVector s = dale_column_signs(128, 0.8);
  CHECK(s[101] == 1);
  CHECK(s[102] == -1);
  CHECK(excitatory_count(10, 0.8) == 8);
  CHECK(excitatory_count(1440, 0.8) == 1152);
}

TEST_CASE("CSR value signs follow their columns and the optimiser rejects mismatched constraints") {
  Mask m(2, 3);
  m.set(0, 2, true);
  m.set(1, 0, true);
  m.set(1, 2, true);
  const CsrMatrix s = CsrMatrix::from_dense(Matrix(2, 3), m);
  CHECK(element_signs_csr(s, SignVector{1, 1, -1}) == SignVector{-1, 1, -1});
  Parameter p("p", Matrix(2, 2));
  Optimizer opt(OptimizerOptions{});
  CHECK_THROWS_AS(opt.add(p, {SignVector{1, 1, 1}, nullptr, false}), ContractViolation);
  Mask wrong(3, 3);
  ParamConstraint c;
  c.mask = &wrong;
  CHECK_THROWS_AS(opt.add(p, c), ContractViolation);
}
