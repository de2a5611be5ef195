// fig2.hpp — reproducing the paper's Fig. 2: three learning rules × three tasks × several
// runs, with the table of final metrics, the weight-distribution KL table and the panels.
//
// Each (task, rule, run) is an ordinary training run in <out>/<task>/<rule>/seed<k> (k = 1 …
// runs), so every run can be inspected, resumed or repeated with `biornn train`. A run that is
// already complete is reused, an interrupted one is resumed: a long reproduction can be
// stopped and restarted.
//
// Outputs in <out>:
//   table.csv / table.md   per task and rule: final test loss (and accuracy), mean ± sd over runs
//   kl.csv                 KL(P_conventional ‖ P_rule) of the trained recurrent weights over all
//                          conventional × rule run pairs, mean ± sd — one common set of bin
//                          edges per pair, smoothing 1e-7, natural log (SPEC §3; histogram.hpp)
//   fig2.json              everything above, machine-readable
//   fig2_curves_<task>.svg test loss per epoch, mean ± sd band per rule (Fig. 2C)
//   fig2_weights_<task>_<rule>.svg   W after training of run 1 (Fig. 2B, top)
//   fig2_hist_<task>.svg   W before and after training per rule (Fig. 2B, middle)
//   fig2_kl.svg            the KL table as bars (Fig. 2B, bottom)
//
// --quick shrinks every run (fewer units, epochs and samples) so the whole figure runs in about
// a minute for CI; its numbers show the pipeline works, not the paper's results.
//
// Not here: training (run.hpp), plotting primitives (plot.hpp).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "biornn/run.hpp"

namespace biornn {

struct Fig2Options {
  int32_t runs = 5;
  bool quick = false;
  std::string out_dir = "runs/fig2";
  std::string mnist_dir;  // empty: skip sequential MNIST (said in the outputs)
  std::vector<TaskKind> tasks = {TaskKind::kFlipFlop, TaskKind::kWave, TaskKind::kSeqMnist};
  std::vector<LearningRule> rules = {LearningRule::kConventional, LearningRule::kDale, LearningRule::kRectified};
  int32_t kl_bins = 100;
  // SPEC §1's init (the paper's figure) or ours, balanced (RnnSpec::recurrent_init).
  RecurrentInit recurrent_init = RecurrentInit::kUniform;
};

// Trains the run `config` describes in `dir`, or reuses / resumes what is already there (a
// finished run is loaded, an interrupted one continued). A run whose config.toml differs from
// `config` (other than in data.dir and run.threads) is refused, naming each differing key.
// Shared by every reproduction.
StatusOr<std::unique_ptr<TrainingRun>> train_or_reuse_run(const TrainConfig& config, const std::string& dir,
                                                          const std::function<void(const std::string&)>& log);
// A run directory is reused only if it holds the run asked for: a run trained with another
// init, size or seed would otherwise enter a figure unnoticed. Compares the two configurations
// key by key, except data.dir, run.threads and prune.source (where things were read from, not
// what was trained); kInvalidArgument naming every differing key otherwise.
Status check_reused_run_config(const TrainConfig& wanted, const TrainConfig& found, const std::string& dir);
// The same check from `dir`'s config.toml alone, without loading the run: a directory that
// holds a checkpoint must hold the run `wanted`; one without is not checked (it will be
// trained). A reproduction runs it over all its directories before it trains anything, so a
// mismatch is refused at once rather than when its turn comes, hours in.
Status check_reusable_run(const TrainConfig& wanted, const std::string& dir);
// Where reproduce_fig2 keeps the run of (task, rule, run number): <out>/<task>/<rule>/seed<k>.
std::string fig2_run_dir(const std::string& out_dir, TaskKind task, LearningRule rule, int32_t run);

// The configuration of one run of the figure (quick or full).
TrainConfig fig2_run_config(const Fig2Options& options, TaskKind task, LearningRule rule, int32_t run);

struct Fig2Cell {
  TaskKind task = TaskKind::kFlipFlop;
  LearningRule rule = LearningRule::kDale;
  std::vector<double> final_test_loss;      // one per run that finished (diverged runs left out)
  std::vector<double> final_test_accuracy;  // seqmnist only
  std::vector<std::vector<double>> test_curves;  // per run, per epoch
  std::vector<Matrix> initial_w, final_w;   // per run
  std::vector<int64_t> sign_violations;     // per run, final
  int32_t excitatory = 0;                   // E units (the E/I boundary in the pictures)
  int32_t diverged = 0;                     // runs whose loss became NaN or infinite
};

struct Fig2Result {
  std::vector<Fig2Cell> cells;
  std::vector<std::string> notes;  // e.g. "sequential MNIST skipped: no --data"
};

// Runs (or reuses) every training run and writes the outputs. `log` receives one line per
// started or reused run.
StatusOr<Fig2Result> reproduce_fig2(const Fig2Options& options,
                                    const std::function<void(const std::string&)>& log);

}  // namespace biornn
