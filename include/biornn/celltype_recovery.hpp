// celltype_recovery.hpp — scoring fitted models against the synthetic ground truth (issue 6's
// acceptance): "the sign of each planted condition difference recovered in at least 4 of 5
// runs; ≥ 90 % variance explained for every observed population".
//
// Input: truth.json of `celltype synth` (celltype_synth.hpp: planted differences with their
// blocks by population name, the comparisons (a, b) in which b − a has `expected_sign`), and the
// finished runs of two conditions A and B (their conditions come from the runs' fit.toml).
// A planted difference applies when (A, B) is one of its comparisons (expected sign as written)
// or (B, A) is (sign flipped); the others are listed as not applicable.
//
// Per applicable difference and run pair k (run k of A with run k of B, in natural order — the
// same seed when both were fitted with `celltype fit --runs N`): d_k = mean |w| of B's run over
// the union of the planted blocks − the same for A's run (zeros included). Recovered in run
// pair k when sign(d_k) = the expected sign (d_k = 0 never counts); the difference counts as
// recovered when at least ceil(fraction · pairs) pairs agree (fraction 0.8: 4 of 5). Each block
// is also scored on its own.
//
// A null control (truth.json from `celltype synth --control`): the differences are listed with
// "control": true and are not in the teachers. Each is scored the same way and reported as a
// control item; reaching the required count is then a false positive, and `signs_passed` means
// that no control item reached it.
//
// With `ablation` (a second measure beside the paper's, celltype_ablation.hpp): per run, the
// model is run on its own condition's held-out test set (the data directory its fit.toml records,
// or `data_dir`) with and without the planted blocks, and e_k = the mean squared change of the
// one-step predictions of the blocks' observed target populations, steps kCelltypeR2FirstStep
// onward. d_k = e_k(B) − e_k(A) is then scored exactly like the mean |w| difference, for the
// union of the blocks (all removed at once) and for each block alone. `signs_passed` stays the
// mean |w| verdict; `ablation_signs_passed` is the same rule on these differences.
//
// Calibrated against a baseline (options.baseline_a/_b: fits of the same two conditions, with
// the same seeds, on the null control of the same teacher — `celltype synth --control`, only
// the planted factors left out): per run pair c_k = d_k − d'_k, d'_k the baseline's B − A of the
// same measure, scored by the same rule. The null control shows what B − A the two conditions'
// different activity gives with nothing planted (README: the ablation measure's feedback sign
// comes out there in 4–5 of 5 pairs), so c_k asks whether the planted teacher moves B − A
// beyond that, run by run. Only the union of each difference's blocks is calibrated. The
// baseline's data directory is what its fit.toml records, or `baseline_data_dir`. The verdicts
// of the plain measures do not change; `--check --calibrated` reads the calibrated ones.
//
// Ablation data: the rebuilt model must reproduce the R² its summary.json records on the test
// set it is given (it does so bit for bit on its own data), else the run is refused as scored
// on data it was not fitted on — a relative path in fit.toml read from another directory.
//
// Readout coupling (a third measure, ours; celltype_coupling.hpp): per run, Σ over the planted
// blocks of Σ_{i ∈ target} r_i Σ_{j ∈ source} w_ij — the blocks' drive of their targets' outputs,
// read from W and the frozen readouts, no data — its B − A per run pair scored like mean |w|
// (union and each block; calibrated too when a baseline is given). Run k of A and run k of B
// must have the same readouts (the same seed), else the pairs are refused: the coupling's scale
// is set by them. It is always computed; `coupling_signs_passed` is its verdict (which verdict
// `celltype recovery --check` reads is the command's --measure).
//
// Explained variance: per run, the minimum R² over the observed populations, from the run's
// summary.json (one-step prediction on the held-out test set, celltype_fit.hpp); it passes when
// every run of A and B reaches the threshold (0.9).
//
// Not here: the comparison statistics (celltype_compare.hpp), the teacher (celltype_synth.hpp).
#pragma once

#include <string>
#include <vector>

#include "biornn/celltype.hpp"
#include "biornn/status.hpp"

