// test_celltype_ablation.cpp — a fitted run rebuilt from its model.npz: its predictions are the
// fit's (the R² the fit wrote, bit for bit) and those of a plain double-precision forward loop
// over the saved arrays; removing a block changes nothing at step 0, only the block's target
// population at step 1, and nothing at all when the block holds no weight; the change measure
// against a hand loop; malformed arrays are refused naming them.
#include "doctest/doctest.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "biornn/celltype_ablation.hpp"
#include "biornn/celltype_fit.hpp"
#include "biornn/celltype_model.hpp"
#include "biornn/npy.hpp"
#include "biornn/npz.hpp"
#include "celltype_fixtures.hpp"

using namespace biornn;

namespace {

constexpr const char* kSuite = "celltype_ablation";

// A tiny fit (pruned and fine-tuned), its data and its saved arrays.
struct Fitted {
  CelltypeSpec spec;
  TaskData data;
  CelltypeFitResult result;
  NpzArrays arrays;
};

Fitted fit_tiny(bool initial_drive) {
  Fitted f;
  f.spec = celltype_fixtures::tiny_spec(kSuite, false);
  f.data = celltype_fixtures::sine_data(f.spec.populations(), 60, 8, 11);
  REQUIRE(prepare_celltype_task(f.spec, &f.data).ok());
  CelltypeFitOptions o = celltype_fixtures::tiny_options();
  o.initial_drive = initial_drive;
  const std::string dir = celltype_fixtures::clean_dir(kSuite, initial_drive ? "drive" : "rest");
  StatusOr<CelltypeFitResult> r = fit_celltype_run(f.spec, f.data, o, dir, "t", true);
  REQUIRE(r.ok());
  f.result = r.value();
  StatusOr<NpzArrays> arrays = load_npz(join_path(dir, "model.npz"));
  REQUIRE(arrays.ok());
  f.arrays = arrays.value();
  return f;
}

Matrix array(const NpzArrays& a, const char* key) {
  StatusOr<Matrix> m = npy_to_matrix(a.at(key), key);
  REQUIRE(m.ok());
  return m.value();
}

Matrix predict(const Fitted& f, const std::vector<CelltypeProjection>& removed) {
  StatusOr<std::unique_ptr<SignedRnn>> model = celltype_model_from_arrays(f.spec, f.arrays, "model.npz", removed);
  REQUIRE(model.ok());
  SignedRnn& m = *model.value();
  const SequenceData set = celltype_model_has_initial_drive(f.spec, m) ? celltype_with_initial_channel(f.data.test)
                                                                      : f.data.test;
  return celltype_predict(m, set, 16);
}

// The network of SPEC §7 written out in double from the saved arrays: a_t = tanh(W_in·x_t +
// W·h_{t−1}) (no biases), h_t = max(a_t, 0), y_t = W_out·a_t + b_out; the `removed` blocks of W
// zeroed here, independently of the library.
Matrix reference_predict(const Fitted& f, const std::vector<CelltypeProjection>& removed) {
  const Matrix w_in = array(f.arrays, "W_in"), w_out = array(f.arrays, "W_out"), b_out = array(f.arrays, "b_out");
  Matrix w = array(f.arrays, "W");
  for (const CelltypeProjection& b : removed)
    for (int32_t i = 0; i < f.spec.population_size(b.target); ++i)
      for (int32_t j = 0; j < f.spec.population_size(b.source); ++j)
        w(f.spec.population_offset(b.target) + i, f.spec.population_offset(b.source) + j) = 0;
  const SequenceData& set = f.data.test;
  const int32_t p = f.spec.populations(), n = f.spec.total_units(), steps = set.steps;
  const bool drive = w_in.cols() == p + 1;
  Matrix out(set.size(), steps * p);
  for (int32_t s = 0; s < set.size(); ++s) {
    std::vector<double> h(static_cast<std::size_t>(n), 0.0), a(h.size());
    for (int32_t t = 0; t < steps; ++t) {
      for (int32_t i = 0; i < n; ++i) {
        double z = 0;
        for (int32_t k = 0; k < p; ++k) z += double(w_in(i, k)) * double(set.x(s, t * p + k));
        if (drive && t == 0) z += double(w_in(i, p));
        for (int32_t j = 0; j < n; ++j) z += double(w(i, j)) * h[std::size_t(j)];
        a[std::size_t(i)] = std::tanh(z);
      }
      for (int32_t i = 0; i < n; ++i) h[std::size_t(i)] = std::max(a[std::size_t(i)], 0.0);
      for (int32_t q = 0; q < p; ++q) {
        double y = double(b_out(0, q));
        for (int32_t i = 0; i < n; ++i) y += double(w_out(q, i)) * a[std::size_t(i)];
        out(s, t * p + q) = real(y);
      }
    }
  }
  return out;
}

double max_abs_difference(const Matrix& a, const Matrix& b) {
  double m = 0;
  for (int64_t k = 0; k < a.size(); ++k) m = std::max(m, std::fabs(double(a.data()[k]) - double(b.data()[k])));
  return m;
}

CelltypeProjection block(const CelltypeSpec& spec, const char* source, const char* target) {
  const CelltypeProjection b = {spec.find_population(source), spec.find_population(target)};
  REQUIRE(b.source >= 0);
  REQUIRE(b.target >= 0);
  return b;
}

}  // namespace

