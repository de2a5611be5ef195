// celltype_compare.hpp — comparing the fitted connectivity of two conditions (paper §4.3,
// SPEC §7 "Comparisons"; issue 6): condition A's runs against condition B's.
//
// Per run, from the final recurrent matrix W (model.npz, rows = post, cols = pre), at three
// scales — population (P × P, 18 × 18 for the paper's spec), layer (areas·layers, 6 × 6) and
// area (2 × 2) — two block measures:
//   mean |w|  = Σ|w_ij| / (n_post·n_pre) over the block's entries, zeros included (a pruned
//               weight counts as a weight of 0, as in the paper's figures);
//   signed    = Σ w_ij / (n_post·n_pre), the same with signs (Dale: negative from inhibitory
//               populations).
// A layer or area block is the union of its population blocks, so its mean is the entry-weighted
// mean of theirs (not the plain mean of the population means).
// With the runs' readouts, a third measure (ours, not the paper's; celltype_coupling.hpp):
//   coupling  = Σ_{i ∈ post} r_i Σ_{j ∈ pre} w_ij, the block's first-order drive of the post
//               population's output; a layer or area block sums its population blocks'.
// It follows what a fit does to a projection's effect, which mean |w| can miss (the readouts have
// random signs); it is comparable across runs with the same readouts (the same seeds).
//
// Across runs, per block: the means of A and B, their sds, B − A (mean over B's runs minus mean
// over A's runs), Welch's t and the two-sided Mann–Whitney U (stats.hpp), each Holm-corrected
// over the blocks of that scale and measure. A block whose values are the same in every run of
// both conditions (a pruned-away block: 0 everywhere) carries no evidence either way; it is
// reported as untested and left out of the Holm family, so structural zeros do not dilute it.
// Tests need ≥ 2 runs per condition; with fewer, everything is reported and nothing tested.
//
// Called out (celltype_highlights): every inter-areal projection of the spec grouped by source
// population and target area·layer — for the paper's spec the feedforward V1_L23_Pyr → LM_L4
// (Pyr, Sst, Vip) and the feedback LM_L5_Pyr → V1_L23 and LM_L5_Pyr → V1_L5 — and, in every
// area that has them, L23 Sst → L23 Vip. Each is tested on the mean |w| of the union of its
// blocks, Holm-corrected over the highlights (a small family fixed before looking at the data),
// and, with readouts, on the union's coupling (its own Holm family over the highlights).
//
// Not here: fitting (celltype_fit.hpp), scoring against a known truth (celltype_recovery.hpp),
// the command line (src/cli/cmd_celltype_compare.cpp).
#pragma once

#include <string>
#include <vector>

#include "biornn/celltype.hpp"
#include "biornn/matrix.hpp"
#include "biornn/stats.hpp"
#include "biornn/status.hpp"

