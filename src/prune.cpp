// prune.cpp — top-prob, random and magnitude pruning of one block, and block-wise pruning to
// a population table (see prune.hpp; paper §3, App. 9; SPEC §4).
#include "biornn/prune.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace biornn {

const char* prune_method_name(PruneMethod method) {
  switch (method) {
    case PruneMethod::kTopProb: return "topprob";
    case PruneMethod::kRandom: return "random";
    case PruneMethod::kMagnitude: return "magnitude";
  }
  return "?";
}

bool parse_prune_method(const std::string& text, PruneMethod* out) {
  for (PruneMethod m : {PruneMethod::kTopProb, PruneMethod::kRandom, PruneMethod::kMagnitude}) {
    if (text == prune_method_name(m)) {
      *out = m;
      return true;
    }
  }
  return false;
}

namespace {

struct Eligibility {
  std::vector<int64_t> index;  // row-major indices of the eligible entries
  int64_t entries = 0;
  double adjusted_sparsity = 0;  // s′
  double expected_kept = 0;      // (1 − s′)(mn − z0)
};

Eligibility eligible_entries(ConstMatrixView w, double sparsity, const Mask* current) {
  BIORNN_CHECK(sparsity >= 0 && sparsity <= 1, "pruning: the sparsity must lie in [0, 1], got " + std::to_string(sparsity));
  BIORNN_CHECK(current == nullptr || (current->rows() == w.rows && current->cols() == w.cols),
               "pruning: the block is " + w.shape() + " but the mask is " + (current ? current->shape() : ""));
  Eligibility e;
  e.entries = int64_t(w.rows) * w.cols;
  for (int32_t i = 0; i < w.rows; ++i)
    for (int32_t j = 0; j < w.cols; ++j) {
      const real v = w(i, j);
      BIORNN_CHECK(!std::isnan(v), "pruning: the weights contain NaN at (" + std::to_string(i) + ", " + std::to_string(j) + ")");
      if (v != 0 && (current == nullptr || (*current)(i, j))) e.index.push_back(int64_t(i) * w.cols + j);
    }
  const double eligible = double(e.index.size());
  const double z0 = double(e.entries) - eligible;
  double s_adj = eligible > 0 ? (sparsity * double(e.entries) - z0) / eligible : 0.0;
  s_adj = std::min(1.0, std::max(0.0, s_adj));
  e.adjusted_sparsity = s_adj;
  e.expected_kept = (1 - s_adj) * eligible;
  return e;
}

double magnitude(ConstMatrixView w, int64_t flat) { return std::fabs(double(w(int32_t(flat / w.cols), int32_t(flat % w.cols)))); }

// Steps 3–4 of prune.hpp on the eligible entries: p = κ|w| summing to `total`, capped at 1
// with the excess shared among the entries below 1, until nothing exceeds 1.
std::vector<double> renormalised_probabilities(ConstMatrixView w, const std::vector<int64_t>& index, double total) {
  std::vector<double> p(index.size(), 0.0);
  if (index.empty() || total <= 0) return p;
  double l1 = 0;
  for (int64_t k : index) l1 += magnitude(w, k);
  const double kappa = total / l1;
  for (std::size_t k = 0; k < index.size(); ++k) p[k] = kappa * magnitude(w, index[k]);
  // Each pass caps at least one more entry at 1 (and capped entries stay capped), so at most
  // index.size() passes run.
  for (std::size_t pass = 0; pass <= index.size(); ++pass) {
    double excess = 0;
    std::size_t below = 0;
    for (double& v : p) {
      if (v > 1) {
        excess += v - 1;
        v = 1;
      }
      below += v < 1;
    }
    if (excess <= 0 || below == 0) break;
    const double share = excess / double(below);
    for (double& v : p)
      if (v < 1) v += share;
  }
  return p;
}

// Systematic sampling: entries whose cumulative-probability interval contains u + k for an
// integer k. With Σp = K (an integer) exactly K entries are chosen and entry i with
// probability p_i.
std::vector<int64_t> systematic_sample(const std::vector<int64_t>& index, const std::vector<double>& p, int64_t count, Rng& rng) {
  std::vector<int64_t> chosen;
  if (count <= 0) return chosen;
  double total = 0;
  for (double v : p) total += v;
  const double scale = double(count) / total;  // corrects the rounding of Σp to exactly K
  const double u = rng.uniform01();
  double cumulative = 0;
  int64_t next = 0;  // the next threshold is u + next
  for (std::size_t k = 0; k < index.size() && next < count; ++k) {
    cumulative = k + 1 == index.size() ? double(count) : cumulative + p[k] * scale;
    if (cumulative > u + double(next)) {
      chosen.push_back(index[k]);
      ++next;
    }
  }
  return chosen;
}

}  // namespace

