// celltype_data.hpp — population activity for the cell-type RNN: reading the authors'
// processed files, turning raw trial arrays into training data, and a synthetic ground truth
// (paper §4.1, SPEC §7).
//
// File conventions (NumPy .npy, read with npy.hpp):
//   processed  dff_<area>_<layer>_<type>_<condition>_<train|test>.npy — float64 (samples, 15);
//              `train` is the input x_t (frames 0..14), `test` the one-step-ahead target
//              (frames 1..15). <type> is lower case ("pyr"); <condition> is any string without
//              '/', e.g. "familiar_change".
//   raw        dff_<type>_<visp|visl>_<layer>_<condition>.npy — (trials, 16), one row per trial:
//              the mean over all cells of one experiment, 16 frames (≈ 10.7 Hz, 1.5 s). Area
//              V1 is "visp", LM is "visl" (the Allen Brain Atlas acronyms).
// Processed data always holds the full window; the half window (input frames 7..13, target
// frames 8..14, 7 steps) is cut from it when a model is fitted (celltype_window).
//
// Bootstrap (what the authors' notebooks ran, SPEC §7): for every population and condition,
// from its (trials, 16) array draw `samples` (2000) pseudo-trials, each the mean of `rows_per_sample`
// (100) rows drawn with replacement; input = frames 0..14, target = frames 1..15; a Gaussian
// filter with σ = 1 frame along time (edges reflected, as scipy.ndimage's "reflect" mode:
// d c b a | a b c d | d c b a) smooths input and target separately. With `heldout` > 0 a
// fraction of the trials of every array is set aside first (seeded) and bootstrapped on its own
// into <out>/heldout/, for scoring the fitted model on trials it never saw.
//
// Not here: the spec (celltype.hpp), fitting (celltype_fit.hpp).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "biornn/celltype.hpp"
#include "biornn/rng.hpp"
#include "biornn/tasks.hpp"

namespace biornn {

enum class CelltypeWindow { kFull, kHalf };
const char* celltype_window_name(CelltypeWindow w);           // "full", "half"
bool parse_celltype_window(const std::string& text, CelltypeWindow* out);

// "dff_V1_L23_pyr_familiar_change_train.npy" for population p; role is "train" or "test".
std::string celltype_processed_file(const CelltypeSpec& spec, int32_t population, const std::string& condition,
                                    const std::string& role);
// "dff_pyr_visp_L23_familiar_change.npy" (area names V1/LM map to visp/visl; others are used
// as they are, lower-cased).
std::string celltype_raw_file(const CelltypeSpec& spec, int32_t population, const std::string& condition);

// Reads every population's processed input/target pair from `dir` for `condition`, checks
// them (present, 2-D, 15 columns, same sample count across populations, finite), and returns
// a regression data set (kind kCelltype) with inputs = outputs = populations, steps = the
// window's length (15 full, 7 half): x (samples, T·P) and y (samples, T·P), time-major within
// a row (SequenceData's layout): x(i, t·P + p) is population p's input at step t of sample i.
// The half window is columns 7..13 of both files (input frames 7..13, target frames 8..14).
// Missing files, wrong shapes, NaN, mismatched counts: errors naming the file and the problem.
// An unobserved population (spec.observed[p] false) may have no files: its x and y columns are
// zero, and `scored_outputs` (1, P) marks it 0 so the loss skips it (observed ones are 1).
// The returned data's `train` and `test` are the same set unless <dir>/heldout holds this
// condition's files (what bootstrap --heldout writes); then `test` comes from there, checked
// the same way (its sample count may differ from the training set's).
StatusOr<TaskData> load_celltype_data(const CelltypeSpec& spec, const std::string& dir, const std::string& condition,
                                      CelltypeWindow window);

struct BootstrapOptions {
  int32_t samples = 2000;
  int32_t rows_per_sample = 100;
  double sigma = 1.0;     // Gaussian filter width in frames
  double heldout = 0.0;   // fraction of trials set aside for <out>/heldout
  uint64_t seed = 1;
};
// Reads raw trial arrays for every population and condition in `conditions` from `trials_dir`
// and writes processed files to `out_dir` (and <out_dir>/heldout), float64 (samples, 15), plus
// <out_dir>/bootstrap.json (the options, and the trial count of every array). Returns the list
// of files written. Every input is read and checked before the first file is written: a
// missing observed population, a shape other than (trials, 16), NaN/Inf, too few trials to
// hold out — errors naming the file. An unobserved population without a raw file is skipped
// (load_celltype_data fills it with zeros). Raw arrays may have different trial counts.
// Each (condition, population, part) draws from its own stream Rng(seed, crc32 of
// "<condition>/<population>/<part>"), so a condition's output does not depend on which other
// conditions were listed. `log`, if given, receives one line per condition.
StatusOr<std::vector<std::string>> bootstrap_celltype(const CelltypeSpec& spec, const std::string& trials_dir,
                                                      const std::vector<std::string>& conditions,
                                                      const std::string& out_dir, const BootstrapOptions& options,
                                                      const std::function<void(const std::string&)>& log = nullptr);

// The bootstrap of one raw array (trials, 16) in C order: `samples` rows, each the mean of
// `rows_per_sample` rows drawn with replacement from `rng`, then split into the input (frames
// 0..14) and target (frames 1..15), each smoothed with gaussian_filter_reflect(σ). Outputs are
// (samples, 15) in C order. Exposed for tests.
void bootstrap_trials(const std::vector<double>& trials, int32_t n_trials, int32_t samples, int32_t rows_per_sample,
                      double sigma, Rng& rng, std::vector<double>* input, std::vector<double>* target);

// Frames per raw trial and steps of the full and half windows.
inline constexpr int32_t kCelltypeFrames = 16;
inline constexpr int32_t kCelltypeFullSteps = 15;
inline constexpr int32_t kCelltypeHalfFirst = 7;  // first column of the half window
inline constexpr int32_t kCelltypeHalfSteps = 7;

// One-dimensional Gaussian smoothing with reflected edges (exposed for tests): the kernel is
// truncated at 4σ, as scipy.ndimage.gaussian_filter1d does by default, and normalised to sum 1.
std::vector<double> gaussian_filter_reflect(const std::vector<double>& signal, double sigma);

// The 12 conditions of the paper: familiar|novel × change|no_change|omission (× full|half
// windows at fit time). The raw-file condition strings are "familiar_change", … .
std::vector<std::string> celltype_conditions();

}  // namespace biornn