namespace biornn {

enum class CelltypeScale { kPopulation, kLayer, kArea };
const char* celltype_scale_name(CelltypeScale scale);  // "population", "layer", "area"
inline constexpr CelltypeScale kCelltypeScales[] = {CelltypeScale::kPopulation, CelltypeScale::kLayer,
                                                     CelltypeScale::kArea};

// Which group each population belongs to at a scale, and the groups' names ("V1_L23_Pyr",
// "V1_L23", "V1"), in spec order (area, then layer, then type).
struct CelltypeGrouping {
  CelltypeScale scale = CelltypeScale::kPopulation;
  std::vector<std::string> labels;
  std::vector<int32_t> group_of_population;
  std::vector<int64_t> units;  // per group
  int32_t groups() const { return int32_t(labels.size()); }
};
CelltypeGrouping celltype_grouping(const CelltypeSpec& spec, CelltypeScale scale);

// Both block measures of one W at one scale: (G, G) row-major, rows = post.
struct CelltypeBlockMeans {
  int32_t groups = 0;
  std::vector<double> mean_abs, mean_signed;
};
// w: (N, N) with N = spec.total_units(), units in spec order. Sums in double.
CelltypeBlockMeans celltype_block_means(const CelltypeSpec& spec, ConstMatrixView w, CelltypeScale scale);
// Mean |w| over the union of population blocks (target = post, source = pre), zeros included.
double celltype_union_mean_abs(const CelltypeSpec& spec, ConstMatrixView w, const std::vector<CelltypeProjection>& blocks);

// Across-run statistics of one block (or one highlight).
struct CelltypeBlockTest {
  std::vector<double> a, b;  // the per-run values
  double mean_a = 0, sd_a = 0, mean_b = 0, sd_b = 0;
  double diff = 0;           // mean_b − mean_a
  bool tested = false;
  WelchResult welch{0, 0, 1};            // NaN fields when untested
  MannWhitneyResult mann_whitney{0, 1, false, 0};
  double welch_p_holm = 1, mann_whitney_p_holm = 1;  // NaN when untested
};
// Descriptives and both tests (Holm fields left for the caller's family).
CelltypeBlockTest celltype_block_test(const std::vector<double>& a, const std::vector<double>& b);
// Holm-adjusts the tested members of a family in place (untested ones keep NaN).
void celltype_holm_family(std::vector<CelltypeBlockTest*> family);

struct CelltypeScaleComparison {
  CelltypeGrouping grouping;
  std::vector<CelltypeBlockTest> mean_abs, mean_signed;  // G·G, row-major, rows = post
  std::vector<CelltypeBlockTest> coupling;               // G·G with readouts, else empty
};

struct CelltypeHighlight {
  std::string kind;   // "feedforward", "feedback", "sst_vip"
  std::string name;   // "feedforward V1_L23_Pyr -> LM_L4"
  std::vector<CelltypeProjection> blocks;  // population blocks (source → target)
  CelltypeBlockTest test;                  // on the union's mean |w|; Holm over the highlights
  CelltypeBlockTest coupling;              // on the union's coupling (with readouts; else untested)
};
// The highlights a spec has (see above), without values.
std::vector<CelltypeHighlight> celltype_highlights(const CelltypeSpec& spec);

struct CelltypeComparison {
  std::vector<std::string> runs_a, runs_b;  // names (directories) of the runs
  std::vector<CelltypeScaleComparison> scales;  // population, layer, area
  std::vector<CelltypeHighlight> highlights;
  bool has_coupling = false;  // the readouts were given
};

// From the runs' recurrent matrices (each (N, N), N = spec.total_units(); contract) and, when
// given (one per run of each side, or both empty), their readouts W_out (P, N) for the coupling.
CelltypeComparison compare_celltype_weights(const CelltypeSpec& spec, const std::vector<Matrix>& a,
                                            const std::vector<Matrix>& b, const std::vector<std::string>& names_a,
                                            const std::vector<std::string>& names_b,
                                            const std::vector<Matrix>& readouts_a = {},
                                            const std::vector<Matrix>& readouts_b = {});

// W of a finished run (run_dir/model.npz), checked against the spec: an (N, N) matrix with N =
// spec.total_units(), and summary.json's populations equal to the spec's. With `w_out`, also the
// run's readouts W_out, (P, N). Errors name the run.
StatusOr<Matrix> load_celltype_run_weights(const CelltypeSpec& spec, const std::string& run_dir,
                                           Matrix* w_out = nullptr);
// Loads every run of both lists and compares them. A run that does not fit the spec (another
// unit count or other populations) is an error naming it and the first run of A.
StatusOr<CelltypeComparison> compare_celltype_runs(const CelltypeSpec& spec, const std::vector<std::string>& runs_a,
                                                   const std::vector<std::string>& runs_b);

// ---- outputs (celltype_compare_outputs.cpp) ----------------------------------------------------

// compare.json: runs, every scale's blocks (every measure, per-run values, tests), highlights.
std::string celltype_comparison_json(const CelltypeSpec& spec, const CelltypeComparison& c);
// The text report: run counts, highlights, the area and layer tables, the population blocks with
// the largest |B − A| of mean |w| and those Holm-significant at 0.05.
std::string celltype_comparison_text(const CelltypeSpec& spec, const CelltypeComparison& c);
// Writes into `dir` (which must exist): compare.json; blocks_<scale>.csv (one row per block and
// measure); highlights.csv (one row per highlight and measure); runs.csv (per run and block,
// every measure; coupling empty without readouts); diff_abs_<scale>.svg, diff_signed_<scale>.svg
// and, with readouts, diff_coupling_<scale>.svg (B − A heat maps, diverging scale centred at 0); network.svg
// (areas × layers, edges = B − A of mean |w| between area·layer groups, node colour = within).
// Returns the files written.
StatusOr<std::vector<std::string>> write_celltype_comparison(const CelltypeSpec& spec, const CelltypeComparison& c,
                                                             const std::string& dir);

}  // namespace biornn
