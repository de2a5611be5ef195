// celltype_fit_analysis.cpp — the pruning mask of a cell-type fit and what is measured on a
// fitted model: block densities, weights where none may be, block means, predictions, R²
// (see celltype_fit.hpp).
#include <algorithm>
#include <cmath>
#include <numeric>

#include "biornn/celltype_fit.hpp"
#include "biornn/train.hpp"

namespace biornn {

const char* inter_areal_mask_name(InterArealMask m) {
  switch (m) {
    case InterArealMask::kTopProb: return "topprob";
    case InterArealMask::kRandom: return "random";
  }
  return "?";
}

bool parse_inter_areal_mask(const std::string& text, InterArealMask* out) {
  for (InterArealMask m : {InterArealMask::kTopProb, InterArealMask::kRandom}) {
    if (text == inter_areal_mask_name(m)) {
      *out = m;
      return true;
    }
  }
  return false;
}

namespace {

// Tops up blocks whose trained weights have fewer nonzeros than the table asks for. Pruning
// only keeps nonzero weights, and Dale's projection sets many weights to exactly 0 during
// dense training, so such a block would end sparser than the table. The shortfall is drawn
// uniformly from the block's zero entries — connections that exist with weight 0 and may grow
// during fine-tuning: exactly round(density · entries) − kept of them in exact mode, otherwise
// each zero entry with the probability that makes the expected count the table's.
void fill_to_density(const PopulationTable& table, ConstMatrixView w, bool exact, uint64_t seed, Mask* keep) {
  const int32_t p = table.populations();
  for (int32_t a = 0; a < p; ++a) {
    for (int32_t b = 0; b < p; ++b) {
      const double density = table.density(a, b);
      if (density <= 0) continue;
      const int32_t r0 = table.offset(a), c0 = table.offset(b);
      const int32_t rows = table.sizes[std::size_t(a)], cols = table.sizes[std::size_t(b)];
      const double entries = double(rows) * cols;
      std::vector<std::pair<int32_t, int32_t>> free;  // zero weights not kept, row-major
      int64_t kept = 0;
      for (int32_t i = r0; i < r0 + rows; ++i) {
        for (int32_t j = c0; j < c0 + cols; ++j) {
          kept += (*keep)(i, j);
          if (!(*keep)(i, j) && w(i, j) == 0) free.emplace_back(i, j);
        }
      }
      const double target = exact ? double(std::llround(density * entries)) : density * entries;
      if (double(kept) >= target || free.empty()) continue;
      Rng rng(seed, uint64_t(a) * uint64_t(p) + uint64_t(b));
      if (exact) {
        // The first `need` entries of a partial Fisher–Yates shuffle: a uniform subset.
        const std::size_t need = std::min(free.size(), std::size_t(target - double(kept)));
        for (std::size_t k = 0; k < need; ++k) {
          std::swap(free[k], free[k + std::size_t(rng.uniform_int(free.size() - k))]);
          keep->set(free[k].first, free[k].second, true);
        }
      } else {
        const double q = std::min(1.0, (target - double(kept)) / double(free.size()));
        for (const auto& f : free)
          if (rng.bernoulli(q)) keep->set(f.first, f.second, true);
      }
    }
  }
}

}  // namespace

Mask celltype_prune_mask(const CelltypeSpec& spec, ConstMatrixView w, InterArealMask inter_areal, bool exact,
                         uint64_t seed) {
  const PopulationTable table = spec.block_table();
  BIORNN_CHECK(w.rows == table.total_units() && w.cols == table.total_units(),
               "celltype_prune_mask: W " + shape_string(w.rows, w.cols) + " does not fit the spec's " +
                   std::to_string(table.total_units()) + " units");
  Mask keep;
  if (inter_areal == InterArealMask::kTopProb) {
    keep = prune_blocks(PruneMethod::kTopProb, w, table, seed, nullptr, exact);
  } else {
    // Intra-areal blocks top-prob, inter-areal projections random: two tables that split the
    // blocks between them (density 0 removes a block), then the union of the two masks.
    PopulationTable intra = table, inter = table;
    for (int32_t a = 0; a < table.populations(); ++a)
      for (int32_t b = 0; b < table.populations(); ++b) (spec.inter_areal(a, b) ? intra : inter).density(a, b) = 0;
    keep = prune_blocks(PruneMethod::kTopProb, w, intra, seed, nullptr, exact);
    const Mask random = prune_blocks(PruneMethod::kRandom, w, inter, Rng::derive_seed(seed, 1), nullptr, exact);
    for (int64_t k = 0; k < int64_t(keep.rows()) * keep.cols(); ++k) keep.data()[k] |= random.data()[k];
  }
  fill_to_density(table, w, exact, Rng::derive_seed(seed, 2), &keep);
  return keep;
}

std::vector<CelltypeBlockDensity> celltype_block_densities(const CelltypeSpec& spec, const Mask& mask) {
  const PopulationTable table = spec.block_table();
  BIORNN_CHECK(mask.rows() == table.total_units() && mask.cols() == table.total_units(),
               "celltype_block_densities: mask " + mask.shape() + " does not fit the spec");
  std::vector<CelltypeBlockDensity> out;
  for (int32_t a = 0; a < table.populations(); ++a) {
    for (int32_t b = 0; b < table.populations(); ++b) {
      CelltypeBlockDensity d;
      d.post = a;
      d.pre = b;
      d.target = table.density(a, b);
      d.entries = int64_t(table.sizes[std::size_t(a)]) * table.sizes[std::size_t(b)];
      for (int32_t i = table.offset(a); i < table.offset(a) + table.sizes[std::size_t(a)]; ++i)
        for (int32_t j = table.offset(b); j < table.offset(b) + table.sizes[std::size_t(b)]; ++j) d.kept += mask(i, j);
      d.realised = double(d.kept) / double(d.entries);
      out.push_back(d);
    }
  }
  return out;
}

int64_t celltype_inter_areal_outside(const CelltypeSpec& spec, ConstMatrixView w) {
  const PopulationTable table = spec.block_table();
  int64_t count = 0;
  for (int32_t a = 0; a < table.populations(); ++a) {
    for (int32_t b = 0; b < table.populations(); ++b) {
      if (!spec.inter_areal(a, b) || table.density(a, b) > 0) continue;
      for (int32_t i = table.offset(a); i < table.offset(a) + table.sizes[std::size_t(a)]; ++i)
        for (int32_t j = table.offset(b); j < table.offset(b) + table.sizes[std::size_t(b)]; ++j) count += w(i, j) != 0;
    }
  }
  return count;
}

Matrix celltype_population_means(const CelltypeSpec& spec, ConstMatrixView w) {
  const int32_t p = spec.populations();
  BIORNN_CHECK(w.rows == spec.total_units() && w.cols == spec.total_units(),
               "celltype_population_means: W " + shape_string(w.rows, w.cols) + " does not fit the spec");
  Matrix means(p, p);
  for (int32_t a = 0; a < p; ++a) {
    for (int32_t b = 0; b < p; ++b) {
      double sum = 0;
      const int32_t ra = spec.population_offset(a), rb = spec.population_offset(b);
      for (int32_t i = ra; i < ra + spec.population_size(a); ++i)
        for (int32_t j = rb; j < rb + spec.population_size(b); ++j) sum += double(w(i, j));
      means(a, b) = real(sum / (double(spec.population_size(a)) * spec.population_size(b)));
    }
  }
  return means;
}

Matrix celltype_predict(SignedRnn& model, const SequenceData& set, int32_t batch) {
  BIORNN_CHECK(batch >= 1, "celltype_predict: the batch size must be >= 1");
  const int32_t n = set.size(), steps = set.steps, outputs = model.spec().outputs;
  Matrix out(n, steps * outputs);
  std::vector<int32_t> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  Tape tape;
  Matrix x, y;
  std::vector<int32_t> labels;
  for (int32_t first = 0; first < n; first += batch) {
    const int32_t count = std::min(batch, n - first);
    gather_batch(set, order, first, count, x, y, labels);
    tape.clear();
    const Matrix& pred = model.record_readout(tape, model.record_hidden(tape, x, steps)).value();
    for (int32_t t = 0; t < steps; ++t)
      for (int32_t b = 0; b < count; ++b)
        for (int32_t j = 0; j < outputs; ++j) out(first + b, t * outputs + j) = pred(t * count + b, j);
  }
  return out;
}

std::vector<double> celltype_explained_variance(const SequenceData& set, const Matrix& prediction,
                                                int32_t first_step) {
  BIORNN_CHECK(prediction.rows() == set.y.rows() && prediction.cols() == set.y.cols(),
               "celltype_explained_variance: prediction " + prediction.shape() + " vs targets " + set.y.shape());
  BIORNN_CHECK(first_step >= 0, "celltype_explained_variance: first_step " + std::to_string(first_step) + " < 0");
  const int32_t outputs = set.outputs, steps = set.steps;
  std::vector<double> r2(static_cast<std::size_t>(outputs), std::nan(""));
  if (first_step >= steps || set.y.rows() == 0) return r2;
  for (int32_t j = 0; j < outputs; ++j) {
    double mean = 0;
    for (int32_t s = 0; s < set.y.rows(); ++s)
      for (int32_t t = first_step; t < steps; ++t) mean += double(set.y(s, t * outputs + j));
    mean /= double(set.y.rows()) * (steps - first_step);
    double residual = 0, total = 0;
    for (int32_t s = 0; s < set.y.rows(); ++s) {
      for (int32_t t = first_step; t < steps; ++t) {
        const double target = double(set.y(s, t * outputs + j));
        const double error = double(prediction(s, t * outputs + j)) - target;
        residual += error * error;
        total += (target - mean) * (target - mean);
      }
    }
    if (total > 0) r2[std::size_t(j)] = 1 - residual / total;
  }
  return r2;
}

}  // namespace biornn
