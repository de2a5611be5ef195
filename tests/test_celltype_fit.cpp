// test_celltype_fit.cpp — fitting the cell-type RNN: the masked loss of eq. 6 (by hand and by
// finite differences), the cosine schedule against PyTorch's recursion, and a tiny end-to-end fit
// whose pruned, fine-tuned model keeps the table's block densities, the inter-areal projections,
// Dale's signs and its mask, keeps the best epoch, learns, and continues bit-identically after
// a stop.
#include "doctest/doctest.h"

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <unistd.h>

#include "biornn/celltype_fit.hpp"
#include "biornn/celltype_model.hpp"
#include "biornn/fileio.hpp"
#include "biornn/gradcheck.hpp"
#include "biornn/npz.hpp"
#include "biornn/train.hpp"
#include "celltype_fixtures.hpp"

using namespace biornn;

namespace {

using celltype_fixtures::kPi;
using celltype_fixtures::sine_data;
using celltype_fixtures::tiny_options;

constexpr const char* kSuite = "celltype_fit";
std::string temp_path(const std::string& name) { return celltype_fixtures::temp_path(kSuite, name); }
std::string clean_dir(const std::string& name) { return celltype_fixtures::clean_dir(kSuite, name); }
void remove_temp_files() { celltype_fixtures::remove_temp_files(kSuite); }
CelltypeSpec tiny_spec(bool with_unobserved) { return celltype_fixtures::tiny_spec(kSuite, with_unobserved); }

// PyTorch's CosineAnnealingLR.get_lr (the recursive form), in double.
std::vector<double> pytorch_cosine(double base, double eta_min, int t_max, int steps) {
  std::vector<double> lr = {base};
  for (int e = 1; e <= steps; ++e) {
    const double prev = lr.back();
    double next;
    if ((e - 1 - t_max) % (2 * t_max) == 0)
      next = prev + (base - eta_min) * (1 - std::cos(kPi / t_max)) / 2;
    else
      next = (1 + std::cos(kPi * e / t_max)) / (1 + std::cos(kPi * (e - 1) / t_max)) * (prev - eta_min) + eta_min;
    lr.push_back(next);
  }
  return lr;
}

}  // namespace

TEST_CASE("the cosine schedule follows PyTorch's CosineAnnealingLR, past T_max too") {
  const CosineSchedule s{true, 1e-3, 1e-4, 10};
  CHECK(s.lr(0) == doctest::Approx(1e-3).epsilon(1e-15));
  CHECK(s.lr(10) == doctest::Approx(1e-4).epsilon(1e-12));  // the minimum at T_max ...
  CHECK(s.lr(20) == doctest::Approx(1e-3).epsilon(1e-12));  // ... back to η₀ at 2·T_max (no restart, no floor)
  CHECK(s.lr(5) == doctest::Approx(1e-4 + 0.9e-3 * 0.5).epsilon(1e-12));
  const std::vector<double> torch = pytorch_cosine(1e-3, 1e-4, 10, 150);
  for (int e = 0; e <= 150; ++e) {
    CAPTURE(e);
    CHECK(s.lr(e) == doctest::Approx(torch[std::size_t(e)]).epsilon(1e-9));
    CHECK(s.lr(e) == doctest::Approx(1e-4 + 0.9e-3 * (1 + std::cos(kPi * e / 10)) / 2).epsilon(1e-12));
  }
  const CosineSchedule off{false, 1e-3, 1e-4, 10};
  CHECK(off.lr(7) == 1e-3);
}

TEST_CASE("the masked MSE averages over rows and scored outputs only") {
  Tape tape;
  const Matrix p = Matrix::from_rows({{1, 2, 3}, {0, -1, 5}});
  const Matrix t = Matrix::from_rows({{0, 0, 1}, {1, 7, 5}});
  const Matrix scored = Matrix::from_rows({{1, 0, 1}});
  // Columns 0 and 2: (1 + 4 + 1 + 0) / (2 rows · 2 scored) = 1.5; column 1 (errors 2, 8) is ignored.
  CHECK(record_scored_mse(tape.constant(p), tape.constant(t), scored).item() == doctest::Approx(1.5));
  CHECK(record_scored_mse(tape.constant(p), tape.constant(t), Matrix()).item() ==
        doctest::Approx((1 + 4 + 4 + 1 + 64 + 0) / 6.0));
}

