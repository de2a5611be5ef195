// fig3.cpp — computing the four panels of Fig. 3 (see fig3.hpp); fig3_outputs.cpp writes them.
#include "biornn/fig3.hpp"

#include <algorithm>
#include <cmath>

#include "biornn/fileio.hpp"
#include "biornn/graph.hpp"
#include "biornn/prune_run.hpp"
#include "biornn/stats.hpp"

namespace biornn {

Status write_fig3_outputs(const Fig3Options& options, const Fig3Result& result);  // fig3_outputs.cpp

std::vector<double> fig3_mst_sparsities() {
  std::vector<double> s;
  for (int i = 0; i <= 20; ++i) s.push_back(i / 20.0);
  return s;
}

std::vector<double> fig3_error_densities() {
  std::vector<double> d = {0.0};
  for (int i = 0; i < 14; ++i) d.push_back(0.01 + (1.0 - 0.01) * i / 13.0);
  return d;
}

namespace {

std::vector<double> sorted_keep_probabilities(ConstMatrixView w, double sparsity) {
  std::vector<double> p = topprob_keep_probabilities(w, sparsity);
  // p = κ|w| (capped), so descending p is descending |w|: exactly the ranking App. 10.1 needs.
  std::sort(p.begin(), p.end(), [](double a, double b) { return a > b; });
  while (!p.empty() && p.back() == 0) p.pop_back();
  return p;
}

void mean_sd(const std::vector<double>& v, std::vector<double>& mean, std::vector<double>& sd) {
  mean.push_back(mean_of(v));
  sd.push_back(v.size() > 1 ? sample_sd(v) : 0.0);
}

}  // namespace

MstOverlapCurve mst_overlap_curve(const std::string& label, const std::vector<Matrix>& matrices,
                                  const std::vector<double>& sparsities, uint64_t seed, int32_t draws) {
  BIORNN_CHECK(!matrices.empty(), "mst_overlap_curve: no matrices");
  BIORNN_CHECK(draws >= 1 && draws <= 1000, "mst_overlap_curve: draws must lie in [1, 1000], got " + std::to_string(draws));
  MstOverlapCurve c;
  c.matrices = label;
  c.n = matrices[0].rows();
  c.sparsity = sparsities;
  std::vector<MstResult> trees;
  for (const Matrix& m : matrices) trees.push_back(maximum_spanning_tree(m));
  for (std::size_t l = 0; l < sparsities.size(); ++l) {
    const double s = sparsities[l];
    std::vector<double> tp, rnd, bound, expectation;
    for (std::size_t r = 0; r < matrices.size(); ++r) {
      const Matrix& w = matrices[r];
      const double edges = double(trees[r].edge_count());
      if (edges == 0) continue;
      PruneStats stats;
      for (int32_t d = 0; d < draws; ++d) {
        // One stream per (matrix, draw, level, method): 21 levels need 42 < 100 streams.
        const uint64_t stream = (uint64_t(r) * 1000 + uint64_t(d)) * 100 + 2 * l;
        Rng tp_rng(seed, stream), rnd_rng(seed, stream + 1);
        tp.push_back(mst_overlap(trees[r], prune_topprob(w, s, tp_rng, nullptr, false, &stats)));
        rnd.push_back(mst_overlap(trees[r], prune_random(w, s, rnd_rng)));
      }
      bound.push_back(topprob_mst_overlap_bound(sorted_keep_probabilities(w, s), w.rows()) / edges);
      // App. 10.2: the tree edges that random pruning keeps are hypergeometric — the nonzero
      // entries are the population, the tree edges the successes, the expected kept the draws.
      const int64_t population = stats.eligible;
      const int64_t kept = std::llround((1 - stats.adjusted_sparsity) * double(population));
      expectation.push_back(hypergeom_mean(population, int64_t(edges), kept) / edges);
    }
    mean_sd(tp, c.topprob_mean, c.topprob_sd);
    mean_sd(rnd, c.random_mean, c.random_sd);
    c.bound_mean.push_back(mean_of(bound));
    c.expectation_mean.push_back(mean_of(expectation));
  }
  return c;
}

namespace {

using Log = std::function<void(const std::string&)>;

// The Fig. 2 options whose Dale's-backprop runs this figure prunes.
Fig2Options dense_options(const Fig3Options& o) {
  Fig2Options f2;
  f2.quick = o.quick;
  f2.mnist_dir = o.mnist_dir;
  f2.recurrent_init = o.recurrent_init;
  return f2;
}

// Where the fine-tuning run of (task, method, dense run r, 0-based) lives, and how it is pruned.
std::string finetune_dir(const Fig3Options& o, TaskKind task, PruneMethod method, std::size_t r) {
  return join_path(join_path(join_path(join_path(o.out_dir, "finetune"), task_name(task)), prune_method_name(method)),
                   "seed" + std::to_string(r + 1));
}

PruneRequest finetune_request(const Fig3Options& o, PruneMethod method, std::size_t r) {
  PruneRequest request;
  request.method = method;
  request.sparsity = 0.9;
  request.seed = o.seed + r;
  request.finetune_epochs = o.quick ? 3 : -1;
  return request;
}

bool skipped(const Fig3Options& o, TaskKind task) { return task == TaskKind::kSeqMnist && o.mnist_dir.empty(); }

// Every run directory the figure would reuse, dense and fine-tuning, checked against the run
// asked for before any work starts: a mismatch in the last task is refused at once, not after
// the first tasks' panels (hours at full size). A fine-tuning run is checked against the
// pruning of the dense run asked for, which is the dense run found there if that one passes.
Status check_reusable_runs(const Fig3Options& o) {
  const Fig2Options f2 = dense_options(o);
  for (TaskKind task : o.tasks) {
    if (skipped(o, task)) continue;
    for (int32_t k = 1; k <= o.runs; ++k) {
      const TrainConfig dense = fig2_run_config(f2, task, LearningRule::kDale, k);
      const std::string dense_dir = fig2_run_dir(o.fig2_dir, task, LearningRule::kDale, k);
      BIORNN_RETURN_IF_ERROR(check_reusable_run(dense, dense_dir));
      for (PruneMethod method : {PruneMethod::kTopProb, PruneMethod::kRandom}) {
        const std::size_t r = std::size_t(k - 1);
        BIORNN_RETURN_IF_ERROR(check_reusable_run(pruned_run_config(dense, dense_dir, finetune_request(o, method, r)),
                                                  finetune_dir(o, task, method, r)));
      }
    }
  }
  return Status();
}

// The trained Dale's-backprop runs of one task (Fig. 2's), trained there when missing.
StatusOr<std::vector<std::unique_ptr<TrainingRun>>> dense_runs(const Fig3Options& o, TaskKind task, const Log& log) {
  const Fig2Options f2 = dense_options(o);
  std::vector<std::unique_ptr<TrainingRun>> runs;
  for (int32_t k = 1; k <= o.runs; ++k) {
    StatusOr<std::unique_ptr<TrainingRun>> run = train_or_reuse_run(
        fig2_run_config(f2, task, LearningRule::kDale, k), fig2_run_dir(o.fig2_dir, task, LearningRule::kDale, k), log);
    if (!run.ok()) return run.status();
    runs.push_back(std::move(run.value()));
  }
  return runs;
}

// Panel C for one task: error before fine-tuning per density level, both methods, all runs.
std::vector<ErrorLevel> error_levels(const Fig3Options& o, TaskKind task,
                                     const std::vector<std::unique_ptr<TrainingRun>>& runs) {
  std::vector<ErrorLevel> levels;
  const std::vector<double> densities = fig3_error_densities();
  for (std::size_t l = 0; l < densities.size(); ++l) {
    ErrorLevel level;
    level.density = densities[l];
    for (std::size_t r = 0; r < runs.size(); ++r) {
      const TrainingRun& run = *runs[r];
      const Matrix w = run.model().recurrent_weights();
      for (PruneMethod method : {PruneMethod::kTopProb, PruneMethod::kRandom}) {
        Rng rng(o.seed, uint64_t(task) * 1000000 + r * 1000 + l * 2 + (method == PruneMethod::kRandom));
        const Mask keep = prune_block(method, w, 1 - level.density, rng);
        SignedRnn pruned = run.model();  // a copy with the pruned entries zeroed
        apply_mask_inplace(pruned.w.value, keep);
        const double error = evaluate_model(pruned, task, run.data().test, run.config().batch).loss;
        (method == PruneMethod::kTopProb ? level.topprob : level.random).push_back(error);
      }
    }
    const MannWhitneyResult test = mann_whitney_u(level.topprob, level.random);
    level.u = test.u;
    level.p = test.p_value;
    levels.push_back(level);
  }
  std::vector<double> p;
  for (const ErrorLevel& l : levels) p.push_back(l.p);
  const std::vector<double> adjusted = holm_adjust(p);
  for (std::size_t l = 0; l < levels.size(); ++l) levels[l].p_holm = adjusted[l];
  return levels;
}

// Panel D for one task and method: prune every dense run at 90 % and fine-tune it.
StatusOr<FinetuneCurve> finetune_curve(const Fig3Options& o, TaskKind task, PruneMethod method,
                                       const std::vector<std::unique_ptr<TrainingRun>>& runs, const Log& log) {
  FinetuneCurve curve;
  curve.task = task;
  curve.method = prune_method_name(method);
  for (std::size_t r = 0; r < runs.size(); ++r) {
    const std::string dir = finetune_dir(o, task, method, r);
    const PruneRequest request = finetune_request(o, method, r);
    std::unique_ptr<TrainingRun> run;
    if (file_exists(join_path(dir, "checkpoint.bin"))) {
      BIORNN_RETURN_IF_ERROR(
          check_reusable_run(pruned_run_config(runs[r]->config(), runs[r]->directory(), request), dir));
      StatusOr<std::unique_ptr<TrainingRun>> resumed = TrainingRun::resume(dir);
      if (!resumed.ok()) return resumed.status().with_context("reusing " + dir + " (delete it to start over)");
      run = std::move(resumed.value());
      if (log) log("reusing " + dir);
    } else {
      PruneOutcome outcome;
      StatusOr<std::unique_ptr<TrainingRun>> pruned = prune_run(runs[r]->directory(), request, dir, true, &outcome);
      if (!pruned.ok()) return pruned.status();
      run = std::move(pruned.value());
      if (log) log("fine-tuning " + dir);
    }
    BIORNN_RETURN_IF_ERROR(run->train(nullptr));
    BIORNN_RETURN_IF_ERROR(run->write_outputs());
    std::vector<double> losses = {run->before_finetuning().loss};
    for (const EpochRecord& e : run->history()) losses.push_back(e.test_loss);
    curve.test_loss.push_back(losses);
  }
  return curve;
}

}  // namespace

StatusOr<Fig3Result> reproduce_fig3(const Fig3Options& o, const Log& log) {
  BIORNN_CHECK(o.runs >= 1, "reproduce_fig3: runs must be >= 1");
  BIORNN_RETURN_IF_ERROR(check_reusable_runs(o));
  Fig3Result result;
  const std::vector<double> sparsities = fig3_mst_sparsities();
  for (int32_t n : o.random_sizes) {
    std::vector<Matrix> matrices;
    for (int32_t r = 0; r < o.runs; ++r) {
      Rng rng(o.seed, 5000000 + uint64_t(n) * 1000 + uint64_t(r));
      Matrix m(n, n);
      for (int64_t k = 0; k < m.size(); ++k) m.data()[k] = real(rng.uniform01());
      matrices.push_back(m);
    }
    result.mst.push_back(mst_overlap_curve("random U(0,1), N = " + std::to_string(n), matrices, sparsities, o.seed, o.mst_draws));
  }
  for (TaskKind task : o.tasks) {
    if (skipped(o, task)) {
      result.notes.push_back("sequential MNIST left out: no MNIST directory was given (--data DIR)");
      continue;
    }
    StatusOr<std::vector<std::unique_ptr<TrainingRun>>> runs = dense_runs(o, task, log);
    if (!runs.ok()) return runs.status();
    std::vector<Matrix> trained;
    double dense_loss = 0;
    for (const std::unique_ptr<TrainingRun>& run : runs.value()) {
      trained.push_back(run->model().recurrent_weights());
      dense_loss += run->history().back().test_loss / double(runs.value().size());
    }
    result.dense_test_loss.push_back({task, dense_loss});
    if (result.panel_a.empty()) {
      const Matrix& w = trained[0];
      result.panel_a_task = task;
      std::vector<double> all(w.data(), w.data() + w.size()), tp, rnd;
      Rng tp_rng(o.seed, 9000001), rnd_rng(o.seed, 9000002);
      const Mask keep_tp = prune_topprob(w, 0.9, tp_rng), keep_rnd = prune_random(w, 0.9, rnd_rng);
      for (int64_t k = 0; k < w.size(); ++k) {
        if (keep_tp.data()[k]) tp.push_back(w.data()[k]);
        if (keep_rnd.data()[k]) rnd.push_back(w.data()[k]);
      }
      result.panel_a = {{"dense", all}, {"top-prob, 90 % sparsity", tp}, {"random, 90 % sparsity", rnd}};
    }
    result.mst.push_back(mst_overlap_curve(std::string("trained ") + task_name(task) + " (Dale)", trained, sparsities, o.seed,
                                        o.mst_draws));
    if (log) log(std::string("error before fine-tuning: ") + task_name(task));
    result.error.push_back({task, error_levels(o, task, runs.value())});
    for (PruneMethod method : {PruneMethod::kTopProb, PruneMethod::kRandom}) {
      StatusOr<FinetuneCurve> curve = finetune_curve(o, task, method, runs.value(), log);
      if (!curve.ok()) return curve.status();
      result.finetune.push_back(std::move(curve.value()));
    }
  }
  BIORNN_RETURN_IF_ERROR(write_fig3_outputs(o, result));
  return result;
}

}  // namespace biornn