std::vector<double> topprob_keep_probabilities(ConstMatrixView w, double sparsity, const Mask* current, double target_count) {
  const Eligibility e = eligible_entries(w, sparsity, current);
  const double total = target_count >= 0 ? target_count : e.expected_kept;
  const std::vector<double> p = renormalised_probabilities(w, e.index, total);
  std::vector<double> out(std::size_t(e.entries), 0.0);
  for (std::size_t k = 0; k < e.index.size(); ++k) out[std::size_t(e.index[k])] = p[k];
  return out;
}

Mask prune_block(PruneMethod method, ConstMatrixView w, double sparsity, Rng& rng, const Mask* current, bool exact,
                 PruneStats* stats) {
  const Eligibility e = eligible_entries(w, sparsity, current);
  const int64_t target = int64_t(std::llround(e.expected_kept));
  std::vector<int64_t> kept;
  switch (method) {
    case PruneMethod::kTopProb: {
      if (exact) {
        const std::vector<double> p = renormalised_probabilities(w, e.index, double(target));
        kept = systematic_sample(e.index, p, target, rng);
      } else {
        const std::vector<double> p = renormalised_probabilities(w, e.index, e.expected_kept);
        for (std::size_t k = 0; k < e.index.size(); ++k)
          if (rng.uniform01() < p[k]) kept.push_back(e.index[k]);
      }
      break;
    }
    case PruneMethod::kRandom: {
      if (exact) {
        std::vector<int64_t> pool = e.index;  // partial Fisher–Yates: the first `target` are a uniform choice
        for (int64_t k = 0; k < target; ++k) {
          const int64_t j = k + int64_t(rng.uniform_int(uint64_t(int64_t(pool.size()) - k)));
          std::swap(pool[std::size_t(k)], pool[std::size_t(j)]);
        }
        kept.assign(pool.begin(), pool.begin() + target);
      } else {
        const double q = 1 - e.adjusted_sparsity;
        for (int64_t k : e.index)
          if (rng.uniform01() < q) kept.push_back(k);
      }
      break;
    }
    case PruneMethod::kMagnitude: {
      std::vector<int64_t> order = e.index;
      std::stable_sort(order.begin(), order.end(),
                       [&w](int64_t a, int64_t b) { return magnitude(w, a) > magnitude(w, b); });
      kept.assign(order.begin(), order.begin() + std::min<int64_t>(target, int64_t(order.size())));
      break;
    }
  }
  Mask out(w.rows, w.cols);
  for (int64_t k : kept) out.data()[std::size_t(k)] = 1;
  if (stats != nullptr) {
    stats->entries = e.entries;
    stats->eligible = int64_t(e.index.size());
    stats->kept = int64_t(kept.size());
    stats->target_sparsity = sparsity;
    stats->adjusted_sparsity = e.adjusted_sparsity;
  }
  return out;
}

int32_t PopulationTable::total_units() const { return std::accumulate(sizes.begin(), sizes.end(), int32_t(0)); }