TEST_CASE("the masked MSE passes gradcheck and gives unscored outputs no gradient") {
  const Matrix scored = Matrix::from_rows({{0, 1, 1, 0}});
  const Matrix target = Matrix::from_rows({{0.1, -0.2, 0.3, 0.4}, {0.2, 0.1, -0.3, 0.0}, {-0.1, 0.3, 0.2, 0.1}});
  GradcheckFunction f = [&](Tape& tape, const std::vector<Var>& v) {
    return record_scored_mse(tanh(matmul_nt(v[0], v[1])), tape.constant(target), scored);
  };
  const Matrix x = Matrix::from_rows({{0.3, -0.1}, {0.2, 0.5}, {-0.4, 0.1}});
  const Matrix w = Matrix::from_rows({{0.2, 0.1}, {-0.3, 0.4}, {0.5, -0.2}, {0.1, 0.3}});
  const GradcheckReport report = gradcheck(f, {x, w});
  CAPTURE(report.worst);
  CHECK(report.passed);
  Tape tape;
  Var prediction = tape.variable(Matrix::from_rows({{1, 2, 3, 4}, {1, 2, 3, 4}, {1, 2, 3, 4}}));
  tape.backward(record_scored_mse(prediction, tape.constant(target), scored));
  for (int32_t i = 0; i < 3; ++i) {
    CHECK(prediction.grad()(i, 0) == 0);
    CHECK(prediction.grad()(i, 3) == 0);
    CHECK(prediction.grad()(i, 1) != 0);
  }
}

TEST_CASE("the cell-type task's loss scores observed populations only (eq. 6)") {
  const CelltypeSpec spec = tiny_spec(true);
  TaskData data = sine_data(spec.populations(), 10, 4, 1);
  REQUIRE(prepare_celltype_task(spec, &data).ok());
  CHECK(data.train.scored_outputs(0, 7) == 0);
  Rng rng(2);
  std::unique_ptr<SignedRnn> model = make_celltype_model(spec, rng);
  const Matrix prediction = celltype_predict(*model, data.train, 4);
  double sum = 0;
  for (int32_t i = 0; i < 10; ++i)
    for (int32_t t = 0; t < 4; ++t)
      for (int32_t p = 0; p < 7; ++p) {
        const double e = double(prediction(i, t * 8 + p)) - double(data.train.y(i, t * 8 + p));
        sum += e * e;
      }
  const Evaluation e = evaluate_model(*model, TaskKind::kCelltype, data.train, 3);
  CHECK(e.loss == doctest::Approx(sum / (10 * 4 * 7)).epsilon(1e-5));
}

