// fig3.hpp — reproducing the paper's Fig. 3: what top-prob pruning keeps, how much of the
// maximum spanning tree survives, the error before fine-tuning, and fine-tuning (SPEC §4–§5).
//
//   A  distributions of the kept recurrent weights: dense vs top-prob vs random at 90 %
//      sparsity (trained Dale flip-flop network, run 1).
//   B  MST overlap vs sparsity (21 levels, 0 … 1 in steps of 0.05), both methods, with the
//      App. 10.1 lower bound and the App. 10.2 random expectation, on random U(0, 1) matrices
//      (N = 10, 50, 100 — what the published notebooks used) and on the trained Dale matrices
//      of every task (what the paper's text says). Mean ± sd over runs × pruning draws.
//   C  test error before fine-tuning at 15 connection probabilities (0, then 14 evenly spaced
//      from 0.01 to 1) × runs per task, top-prob vs random; a two-sided Mann–Whitney U p per
//      level and the Holm-corrected p-values across levels (the notebooks reported the
//      uncorrected minimum over levels, which is not a valid test).
//   D  fine-tuning curves at 90 % sparsity for both methods against the dense model's error.
//
// The trained dense networks are the Dale's-backprop runs of Fig. 2 (<fig2>/<task>/dale/seed<k>,
// trained there if missing); fine-tuning runs go to <out>/finetune/<task>/<method>/seed<k>.
// Finished runs are reused, so the figure can be stopped and restarted.
//
// Outputs in <out>: fig3.json, fig3_mst.csv, fig3_error.csv, fig3_error_tests.csv,
// fig3_finetune.csv, and fig3A_*.svg, fig3B_*.svg, fig3C_*.svg, fig3D_*.svg.
//
// Not here: the pruning rules (prune.hpp), the tree (graph.hpp), the tests (stats.hpp).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "biornn/fig2.hpp"
#include "biornn/prune.hpp"

namespace biornn {

struct Fig3Options {
  int32_t runs = 5;
  bool quick = false;
  std::string out_dir = "runs/fig3";
  std::string fig2_dir = "runs/fig2";  // where the trained Dale networks live (or are trained)
  std::string mnist_dir;               // empty: sequential MNIST left out (said in the notes)
  std::vector<TaskKind> tasks = {TaskKind::kFlipFlop, TaskKind::kWave, TaskKind::kSeqMnist};
  std::vector<int32_t> random_sizes = {10, 50, 100};
  int32_t mst_draws = 20;              // panel B: prunings per matrix and level (--quick: 2)
  uint64_t seed = 1;                   // pruning and random-matrix seeds derive from it
  RecurrentInit recurrent_init = RecurrentInit::kUniform;  // of the Dale networks (Fig2Options)
};

// Panel B's sparsity levels (21) and panel C's connection probabilities (15).
std::vector<double> fig3_mst_sparsities();
std::vector<double> fig3_error_densities();

// One curve of panel B: mean and sd over runs of the overlap fraction at each sparsity.
struct MstOverlapCurve {
  std::string matrices;  // "random U(0,1), N = 50" or "trained flipflop (Dale)"
  int32_t n = 0;
  std::vector<double> sparsity;
  std::vector<double> topprob_mean, topprob_sd, random_mean, random_sd;
  std::vector<double> bound_mean;        // App. 10.1 bound / tree edges
  std::vector<double> expectation_mean;  // App. 10.2: hypergeometric mean / tree edges
};

// Panel B on one set of matrices (one per run): `draws` independent prunings of every matrix
// at every level, overlap fractions averaged (and their sd taken) over matrices × draws.
// One draw per matrix leaves the small graphs noisy: N = 10 has 19 tree edges, so at
// s = 0.9 a matrix's overlap moves in steps of 0.05 around a mean of about 0.1.
// Exposed for tests: the acceptance checks run it on random U(0, 1) matrices.
MstOverlapCurve mst_overlap_curve(const std::string& label, const std::vector<Matrix>& matrices,
                                  const std::vector<double>& sparsities, uint64_t seed, int32_t draws);

struct ErrorLevel {
  double density = 0;
  std::vector<double> topprob, random;  // test error per run
  double u = 0, p = 1, p_holm = 1;
};

struct FinetuneCurve {
  TaskKind task = TaskKind::kFlipFlop;
  std::string method;
  std::vector<std::vector<double>> test_loss;  // per run: before fine-tuning, then per epoch
};

struct Fig3Result {
  // Panel A: the recurrent weights of the first task's run 1 — all of them, then those
  // top-prob and random keep at 90 % sparsity.
  TaskKind panel_a_task = TaskKind::kFlipFlop;
  std::vector<std::pair<std::string, std::vector<double>>> panel_a;
  std::vector<MstOverlapCurve> mst;
  std::vector<std::pair<TaskKind, std::vector<ErrorLevel>>> error;
  std::vector<FinetuneCurve> finetune;
  std::vector<std::pair<TaskKind, double>> dense_test_loss;  // mean over runs, panel D's line
  std::vector<std::string> notes;
};

StatusOr<Fig3Result> reproduce_fig3(const Fig3Options& options, const std::function<void(const std::string&)>& log);

}  // namespace biornn
