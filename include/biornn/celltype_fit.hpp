// celltype_fit.hpp — fitting the cell-type RNN to population activity: dense training, block-wise
// pruning to the connectivity table, fine-tuning on the pruned pattern (paper §4.2, SPEC §7).
//
// One run, from a population spec and its data (celltype_data.hpp's TaskData, or any TaskData of
// kind kCelltype with inputs = outputs = the spec's populations):
//   1. dense: make_celltype_model (Dale signs per population, input mask, frozen per-population
//      readouts), Adam (lr 1e-3, batch 200) through the shared Trainer, `dense_epochs` epochs
//      (100) with the cosine schedule (schedule.hpp; T_max 10, η_min 1e-4, on by default), the
//      loss of eq. 6 over the observed populations (train.hpp, TaskKind::kCelltype); the epoch
//      with the lowest test loss (on the first `selection_samples` test samples) is kept (its
//      parameters are restored at the end of the phase);
//   2. prune: block-wise top-prob (prune_blocks) at CelltypeSpec::block_table()'s densities —
//      intra-areal blocks from the table, inter-areal blocks only for the listed excitatory
//      projections at their density (0.3), all other inter-areal blocks removed. Option
//      kRandom: inter-areal projections get a random mask of the same density instead (what the
//      notebooks did), intra-areal blocks stay top-prob. `exact` (the default here) keeps
//      exactly round(density · entries) per block by systematic sampling with the same
//      inclusion probabilities; independent draws (exact = false, the paper's rule) scatter a
//      16 × 16 block at density 0.05 by ±1.4 percentage points, more than the 1-point tolerance
//      the acceptance asks for;
//   3. fine-tune: the recurrent matrix moves to CSR on the mask (SignedRnn::make_sparse), a fresh
//      Adam with a restarted schedule trains `finetune_epochs` epochs (50); the best epoch by test
//      loss is kept.
// Seeds: the run's `seed` derives init (stream 1), shuffling (2, fine-tuning: 3) and pruning (4).
//
// The run directory (everything written atomically; summary.json last, so a directory with
// summary.json is a finished run):
//   checkpoint.bin            the whole state, every `checkpoint_every` epochs and at phase ends;
//                             a run started again in the same directory continues from it and ends
//                             bit-identical to an uninterrupted run
//   metrics.csv               phase, epoch, lr, train_loss, test_loss, seconds (test_loss, like
//                             every loss in summary.json, on the selection samples)
//   model.npz                 as `biornn train` writes it (W, W_in, W_out, b_out, signs, mask, ...)
//   summary.json              best epochs and losses, the loss right after pruning, per-population
//                             R² on the test set, realised block densities vs the table, sign
//                             violations, weights off the mask, inter-areal weights outside the
//                             projections, seeds, kernels, times
//   connectivity.svg          W (units in area / layer / type order, population block lines)
//   population_means.svg      the P × P matrix of block means of W (zeros included)
//   traces_<population>.svg   test-set target vs one-step prediction (mean ± sd over samples)
//   loss.svg, report.html
//
// Not here: the spec (celltype.hpp), the model (celltype_model.hpp), reading data
// (celltype_data.hpp), the command line (src/cli/cmd_celltype_fit.cpp).
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "biornn/celltype.hpp"
#include "biornn/celltype_model.hpp"
#include "biornn/schedule.hpp"
#include "biornn/tasks.hpp"