TEST_CASE("explained variance scores the steps from first_step on, against closed forms") {
  // 3 samples, 4 steps, 2 outputs. Output 0's prediction is exact except at step 0; output 1's
  // prediction is its own mean over steps 1..3 everywhere, so from step 1 its R² is exactly 0.
  SequenceData set;
  set.steps = 4;
  set.outputs = 2;
  set.y = Matrix(3, 8);
  Matrix prediction(3, 8);
  double mean1 = 0;
  for (int32_t s = 0; s < 3; ++s)
    for (int32_t t = 0; t < 4; ++t) {
      set.y(s, t * 2 + 0) = real(0.25 * s + 0.5 * t);
      set.y(s, t * 2 + 1) = real(1.0 + 0.125 * s * t + (t == 0 ? 3.0 : 0.0));
      if (t >= 1) mean1 += double(set.y(s, t * 2 + 1)) / 9;
    }
  for (int32_t s = 0; s < 3; ++s)
    for (int32_t t = 0; t < 4; ++t) {
      prediction(s, t * 2 + 0) = set.y(s, t * 2 + 0) + real(t == 0 ? 2.0 : 0.0);
      prediction(s, t * 2 + 1) = real(mean1);
    }
  const std::vector<double> from1 = celltype_explained_variance(set, prediction, 1);
  CHECK(from1[0] == doctest::Approx(1.0).epsilon(1e-12));
  CHECK(from1[1] == doctest::Approx(0.0).scale(1.0).epsilon(1e-6));
  // Every step, output 0: residual 3·2² = 12; total Σ(y − ȳ)² by a second, direct sum.
  double mean0 = 0, total0 = 0;
  for (int32_t s = 0; s < 3; ++s)
    for (int32_t t = 0; t < 4; ++t) mean0 += double(set.y(s, t * 2)) / 12;
  for (int32_t s = 0; s < 3; ++s)
    for (int32_t t = 0; t < 4; ++t) total0 += (double(set.y(s, t * 2)) - mean0) * (double(set.y(s, t * 2)) - mean0);
  const std::vector<double> all = celltype_explained_variance(set, prediction);
  CHECK(all[0] == doctest::Approx(1.0 - 12.0 / total0).epsilon(1e-6));
  CHECK(all[0] < 0.9);
  // No step left, or a constant target: NaN, never a number that could pass a threshold.
  CHECK(std::isnan(celltype_explained_variance(set, prediction, 4)[0]));
  SequenceData flat = set;
  for (int32_t s = 0; s < 3; ++s)
    for (int32_t t = 0; t < 4; ++t) flat.y(s, t * 2 + 1) = 1;
  CHECK(std::isnan(celltype_explained_variance(flat, prediction, 1)[1]));
}

TEST_CASE("data that does not fit the spec is rejected before fitting") {
  const CelltypeSpec spec = tiny_spec(false);
  TaskData wrong = sine_data(spec.populations() - 1, 10, 4, 1);
  const Status s = prepare_celltype_task(spec, &wrong);
  REQUIRE_FALSE(s.ok());
  CHECK(s.message().find("8 populations") != std::string::npos);
  CelltypeFitOptions o;
  o.batch = 0;
  CHECK_FALSE(validate_celltype_fit_options(o).ok());
}