TEST_CASE("a fitted run rebuilt from model.npz predicts what the fit scored, and what a plain loop computes") {
  for (bool drive : {false, true}) {
    CAPTURE(drive);
    const Fitted f = fit_tiny(drive);
    StatusOr<std::unique_ptr<SignedRnn>> model = celltype_model_from_arrays(f.spec, f.arrays, "model.npz");
    REQUIRE(model.ok());
    CHECK(model.value()->sparse());  // fine-tuned on its pruned pattern
    CHECK(celltype_model_has_initial_drive(f.spec, *model.value()) == drive);
    const Matrix pred = predict(f, {});
    // The fit scored R² on the same predictions: equal doubles, not merely close.
    const std::vector<double> r2 = celltype_explained_variance(f.data.test, pred, kCelltypeR2FirstStep);
    REQUIRE(r2.size() == f.result.r2.size());
    for (std::size_t q = 0; q < r2.size(); ++q) {
      CAPTURE(q);
      CHECK(r2[q] == f.result.r2[q]);
    }
    CHECK(max_abs_difference(pred, reference_predict(f, {})) < 1e-5);
    const std::vector<CelltypeProjection> removed = {block(f.spec, "A_L1_E", "B_L2_E"), block(f.spec, "A_L1_E", "A_L1_I")};
    CHECK(max_abs_difference(predict(f, removed), reference_predict(f, removed)) < 1e-5);
  }
  celltype_fixtures::remove_temp_files(kSuite);
}