int32_t PopulationTable::offset(int32_t population) const {
  BIORNN_CHECK(population >= 0 && population < populations(), "PopulationTable::offset: no population " + std::to_string(population));
  return std::accumulate(sizes.begin(), sizes.begin() + population, int32_t(0));
}

Status check_population_table(const PopulationTable& t, int32_t rows, int32_t cols, const std::string& source) {
  const int32_t p = t.populations();
  if (p == 0) return invalid_argument(source + ": the table has no populations");
  if (int32_t(t.sizes.size()) != p)
    return invalid_argument(source + ": " + std::to_string(p) + " populations but " + std::to_string(t.sizes.size()) + " sizes");
  if (t.density.rows() != p || t.density.cols() != p)
    return invalid_argument(source + ": " + std::to_string(p) + " populations need a " + shape_string(p, p) +
                            " density table, got " + t.density.shape());
  int64_t sum = 0;
  for (int32_t k = 0; k < p; ++k) {
    if (t.sizes[std::size_t(k)] <= 0)
      return invalid_argument(source + ": population '" + t.names[std::size_t(k)] + "' has " +
                              std::to_string(t.sizes[std::size_t(k)]) + " units; every population needs at least 1");
    sum += t.sizes[std::size_t(k)];
  }
  if (rows != cols) return invalid_argument(source + ": block-wise pruning needs a square matrix, got " + shape_string(rows, cols));
  if (sum != rows)
    return invalid_argument(source + ": the populations add up to " + std::to_string(sum) + " units but the matrix is " +
                            shape_string(rows, cols));
  for (int32_t a = 0; a < p; ++a)
    for (int32_t b = 0; b < p; ++b) {
      const double d = t.density(a, b);
      if (!(d >= 0 && d <= 1))
        return invalid_argument(source + ": the density of block (" + t.names[std::size_t(a)] + " ← " + t.names[std::size_t(b)] +
                                ") must lie in [0, 1], found " + std::to_string(d));
    }
  return Status();
}

namespace {

Mask mask_block(const Mask& m, int32_t r0, int32_t c0, int32_t rows, int32_t cols) {
  Mask out(rows, cols);
  for (int32_t i = 0; i < rows; ++i)
    for (int32_t j = 0; j < cols; ++j) out.set(i, j, m(r0 + i, c0 + j));
  return out;
}

}  // namespace

Mask prune_blocks(PruneMethod method, ConstMatrixView w, const PopulationTable& table, uint64_t seed,
                  const Mask* current, bool exact, std::vector<BlockPruneReport>* report) {
  const Status valid = check_population_table(table, w.rows, w.cols, "prune_blocks");
  BIORNN_CHECK(valid.ok(), valid.message());
  const int32_t p = table.populations();
  Mask out(w.rows, w.cols);
  if (report != nullptr) report->clear();
  for (int32_t a = 0; a < p; ++a) {
    for (int32_t b = 0; b < p; ++b) {
      const int32_t r0 = table.offset(a), c0 = table.offset(b);
      const int32_t rows = table.sizes[std::size_t(a)], cols = table.sizes[std::size_t(b)];
      const double density = table.density(a, b);
      ConstMatrixView block = w.block(r0, c0, rows, cols);
      Mask allowed;
      if (current != nullptr) allowed = mask_block(*current, r0, c0, rows, cols);
      Rng rng(seed, uint64_t(a) * uint64_t(p) + uint64_t(b));
      PruneStats stats;
      const Mask kept = prune_block(method, block, 1 - density, rng, current ? &allowed : nullptr, exact, &stats);
      for (int32_t i = 0; i < rows; ++i)
        for (int32_t j = 0; j < cols; ++j)
          if (kept(i, j)) out.set(r0 + i, c0 + j, true);
      if (report != nullptr) report->push_back({a, b, density, stats});
    }
  }
  return out;
}

}  // namespace biornn