TEST_CASE("a tiny fit keeps block densities, projections, signs and mask, keeps the best epoch, and learns") {
  const CelltypeSpec spec = tiny_spec(true);
  TaskData data = sine_data(spec.populations(), 100, 8, 5);
  REQUIRE(prepare_celltype_task(spec, &data).ok());
  const std::string dir = clean_dir("fit");
  StatusOr<CelltypeFitResult> fitted = fit_celltype_run(spec, data, tiny_options(), dir, "tiny", true);
  REQUIRE(fitted.ok());
  const CelltypeFitResult& r = fitted.value();
  REQUIRE(r.history.size() == 12);
  // Exact mode: every block holds round(target · entries) weights.
  for (const CelltypeBlockDensity& b : r.blocks) {
    CAPTURE(spec.population_name(b.post));
    CAPTURE(spec.population_name(b.pre));
    CHECK(b.kept == int64_t(std::llround(b.target * double(b.entries))));
  }
  CHECK(r.max_density_deviation < 1.0 / 16);
  CHECK(r.sign_violations == 0);
  CHECK(r.max_sign_violations == 0);
  CHECK(r.off_mask_weights == 0);
  CHECK(r.inter_areal_outside == 0);
  // The best epoch of each phase is the one kept (0 = the phase's starting state).
  double best_dense = 1e300, best_ft = r.loss_after_pruning;
  int32_t arg_dense = -1, arg_ft = 0;
  for (const CelltypeEpoch& e : r.history) {
    if (e.phase == "dense" && e.test_loss < best_dense) { best_dense = e.test_loss; arg_dense = e.epoch; }
    if (e.phase == "finetune" && e.test_loss < best_ft) { best_ft = e.test_loss; arg_ft = e.epoch; }
  }
  CHECK(r.best_dense_epoch == arg_dense);
  CHECK(r.best_dense_loss == best_dense);
  CHECK(r.best_finetune_epoch == arg_ft);
  CHECK(r.best_finetune_loss == best_ft);
  // It learns: the kept dense model is far better than the first epoch's training loss.
  CHECK(r.best_dense_loss < 0.5 * r.history.front().train_loss);
  CHECK(r.history[1].lr < r.history[0].lr);  // the schedule is on
  CHECK(r.r2.size() == 8);
  CHECK(r.r2_all_steps.size() == 8);
  CHECK(r.r2_first_step == kCelltypeR2FirstStep);
  CHECK(r.r2 != r.r2_all_steps);  // two different scores, not one copied
  // The written model: W zero off the mask and in every inter-areal block but the projections.
  StatusOr<NpzArrays> npz = load_npz(join_path(dir, "model.npz"));
  REQUIRE(npz.ok());
  StatusOr<Matrix> w = npy_to_matrix(npz.value().at("W"), "W");
  StatusOr<Mask> mask = npy_to_mask(npz.value().at("mask"), "mask");
  REQUIRE(w.ok());
  REQUIRE(mask.ok());
  int64_t off_mask = 0, wrong_sign = 0;
  const SignVector signs = spec.unit_signs();
  for (int32_t i = 0; i < w.value().rows(); ++i)
    for (int32_t j = 0; j < w.value().cols(); ++j) {
      const real v = w.value()(i, j);
      off_mask += !mask.value()(i, j) && v != 0;
      wrong_sign += signs[std::size_t(j)] > 0 ? v < 0 : v > 0;
    }
  CHECK(off_mask == 0);
  CHECK(wrong_sign == 0);
  CHECK(celltype_inter_areal_outside(spec, w.value()) == 0);
  CHECK(mask.value().count() < int64_t(w.value().rows()) * w.value().cols());
  for (const char* f : {"summary.json", "metrics.csv", "connectivity.svg", "population_means.svg",
                        "traces_B_L2_I.svg", "report.html", "checkpoint.bin"})
    CHECK(file_exists(join_path(dir, f)));
  remove_temp_files();
}

TEST_CASE("the first-step channel is 1 at step 0 and 0 after, beside unchanged inputs; every unit hears it") {
  SequenceData set;
  set.steps = 3;
  set.inputs = set.outputs = 2;
  set.x = Matrix(2, 6);
  set.y = Matrix(2, 6);
  for (int32_t k = 0; k < 12; ++k) set.x.data()[k] = set.y.data()[k] = real(k + 1);
  const SequenceData w = celltype_with_initial_channel(set);
  REQUIRE(w.inputs == 3);
  REQUIRE(w.x.cols() == 9);
  for (int32_t s = 0; s < 2; ++s)
    for (int32_t t = 0; t < 3; ++t) {
      CHECK(w.x(s, t * 3 + 0) == set.x(s, t * 2 + 0));
      CHECK(w.x(s, t * 3 + 1) == set.x(s, t * 2 + 1));
      CHECK(w.x(s, t * 3 + 2) == real(t == 0 ? 1 : 0));
    }
  CHECK(bitwise_equal(w.y, set.y));
  CHECK(w.outputs == 2);

  const CelltypeSpec spec = tiny_spec(false);
  Rng rng(4);
  CelltypeModelOptions o;
  o.initial_drive = true;
  std::unique_ptr<SignedRnn> model = make_celltype_model(spec, rng, o);
  const int32_t p = spec.populations();
  REQUIRE(model->w_in.value.cols() == p + 1);
  for (int32_t q = 0; q < p; ++q)
    for (int32_t i = spec.population_offset(q); i < spec.population_offset(q) + spec.population_size(q); ++i)
      for (int32_t j = 0; j <= p; ++j) CHECK(model->input_mask()(i, j) == (j == q || j == p));
}

