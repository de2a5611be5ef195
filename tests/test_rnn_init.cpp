// test_rnn_init.cpp — SignedRnn's initial weights: SPEC §1's sign-structured uniform init, and
// the balanced option checked against it (same draws, I columns scaled by n_E/n_I), for the
// training run and the cell-type model.
#include "doctest/doctest.h"

#include <cmath>

#include "biornn/celltype.hpp"
#include "biornn/celltype_fit.hpp"
#include "biornn/celltype_model.hpp"
#include "biornn/run.hpp"
#include "biornn/rnn.hpp"

using namespace biornn;

namespace {

RnnSpec init_spec(RecurrentInit init) {
  RnnSpec s;
  s.inputs = 3;
  s.hidden = 128;
  s.outputs = 2;
  s.recurrent_init = init;
  return s;
}

// Mean over rows of Σ_j W_ij: each unit's summed recurrent input at equal rates.
double mean_row_sum(const Matrix& w) {
  double total = 0;
  for (int32_t i = 0; i < w.rows(); ++i)
    for (int32_t j = 0; j < w.cols(); ++j) total += double(w(i, j));
  return total / double(w.rows());
}

}  // namespace

TEST_CASE("SPEC's init: E columns in [0, 1/sqrt(N)], I columns in [-1/sqrt(N), 0], rows strongly excitatory") {
  Rng rng(5);
  const SignedRnn net(init_spec(RecurrentInit::kUniform), rng);
  const Matrix& w = net.w.value;
  const double bound = 1 / std::sqrt(128.0);
  REQUIRE(net.excitatory() == 102);
  for (int32_t i = 0; i < 128; ++i)
    for (int32_t j = 0; j < 128; ++j) {
      const double v = double(w(i, j));
      if (j < 102) CHECK((v >= 0 && v <= bound));
      else CHECK((v <= 0 && v >= -bound));
    }
  // Expected row sum (n_E − n_I)·b/2 = 76/(2√128) ≈ 3.36; the mean of 128 rows has sd ≈ 0.026.
  CHECK(mean_row_sum(w) == doctest::Approx(76 * bound / 2).epsilon(0.05));
}

TEST_CASE("the balanced init scales SPEC's I columns by n_E/n_I and leaves every other draw alone") {
  Rng rng_uniform(5), rng_balanced(5);
  const SignedRnn uniform(init_spec(RecurrentInit::kUniform), rng_uniform);
  const SignedRnn balanced(init_spec(RecurrentInit::kBalanced), rng_balanced);
  const double ratio = 102.0 / 26.0;
  for (int32_t i = 0; i < 128; ++i)
    for (int32_t j = 0; j < 128; ++j) {
      const double want = j < 102 ? double(uniform.w.value(i, j)) : ratio * double(uniform.w.value(i, j));
      CHECK(double(balanced.w.value(i, j)) == doctest::Approx(want).epsilon(1e-6));
    }
  // The same stream afterwards: W_in, biases and readout are the same bits.
  CHECK(bitwise_equal(balanced.w_in.value, uniform.w_in.value));
  CHECK(bitwise_equal(balanced.b_in.value, uniform.b_in.value));
  CHECK(bitwise_equal(balanced.b_rec.value, uniform.b_rec.value));
  CHECK(bitwise_equal(balanced.w_out.value, uniform.w_out.value));
  CHECK(bitwise_equal(balanced.b_out.value, uniform.b_out.value));
  // Rows sum to 0 in expectation: sd of one row's sum ≈ 0.57, of the mean of 128 ≈ 0.05.
  CHECK(std::fabs(mean_row_sum(balanced.w.value)) < 0.25);
  CHECK(balanced.sign_violations() == 0);
}

// (SignedRnn itself checks it as a contract; this file runs in the EMBED build without
// exceptions too, so only the Status a user meets is tested here.)
TEST_CASE("a training run with the balanced init and no I (or no E) units is refused with a Status") {
  TrainConfig c = default_train_config(TaskKind::kFlipFlop, LearningRule::kDale);
  c.hidden = 16;
  c.train_limit = 20;
  c.test_limit = 20;
  c.recurrent_init = RecurrentInit::kBalanced;
  c.exc_frac = 0;
  StatusOr<std::unique_ptr<TrainingRun>> run = TrainingRun::create(c);
  REQUIRE_FALSE(run.ok());
  CHECK(run.status().message().find("model.recurrent_init = balanced") != std::string::npos);
  CHECK(run.status().message().find("gives 0 E") != std::string::npos);
  c.exc_frac = 0.5;
  CHECK(TrainingRun::create(c).ok());
}

TEST_CASE("the cell-type model passes the balanced init on: I columns x n_E/n_I = 4, readouts unchanged") {
  StatusOr<CelltypeSpec> spec = default_celltype_spec();
  REQUIRE(spec.ok());
  CelltypeModelOptions uniform_options, balanced_options;
  balanced_options.recurrent_init = RecurrentInit::kBalanced;
  Rng rng_uniform(3), rng_balanced(3);
  const std::unique_ptr<SignedRnn> uniform = make_celltype_model(spec.value(), rng_uniform, uniform_options);
  const std::unique_ptr<SignedRnn> balanced = make_celltype_model(spec.value(), rng_balanced, balanced_options);
  REQUIRE(uniform->excitatory() == 1152);
  const SignVector& signs = uniform->column_signs();
  int64_t mismatches = 0;
  for (int32_t i = 0; i < 1440; i += 7)  // every 7th row keeps the test quick
    for (int32_t j = 0; j < 1440; ++j) {
      const double u = double(uniform->w.value(i, j)), b = double(balanced->w.value(i, j));
      const double want = signs[std::size_t(j)] > 0 ? u : 4 * u;
      mismatches += std::fabs(b - want) > 1e-6 * std::fabs(want) + 1e-12;
    }
  CHECK(mismatches == 0);
  CHECK(bitwise_equal(balanced->w_out.value, uniform->w_out.value));
  CHECK(bitwise_equal(balanced->w_in.value, uniform->w_in.value));
  CHECK(check_celltype_recurrent_init(spec.value(), RecurrentInit::kBalanced).ok());
}