namespace biornn {

enum class InterArealMask { kTopProb, kRandom };
const char* inter_areal_mask_name(InterArealMask m);                     // "topprob", "random"
bool parse_inter_areal_mask(const std::string& text, InterArealMask* out);

struct CelltypeFitOptions {
  int32_t dense_epochs = 100;
  int32_t finetune_epochs = 50;
  double lr = 1e-3;
  int32_t batch = 200;
  bool cosine = true;           // the schedule of schedule.hpp in both phases
  int32_t cosine_t_max = 10;
  double cosine_min_lr = 1e-4;
  InterArealMask inter_areal = InterArealMask::kTopProb;
  bool exact = true;            // exact counts per block (see above)
  bool input_mask = true;       // CelltypeModelOptions::input_mask
  bool initial_drive = false;   // CelltypeModelOptions::initial_drive (not in the paper)
  RecurrentInit recurrent_init = RecurrentInit::kUniform;  // CelltypeModelOptions::recurrent_init (not in the paper)
  // Test samples scored after every epoch to choose the best epoch: the first N of the test set
  // (0: all of it). The bootstrap's samples are independent draws, so the first N are a random
  // subset; every epoch is scored on the same ones. 500 keeps the per-epoch scoring at a quarter
  // of the cost of 2000 (a dense forward pass over 2000 samples is ≈ 0.75 s, a quarter of an
  // epoch). R² and the traces always use the whole test set.
  int32_t selection_samples = 500;
  uint64_t seed = 1;
  int32_t checkpoint_every = 5; // epochs between checkpoints (and always at the end of a phase)
};

// Checks the options (epochs ≥ 0, batch ≥ 1, lr > 0, 0 < η_min ≤ lr, T_max ≥ 1, selection ≥ 0, …).
Status validate_celltype_fit_options(const CelltypeFitOptions& o);
// The balanced recurrent init needs excitatory and inhibitory units in the spec.
Status check_celltype_recurrent_init(const CelltypeSpec& spec, RecurrentInit init);
// "key = value" lines describing everything that determines a run's result (recorded in the
// checkpoint, so that a run is never continued with other settings).
std::string celltype_fit_settings(const CelltypeFitOptions& o);

struct CelltypeEpoch {
  std::string phase;  // "dense" or "finetune"
  int32_t epoch = 0;  // 1-based within the phase
  double lr = 0;
  double train_loss = 0, test_loss = 0;
  double seconds = 0;
};

struct CelltypeBlockDensity {
  int32_t post = 0, pre = 0;
  double target = 0, realised = 0;
  int64_t kept = 0, entries = 0;
};

// The first step the fit's R² scores (CelltypeFitResult::r2). Step 0 predicts frame 1 from frame
// 0 alone: the network starts from rest (h₀ = 0, the paper's model), has no biases and frozen
// readouts, so only the input weights can carry it, and on the synthetic ground truth its error
// stays ~50× the other steps' after 60 dense epochs. That transient says nothing about the fitted
// connectivity, so R² counts steps 1 onward; r2_all_steps keeps the score with step 0 in it.
constexpr int32_t kCelltypeR2FirstStep = 1;

struct CelltypeFitResult {
  std::vector<CelltypeEpoch> history;
  int32_t best_dense_epoch = 0;         // 0 when the phase had no epochs
  double best_dense_loss = 0;           // test loss of the kept dense model
  double loss_after_pruning = 0;        // test loss right after pruning, before fine-tuning
  int32_t best_finetune_epoch = 0;
  double best_finetune_loss = 0;        // test loss of the final model
  int32_t epoch_test_samples = 0;       // the test samples those losses are on (selection_samples)
  std::vector<double> r2;               // per population, test set, steps kCelltypeR2FirstStep onward
                                        // (NaN when the target is constant)
  std::vector<double> r2_all_steps;     // the same over every step, step 0 included
  int32_t r2_first_step = kCelltypeR2FirstStep;  // 0 in runs written before the step-0 exclusion
  std::vector<CelltypeBlockDensity> blocks;
  double max_density_deviation = 0;     // max |realised − target| over blocks
  int64_t sign_violations = 0;          // final W
  int64_t max_sign_violations = 0;      // after any optimiser step, both phases
  int64_t off_mask_weights = 0;         // nonzero entries of the final W outside the mask
  int64_t inter_areal_outside = 0;      // nonzero inter-areal entries outside the projections
  bool reused = false;                  // the directory held a finished run
  double seconds = 0;                   // training time, both phases
};

struct CelltypeFitHooks {
  std::function<void(const CelltypeEpoch&)> on_epoch;
  std::function<void(const std::string&)> log;
  const std::atomic<bool>* stop = nullptr;  // true: checkpoint after the current epoch, return kCancelled
};

// Runs (or continues, or reuses) one fit in `dir`. With `fresh`, anything already in `dir` is
// ignored and overwritten. `title` names the run in pictures and the report ("familiar_change,
// full window, run 1"). Errors: data that does not fit the spec, a checkpoint written with other
// settings, a loss that became NaN (kNumericalFailure), I/O.
StatusOr<CelltypeFitResult> fit_celltype_run(const CelltypeSpec& spec, const TaskData& data,
                                             const CelltypeFitOptions& options, const std::string& dir,
                                             const std::string& title, bool fresh, const CelltypeFitHooks& hooks = {});

// Checks that `data` fits the spec (kind kCelltype, inputs = outputs = populations, regression
// targets, at least one sample in train and test) and sets scored_outputs from spec.observed.
Status prepare_celltype_task(const CelltypeSpec& spec, TaskData* data);

// ---- analysis (also used by tests and comparisons) --------------------------------------------

// The keep mask of the pruning step for recurrent weights `w` (hidden, hidden).
Mask celltype_prune_mask(const CelltypeSpec& spec, ConstMatrixView w, InterArealMask inter_areal, bool exact,
                         uint64_t seed);
// Realised vs target density of every (post, pre) block of `mask`.
std::vector<CelltypeBlockDensity> celltype_block_densities(const CelltypeSpec& spec, const Mask& mask);
// Nonzero entries of `w` in inter-areal blocks whose table density is 0.
int64_t celltype_inter_areal_outside(const CelltypeSpec& spec, ConstMatrixView w);
// (P, P): the mean of every block of `w`, zeros included (rows = post).
Matrix celltype_population_means(const CelltypeSpec& spec, ConstMatrixView w);
// The model's one-step predictions on `set`, (samples, steps·outputs), the layout of set.y.
Matrix celltype_predict(SignedRnn& model, const SequenceData& set, int32_t batch);
// Per output: R² = 1 − Σ(ŷ − y)² / Σ(y − ȳ)² over samples × steps first_step..steps−1, ȳ the
// mean over those entries (NaN when Σ(y − ȳ)² = 0 or no step is left).
std::vector<double> celltype_explained_variance(const SequenceData& set, const Matrix& prediction,
                                                int32_t first_step = 0);

}  // namespace biornn