TEST_CASE("with the first-step drive a fit learns a first frame that a start from rest cannot reach") {
  // Every sample's first input is 0 and its first target 0.4. From rest, with no biases, the
  // first prediction of population q is its frozen readout bias b_q whatever the weights
  // (tanh(0) = 0): its error is (b_q − 0.4)² for good. With the drive, the first step is
  // b_q + w_out_q·tanh(W_in[:, P]) — the drive column of W_in, which the fit can learn.
  // Both predictions are formed here by hand from the saved model.
  const CelltypeSpec spec = tiny_spec(false);
  TaskData data = sine_data(spec.populations(), 100, 8, 6);
  const int32_t p = spec.populations(), n = spec.total_units();
  for (SequenceData* s : {&data.train, &data.test})
    for (int32_t i = 0; i < s->size(); ++i)
      for (int32_t q = 0; q < p; ++q) {
        s->x(i, q) = 0;
        s->y(i, q) = real(0.4);
      }
  REQUIRE(prepare_celltype_task(spec, &data).ok());
  struct Outcome {
    double first_step_error = 0, rest_bound = 0;  // mean over populations
  };
  auto fit = [&](bool drive) {
    CelltypeFitOptions o = tiny_options();
    o.dense_epochs = 30;
    o.finetune_epochs = 0;
    o.initial_drive = drive;
    const std::string dir = clean_dir(drive ? "drive" : "rest");
    REQUIRE(fit_celltype_run(spec, data, o, dir, "t", true).ok());
    StatusOr<NpzArrays> npz = load_npz(join_path(dir, "model.npz"));
    REQUIRE(npz.ok());
    StatusOr<Matrix> w_in = npy_to_matrix(npz.value().at("W_in"), "W_in");
    StatusOr<Matrix> w_out = npy_to_matrix(npz.value().at("W_out"), "W_out");
    StatusOr<Matrix> b_out = npy_to_matrix(npz.value().at("b_out"), "b_out");
    REQUIRE((w_in.ok() && w_out.ok() && b_out.ok()));
    REQUIRE(w_in.value().cols() == (drive ? p + 1 : p));
    Outcome out;
    for (int32_t q = 0; q < p; ++q) {
      double pred = double(b_out.value().data()[q]);
      for (int32_t i = 0; i < n && drive; ++i) pred += double(w_out.value()(q, i)) * std::tanh(double(w_in.value()(i, p)));
      out.first_step_error += (pred - 0.4) * (pred - 0.4) / p;
      out.rest_bound += std::pow(double(b_out.value().data()[q]) - 0.4, 2) / p;
    }
    return out;
  };
  const Outcome rest = fit(false), drive = fit(true);
  CHECK(rest.rest_bound > 1e-2);  // the frozen biases are far from 0.4: there is something to learn
  CHECK(drive.rest_bound > 1e-2);
  CHECK(rest.first_step_error == doctest::Approx(rest.rest_bound));
  CHECK(drive.first_step_error < 0.3 * drive.rest_bound);  // measured: 0.17 × after 30 epochs
}

TEST_CASE("the random inter-areal option keeps the projections at their density and nothing else between areas") {
  const CelltypeSpec spec = tiny_spec(false);
  Rng rng(4);
  std::unique_ptr<SignedRnn> model = make_celltype_model(spec, rng);
  const Matrix w = model->recurrent_weights();
  const Mask keep = celltype_prune_mask(spec, w, InterArealMask::kRandom, true, 9);
  for (const CelltypeBlockDensity& b : celltype_block_densities(spec, keep))
    CHECK(b.kept == int64_t(std::llround(b.target * double(b.entries))));
  Matrix pruned = w;
  for (int32_t i = 0; i < w.rows(); ++i)
    for (int32_t j = 0; j < w.cols(); ++j)
      if (!keep(i, j)) pruned(i, j) = 0;
  CHECK(celltype_inter_areal_outside(spec, pruned) == 0);
  CHECK(celltype_inter_areal_outside(spec, w) > 0);  // the dense matrix has every block
  // Bernoulli mode: densities close to the table, not exact.
  const Mask loose = celltype_prune_mask(spec, w, InterArealMask::kTopProb, false, 9);
  for (const CelltypeBlockDensity& b : celltype_block_densities(spec, loose)) {
    if (b.target == 0) CHECK(b.kept == 0);
    if (b.target == 1) CHECK(b.kept == b.entries);
  }
}

