// celltype_summary.hpp — the table of finished cell-type fits (one row per run) that
// `celltype fit` and `celltype all` write as summary.csv / summary.json, and reading finished
// runs back from disk, so that `biornn aggregate` can merge the output directories of jobs run
// on other machines into exactly the table `celltype all` would have written.
//
// A finished run is a directory holding summary.json and model.npz (celltype_fit.hpp writes
// summary.json last). Its condition and window come from the fit.toml that `celltype fit`
// writes in the run's parent directory; the numbers from summary.json. JSON writes NaN as null,
// so a NaN R² or loss reads back as NaN and the merged table is the same, byte for byte.
//
// Not here: fitting (celltype_fit.hpp), comparing conditions (celltype_compare.hpp).
#pragma once

#include <string>
#include <vector>

#include "biornn/celltype.hpp"
#include "biornn/celltype_fit.hpp"
#include "biornn/status.hpp"

namespace biornn {

struct CelltypeRunRecord {
  std::string condition, window;  // "familiar_change", "full"
  int32_t run = 0;                // 1-based within its condition and window
  uint64_t seed = 0;
  CelltypeFitResult result;       // the fields summary.csv shows (history and blocks may be empty)
  std::string dir;                // the run's directory (where it was read from or written to)
  std::string data_dir;           // the --data its fit.toml records (empty when it records none)
};

// Mean and minimum of R² over the observed populations whose R² is a number; NaN when none is.
double celltype_mean_r2(const CelltypeSpec& spec, const std::vector<double>& r2);
double celltype_min_r2(const CelltypeSpec& spec, const std::vector<double>& r2);

// Writes dir/summary.csv (one row per record; the header is celltype_summary_header()) and
// dir/summary.json (an array of one object per record, with every population's R²).
Status write_celltype_summary(const CelltypeSpec& spec, const std::vector<CelltypeRunRecord>& rows,
                              const std::string& dir);
const std::vector<std::string>& celltype_summary_header();

// A run whose final test loss is far above the other runs' of its condition and window. Runs
// differ only in their seed, so a run that lags this far has most likely stalled (a dense phase
// can sit on a plateau for all its epochs), and its weights are a poor basis for comparing
// conditions. `row` indexes the records given.
struct CelltypeLaggingRun {
  std::size_t row = 0;
  double final_loss = 0;    // its best fine-tuning test loss
  double group_median = 0;  // the median of that loss over its condition and window
  std::size_t group_runs = 0;  // the runs with a finite loss that the median is over
};
// Every run whose best fine-tuning test loss exceeds `factor` × the median of its group (same
// condition and window). Groups of fewer than 3 runs with a finite loss are not judged (the
// median of two says nothing about which one lags); a NaN or infinite loss always lags.
inline constexpr double kCelltypeLaggingFactor = 3.0;
std::vector<CelltypeLaggingRun> celltype_lagging_runs(const std::vector<CelltypeRunRecord>& rows,
                                                      double factor = kCelltypeLaggingFactor);
// One line for the user about a lagging run `lag` of `rows`: which run, its loss against the
// median, how far its dense phase got, and what to do.
std::string describe_lagging_run(const std::vector<CelltypeRunRecord>& rows, const CelltypeLaggingRun& lag);

// ---- finished runs on disk ---------------------------------------------------------------------

// The spec the runs in `dir` were fitted with: the `spec` that dir/fit.toml (or, for a run
// directory, ../fit.toml; for a sweep's group, the first seed's fit.toml) records, loaded; the
// paper's default when it records "(default)" or there is no fit.toml. Errors: a recorded spec
// that cannot be read (pass --spec instead).
StatusOr<CelltypeSpec> celltype_recorded_spec(const std::string& dir);

// The folder a sweep job fits one seed into, inside its <condition>_<window>/ group: "seed<S>";
// and whether a folder name is one (seed followed by digits only).
std::string celltype_seed_dir_name(uint64_t seed);
bool is_celltype_seed_dir_name(const std::string& name);
// True when `dir` holds summary.json and model.npz.
bool is_celltype_run_dir(const std::string& dir);
// The finished runs of one `celltype fit --out DIR`: DIR itself when it is a run, else its
// subdirectories that are runs, in natural order (run2 before run10); when it has none, the runs
// in its seed<S>/ folders, as in a sweep's group directory (seed1/run1, seed2/run1, ...). Errors:
// DIR missing, or holding no finished run (the message lists what it does hold).
StatusOr<std::vector<std::string>> list_celltype_runs(const std::string& dir);
// Every finished run at or below each root (any depth), in natural path order, each once.
// `unfinished` (optional) receives run directories that have a checkpoint but no summary yet.
StatusOr<std::vector<std::string>> find_celltype_runs(const std::vector<std::string>& roots,
                                                      std::vector<std::string>* unfinished = nullptr);

// One finished run: summary.json checked against the spec (the same populations in the same
// order, the same unobserved ones), condition and window from ../fit.toml, run number from the
// directory name "run<k>" (0 otherwise), data_dir from fit.toml's `data` (as the fit was given
// it: a relative path is relative to where the fit ran). Errors name the file and the key.
StatusOr<CelltypeRunRecord> read_celltype_run(const CelltypeSpec& spec, const std::string& run_dir);

// The rows of many runs as `celltype all` orders them: conditions in celltype_conditions()
// order (others after them, alphabetically), windows full before half, then by seed; runs
// renumbered 1, 2, … by seed within each condition and window (so jobs that each fitted one
// seed get the numbers `celltype fit --runs N` would have given them). Two runs with the same
// condition, window and seed are an error naming both directories.
Status order_celltype_records(std::vector<CelltypeRunRecord>* rows);

}  // namespace biornn