namespace biornn {

struct CelltypeRecoveryBlock {
  std::string source, target;
  std::vector<double> diffs;  // per run pair
  int32_t matches = 0;
  std::vector<double> ablation_diffs;  // per run pair, with CelltypeRecoveryOptions::ablation
  int32_t ablation_matches = 0;
  std::vector<double> coupling_diffs;  // per run pair
  int32_t coupling_matches = 0;
};

struct CelltypeRecoveryItem {
  std::string name, description;
  int expected_sign = 1;                    // of B − A
  std::vector<CelltypeProjection> blocks;
  std::vector<double> diffs;                // per run pair, union of the blocks
  int32_t matches = 0;
  std::vector<CelltypeRecoveryBlock> per_block;
  bool recovered = false;  // matches ≥ required (for a control item: a false positive)
  bool control = false;    // not planted: truth.json of `celltype synth --control`
  // With CelltypeRecoveryOptions::ablation: the prediction change when the blocks are removed,
  // per run of A and of B, its B − A per run pair, and the same verdict on those differences.
  std::vector<double> ablation_a, ablation_b, ablation_diffs;
  int32_t ablation_matches = 0;
  bool ablation_recovered = false;
  // The readout coupling of the union per run of A and of B, its B − A per run pair, the verdict.
  std::vector<double> coupling_a, coupling_b, coupling_diffs;
  int32_t coupling_matches = 0;
  bool coupling_recovered = false;
  // With a baseline: its B − A per run pair and the calibrated differences (see above), for
  // mean |w| and (with ablation) for the prediction change.
  std::vector<double> baseline_diffs, calibrated_diffs;
  int32_t calibrated_matches = 0;
  bool calibrated_recovered = false;
  std::vector<double> ablation_baseline_diffs, ablation_calibrated_diffs;
  int32_t ablation_calibrated_matches = 0;
  bool ablation_calibrated_recovered = false;
  std::vector<double> coupling_baseline_diffs, coupling_calibrated_diffs;
  int32_t coupling_calibrated_matches = 0;
  bool coupling_calibrated_recovered = false;
};

struct CelltypeRecoveryRun {
  std::string dir;
  double min_r2 = 0;         // over observed populations (NaN when none has a finite R²)
  std::string worst;         // the population with that R²
  int32_t r2_first_step = 0; // the first step its R² scores (CelltypeFitResult::r2_first_step)
};

struct CelltypeRecovery {
  std::string condition_a, condition_b, window_a, window_b;
  int32_t pairs = 0, required = 0;
  std::vector<CelltypeRecoveryItem> items;
  std::vector<std::string> not_applicable;  // "novelty: compares familiar_* with novel_*"
  std::vector<CelltypeRecoveryRun> runs_a, runs_b;
  double r2_threshold = 0.9;
  double min_r2 = 0;  // over every run of A and B
  bool r2_passed = false;
  bool signs_passed = false;  // every applicable difference recovered and no control item reached
                              // the required count (false when nothing applies)
  bool ablation = false;               // the ablation measure was computed
  bool ablation_signs_passed = false;  // signs_passed's rule on the ablation differences
  bool coupling_signs_passed = false;  // signs_passed's rule on the coupling differences
  bool calibrated = false;             // scored against a baseline
  std::vector<CelltypeRecoveryRun> baseline_runs_a, baseline_runs_b;  // their R² (reported, not judged)
  bool calibrated_signs_passed = false;           // every difference recovered after calibration
  bool ablation_calibrated_signs_passed = false;  // the same for the ablation measure
  bool coupling_calibrated_signs_passed = false;  // the same for the coupling
};

struct CelltypeRecoveryOptions {
  double fraction = 0.8;      // of run pairs that must show the expected sign
  double r2_threshold = 0.9;
  bool ablation = false;      // also score the planted blocks by their effect on the predictions
  std::string data_dir;       // with ablation: the processed data (default: what fit.toml records)
  // Optional baseline (see above): null-control fits of A's and B's conditions, run k with run k.
  std::vector<std::string> baseline_a, baseline_b;
  std::string baseline_data_dir;  // with ablation: the baseline's processed data (default: its fit.toml's)
};

// Errors: an unreadable or malformed truth.json (naming the key), a truth whose populations are
// not the spec's, runs of A (or of B) with different conditions or windows, unfinished runs, run
// pairs whose readouts differ (naming them: fitted with different seeds); with
// ablation also data that cannot be read (naming the directory and file), data the runs were not
// fitted on, and a model.npz that does not fit the spec; with a baseline also one side missing,
// a null-control truth, and baseline runs of other conditions, windows or number.
StatusOr<CelltypeRecovery> score_celltype_recovery(const CelltypeSpec& spec, const std::string& truth_path,
                                                   const std::vector<std::string>& runs_a,
                                                   const std::vector<std::string>& runs_b,
                                                   const CelltypeRecoveryOptions& options = {});

// The report as text and as JSON.
std::string celltype_recovery_text(const CelltypeRecovery& r);
std::string celltype_recovery_json(const CelltypeRecovery& r);

}  // namespace biornn