TEST_CASE("a stopped fit continues from its checkpoint and ends bit-identical; a finished one is reused") {
  const CelltypeSpec spec = tiny_spec(true);
  TaskData data = sine_data(spec.populations(), 60, 6, 8);
  REQUIRE(prepare_celltype_task(spec, &data).ok());
  const CelltypeFitOptions o = tiny_options();
  StatusOr<CelltypeFitResult> straight = fit_celltype_run(spec, data, o, clean_dir("straight"), "t", true);
  REQUIRE(straight.ok());
  const std::string dir = clean_dir("stopped");
  std::atomic<bool> stop{false};
  CelltypeFitHooks hooks;
  int epochs_seen = 0;
  hooks.on_epoch = [&](const CelltypeEpoch&) { stop.store(++epochs_seen == 3 || epochs_seen == 10); };
  hooks.stop = &stop;
  StatusOr<CelltypeFitResult> first = fit_celltype_run(spec, data, o, dir, "t", true, hooks);
  REQUIRE_FALSE(first.ok());
  CHECK(first.status().code() == StatusCode::kCancelled);
  CHECK_FALSE(file_exists(join_path(dir, "summary.json")));
  stop.store(false);
  StatusOr<CelltypeFitResult> second = fit_celltype_run(spec, data, o, dir, "t", false, hooks);  // stops in fine-tuning
  REQUIRE_FALSE(second.ok());
  stop.store(false);
  hooks.on_epoch = nullptr;
  StatusOr<CelltypeFitResult> resumed = fit_celltype_run(spec, data, o, dir, "t", false, hooks);
  REQUIRE(resumed.ok());
  CHECK_FALSE(resumed.value().reused);
  const CelltypeFitResult& a = straight.value();
  const CelltypeFitResult& b = resumed.value();
  REQUIRE(a.history.size() == b.history.size());
  for (std::size_t k = 0; k < a.history.size(); ++k) CHECK(a.history[k].test_loss == b.history[k].test_loss);
  CHECK(a.best_finetune_loss == b.best_finetune_loss);
  for (std::size_t p = 0; p < a.r2.size(); ++p)
    if (!std::isnan(a.r2[p])) CHECK(a.r2[p] == b.r2[p]);
  StatusOr<CelltypeFitResult> again = fit_celltype_run(spec, data, o, dir, "t", false);
  REQUIRE(again.ok());
  CHECK(again.value().reused);
  CHECK(again.value().best_finetune_loss == b.best_finetune_loss);
  // Other settings never continue a checkpoint silently.
  CelltypeFitOptions other = o;
  other.lr = 2e-2;
  StatusOr<CelltypeFitResult> mismatch = fit_celltype_run(spec, data, other, dir, "t", false);
  REQUIRE_FALSE(mismatch.ok());
  CHECK(mismatch.status().message().find("other settings") != std::string::npos);
  remove_temp_files();
}