TEST_CASE("removing a block changes nothing at step 0, only its target at step 1, nothing if it holds no weight") {
  const Fitted f = fit_tiny(true);
  const CelltypeSpec& s = f.spec;
  const int32_t p = s.populations(), steps = f.data.test.steps;
  const CelltypeProjection ff = block(s, "A_L1_E", "B_L2_E");
  const Matrix w = array(f.arrays, "W");
  double block_weight = 0;
  for (int32_t i = 0; i < s.population_size(ff.target); ++i)
    for (int32_t j = 0; j < s.population_size(ff.source); ++j)
      block_weight += std::fabs(double(w(s.population_offset(ff.target) + i, s.population_offset(ff.source) + j)));
  REQUIRE(block_weight > 0);  // the projection kept weights, so removing it must show
  const Matrix base = predict(f, {}), cut = predict(f, {ff});
  int64_t step0_changed = 0, step1_changed_elsewhere = 0, step1_changed_target = 0;
  for (int32_t n = 0; n < base.rows(); ++n)
    for (int32_t q = 0; q < p; ++q) {
      step0_changed += base(n, q) != cut(n, q);
      const bool changed = base(n, p + q) != cut(n, p + q);
      (q == ff.target ? step1_changed_target : step1_changed_elsewhere) += changed;
    }
  CHECK(step0_changed == 0);            // h₋₁ = 0: W is not used yet
  CHECK(step1_changed_elsewhere == 0);  // one step of W reaches only the block's post units
  CHECK(step1_changed_target > 0);
  // The measure is the mean squared change over samples, steps from first_step, and targets.
  double sum = 0;
  int64_t count = 0;
  for (int32_t n = 0; n < base.rows(); ++n)
    for (int32_t t = 1; t < steps; ++t) {
      const double d = double(cut(n, t * p + ff.target)) - double(base(n, t * p + ff.target));
      sum += d * d;
      ++count;
    }
  const std::vector<int32_t> targets = celltype_block_targets(s, {ff});
  REQUIRE(targets == std::vector<int32_t>{ff.target});
  CHECK(celltype_prediction_change(base, cut, steps, p, targets, 1) == doctest::Approx(sum / double(count)).epsilon(1e-12));
  CHECK(celltype_prediction_change(base, cut, steps, p, targets, 1) > 0);
  CHECK(celltype_prediction_change(base, cut, steps, p, {}, 1) == 0);
  CHECK(celltype_prediction_change(base, cut, steps, p, targets, steps) == 0);
  CHECK(celltype_prediction_change(base, cut, steps, p, targets, 0) < celltype_prediction_change(base, cut, steps, p, targets, 1));
  // An inter-areal block outside the projections holds no weight: removing it is no change at all.
  const Matrix none = predict(f, {block(s, "A_L1_I", "B_L2_E")});
  CHECK(max_abs_difference(base, none) == 0);
  celltype_fixtures::remove_temp_files(kSuite);
}

TEST_CASE("block targets are the observed post populations, once each, in order") {
  const CelltypeSpec s = celltype_fixtures::tiny_spec(kSuite, true);  // B_L2_I unobserved
  const int32_t be = s.find_population("B_L2_E"), bi = s.find_population("B_L2_I"), ae = s.find_population("A_L1_E");
  CHECK(celltype_block_targets(s, {{ae, be}, {ae, bi}, {be, be}}) == std::vector<int32_t>{be});
  CHECK(celltype_block_targets(s, {{be, ae}, {ae, be}}) == std::vector<int32_t>{std::min(ae, be), std::max(ae, be)});
  CHECK(celltype_block_targets(s, {}).empty());
  celltype_fixtures::remove_temp_files(kSuite);
}

TEST_CASE("arrays that do not fit the spec are refused naming the array") {
  const Fitted f = fit_tiny(false);
  const int32_t p = f.spec.populations(), n = f.spec.total_units();
  auto refused = [&](NpzArrays arrays, const std::string& text) {
    StatusOr<std::unique_ptr<SignedRnn>> m = celltype_model_from_arrays(f.spec, arrays, "run1/model.npz");
    REQUIRE_FALSE(m.ok());
    CAPTURE(m.status().message());
    CHECK(m.status().message().find(text) != std::string::npos);
    CHECK(m.status().message().find("run1/model.npz") != std::string::npos);
  };
  NpzArrays missing = f.arrays;
  missing.erase("W");
  refused(missing, "no array 'W'");
  NpzArrays no_mask = f.arrays;
  no_mask.erase("mask");
  refused(no_mask, "no array 'mask'");
  NpzArrays wide = f.arrays;
  wide["W_in"] = npy_from_matrix(Matrix(n, p + 2));
  refused(wide, "columns, or");
  NpzArrays small = f.arrays;
  small["W"] = npy_from_matrix(Matrix(n - 1, n - 1));
  refused(small, "W is (" + std::to_string(n - 1) + ", " + std::to_string(n - 1) + ")");
  NpzArrays readout = f.arrays;
  readout["W_out"] = npy_from_matrix(Matrix(p + 1, n));
  refused(readout, "W_out");
  celltype_fixtures::remove_temp_files(kSuite);
}
