// prune.hpp — top-prob pruning and its baselines (paper §3, App. 9; SPEC §4).
//
// Top-prob pruning keeps each weight with probability proportional to its magnitude. For one
// block W (m × n) and target sparsity s ∈ [0, 1]:
//   1. Eligible entries: nonzero and allowed by the current mask. z0 = m·n − #eligible.
//   2. Adjusted sparsity (App. 9.3) s′ = (s·mn − z0)/(mn − z0), clamped to [0, 1]: the block's
//      existing zeros count towards the target. (If z0 ≥ s·mn nothing more is pruned.)
//   3. κ = (1 − s′)(mn − z0) / Σ|w| over eligible entries; p = κ|w|. With z0 = 0 this is the
//      paper's κ = (1 − s)mn / ‖W‖₁ — eq. 5 prints the L1 norm squared, a typo (App. 9.1 and the
//      authors' code use the plain norm). Using (mn − z0) makes the expected number kept exactly
//      (1 − s)·mn; the notebooks used mn, which overshoots when zeros exist.
//   4. Renormalisation (App. 9.2, Algorithm 3): while r = Σ max(p − 1, 0) > 0, cap those p at 1
//      and share r equally among the eligible entries with p < 1. Only eligible entries take
//      part (the notebooks also gave zero weights a share — we do not).
//   5. Keep each eligible entry independently with probability p: one uniform draw per entry,
//      in row-major order, from the caller's Rng.
// exact mode: the target count is K = round((1 − s′)(mn − z0)), probabilities are computed for
// that total, and exactly K entries are drawn without replacement by systematic sampling (one
// uniform start, then every unit step along the cumulative probabilities), which keeps every
// entry's inclusion probability equal to its p — so the realised sparsity is exact.
//
// Baselines: `random` keeps every eligible entry with the same probability 1 − s′ (exact mode:
// exactly K chosen uniformly); `magnitude` keeps the K largest |w| (ties broken by row-major
// index, lower first) — deterministic, no Rng.
//
// Block-wise pruning: a PopulationTable partitions rows and columns into populations and gives
// every (post, pre) block its own target density (1 − s); blocks with density 0 are removed
// entirely. Each block draws from its own Rng stream Rng(seed, block index), so a block's mask
// does not depend on the blocks before it.
//
// Pruners take the weights by const reference and return a new Mask; nothing is mutated.
//
// Not here: fine-tuning with the mask fixed (SignedRnn::make_sparse + the optimiser's mask),
// the spanning-tree analysis (graph.hpp), reading population tables from files (population.hpp).
#pragma once

#include <string>
#include <vector>

#include "biornn/mask.hpp"
#include "biornn/matrix.hpp"
#include "biornn/rng.hpp"
#include "biornn/status.hpp"

namespace biornn {

enum class PruneMethod { kTopProb, kRandom, kMagnitude };

const char* prune_method_name(PruneMethod method);
bool parse_prune_method(const std::string& text, PruneMethod* out);  // "topprob", "random", "magnitude"

// The keep probability of every entry of a block (row-major, m·n values, 0 for ineligible
// entries), after steps 1–4 above. `current` may be null (every entry allowed). When
// `target_count` ≥ 0 it replaces (1 − s′)(mn − z0) as the total (exact mode).
std::vector<double> topprob_keep_probabilities(ConstMatrixView w, double sparsity, const Mask* current = nullptr,
                                               double target_count = -1);

struct PruneStats {
  int64_t entries = 0;        // m·n
  int64_t eligible = 0;       // nonzero and allowed before pruning
  int64_t kept = 0;           // allowed after pruning
  double target_sparsity = 0;
  double adjusted_sparsity = 0;  // s′
  double realised_sparsity() const { return entries == 0 ? 0.0 : 1.0 - double(kept) / double(entries); }
};

// One block. sparsity ∈ [0, 1] (contract: the CLI validates user input first).
Mask prune_block(PruneMethod method, ConstMatrixView w, double sparsity, Rng& rng, const Mask* current = nullptr,
                 bool exact = false, PruneStats* stats = nullptr);

// Convenience names for the whole-matrix case.
inline Mask prune_topprob(ConstMatrixView w, double sparsity, Rng& rng, const Mask* current = nullptr,
                          bool exact = false, PruneStats* stats = nullptr) {
  return prune_block(PruneMethod::kTopProb, w, sparsity, rng, current, exact, stats);
}
inline Mask prune_random(ConstMatrixView w, double sparsity, Rng& rng, const Mask* current = nullptr,
                         bool exact = false, PruneStats* stats = nullptr) {
  return prune_block(PruneMethod::kRandom, w, sparsity, rng, current, exact, stats);
}
inline Mask prune_magnitude(ConstMatrixView w, double sparsity, const Mask* current = nullptr,
                            PruneStats* stats = nullptr) {
  Rng unused(0);
  return prune_block(PruneMethod::kMagnitude, w, sparsity, unused, current, true, stats);
}

// Populations along the rows (post) and columns (pre) of a square matrix, in order, and a
// target density per (post population, pre population) block.
struct PopulationTable {
  std::vector<std::string> names;
  std::vector<int32_t> sizes;   // units per population; the sum is the matrix side
  Matrix density;               // (P, P): rows = post (target), cols = pre (source), in [0, 1]

  int32_t populations() const { return int32_t(names.size()); }
  int32_t total_units() const;
  int32_t offset(int32_t population) const;  // first unit of a population
};

struct BlockPruneReport {
  int32_t post = 0, pre = 0;  // population indices
  double target_density = 0;
  PruneStats stats;
};

// Prunes every block of `w` to its table density (sparsity = 1 − density) with `method`;
// blocks with density 0 lose every entry. Block (a, b) draws from Rng(seed, a·P + b).
// Contract: the table's sizes add up to w's side (check with check_population_table first).
Mask prune_blocks(PruneMethod method, ConstMatrixView w, const PopulationTable& table, uint64_t seed,
                  const Mask* current = nullptr, bool exact = false, std::vector<BlockPruneReport>* report = nullptr);

// User-data validation of a table against a matrix: sizes positive and adding up to the
// side, densities in [0, 1] and finite, a square density matrix with one row per population.
Status check_population_table(const PopulationTable& table, int32_t rows, int32_t cols, const std::string& source);

}  // namespace biornn