TEST_CASE("every epoch is scored on the first selection_samples test samples, R² on the whole test set") {
  const CelltypeSpec spec = tiny_spec(true);
  TaskData data = sine_data(spec.populations(), 60, 6, 8);
  REQUIRE(prepare_celltype_task(spec, &data).ok());
  // The twin: the same data with the test set cut to its first 20 samples by hand.
  TaskData cut = data;
  cut.test.x = Matrix(20, data.test.x.cols());
  cut.test.y = Matrix(20, data.test.y.cols());
  for (int32_t i = 0; i < 20; ++i)
    for (int32_t c = 0; c < data.test.x.cols(); ++c) {
      cut.test.x(i, c) = data.test.x(i, c);
      cut.test.y(i, c) = data.test.y(i, c);
    }
  CelltypeFitOptions o = tiny_options();
  o.selection_samples = 20;
  StatusOr<CelltypeFitResult> subset = fit_celltype_run(spec, data, o, clean_dir("subset"), "t", true);
  CelltypeFitOptions all = o;
  all.selection_samples = 0;
  StatusOr<CelltypeFitResult> twin = fit_celltype_run(spec, cut, all, clean_dir("twin"), "t", true);
  StatusOr<CelltypeFitResult> whole = fit_celltype_run(spec, data, all, clean_dir("whole"), "t", true);
  REQUIRE(subset.ok());
  REQUIRE(twin.ok());
  REQUIRE(whole.ok());
  const CelltypeFitResult& a = subset.value();
  const CelltypeFitResult& b = twin.value();
  REQUIRE(a.history.size() == b.history.size());
  bool any_differs_from_whole = false;
  for (std::size_t k = 0; k < a.history.size(); ++k) {
    CHECK(a.history[k].train_loss == b.history[k].train_loss);
    CHECK(a.history[k].test_loss == b.history[k].test_loss);
    any_differs_from_whole = any_differs_from_whole || a.history[k].test_loss != whole.value().history[k].test_loss;
  }
  CHECK(any_differs_from_whole);
  CHECK(a.epoch_test_samples == 20);
  CHECK(b.epoch_test_samples == 20);
  CHECK(whole.value().epoch_test_samples == 60);
  CHECK(a.best_dense_epoch == b.best_dense_epoch);
  CHECK(a.loss_after_pruning == b.loss_after_pruning);
  CHECK(a.best_finetune_loss == b.best_finetune_loss);
  // Same final model, scored on 60 test samples against the twin's 20: different R².
  bool r2_differs = false;
  for (std::size_t p = 0; p < a.r2.size(); ++p)
    if (!std::isnan(a.r2[p])) r2_differs = r2_differs || a.r2[p] != b.r2[p];
  CHECK(r2_differs);
  // The selection is a setting: a checkpoint never continues with another one.
  CelltypeFitOptions other = o;
  other.selection_samples = 30;
  StatusOr<CelltypeFitResult> mismatch = fit_celltype_run(spec, data, other, temp_path("subset"), "t", false);
  REQUIRE_FALSE(mismatch.ok());
  CHECK(mismatch.status().message().find("selection_samples = 20") != std::string::npos);
  CelltypeFitOptions negative = o;
  negative.selection_samples = -1;
  CHECK_FALSE(validate_celltype_fit_options(negative).ok());
  remove_temp_files();
}

TEST_CASE("a NaN in the loss stops the fit with a message naming the phase and epoch, and writes no result") {
  const CelltypeSpec spec = tiny_spec(true);
  for (const bool poison_test : {false, true}) {
    CAPTURE(poison_test);
    TaskData data = sine_data(spec.populations(), 40, 6, 11);
    REQUIRE(prepare_celltype_task(spec, &data).ok());
    // One input value of one sample: its sequence, then the batch's loss, become NaN.
    SequenceData& poisoned = poison_test ? data.test : data.train;
    poisoned.x(7, 3) = std::numeric_limits<real>::quiet_NaN();
    const std::string dir = clean_dir(poison_test ? "nan_test" : "nan_train");
    StatusOr<CelltypeFitResult> fitted = fit_celltype_run(spec, data, tiny_options(), dir, "nan", true);
    REQUIRE_FALSE(fitted.ok());
    CHECK(fitted.status().code() == StatusCode::kNumericalFailure);
    CHECK(fitted.status().message().find("dense epoch 1: the loss became NaN") != std::string::npos);
    for (const char* f : {"summary.json", "model.npz", "report.html"}) CHECK_FALSE(file_exists(join_path(dir, f)));
  }
  remove_temp_files();
}
