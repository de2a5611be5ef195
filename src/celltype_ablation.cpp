// celltype_ablation.cpp — a fitted cell-type model rebuilt from its arrays, with blocks of W
// removed, and the change of its predictions (see celltype_ablation.hpp).
#include "biornn/celltype_ablation.hpp"

#include <algorithm>

#include "biornn/celltype_model.hpp"
#include "biornn/npz.hpp"
#include "biornn/rng.hpp"

namespace biornn {

StatusOr<std::unique_ptr<SignedRnn>> celltype_model_from_arrays(const CelltypeSpec& spec, const NpzArrays& arrays,
                                                                const std::string& name,
                                                                const std::vector<CelltypeProjection>& removed) {
  const int32_t p = spec.populations(), n = spec.total_units();
  StatusOr<Matrix> w_in = npz_matrix(arrays, name, "W_in", n, -1);
  if (!w_in.ok()) return w_in.status();
  if (w_in.value().cols() != p && w_in.value().cols() != p + 1)
    return invalid_argument(name + ": W_in is " + w_in.value().shape() + "; the spec's " + std::to_string(p) +
                            " populations need " + std::to_string(p) + " columns, or " + std::to_string(p + 1) +
                            " with the first-step channel");
  StatusOr<Matrix> w = npz_matrix(arrays, name, "W", n, n);
  if (!w.ok()) return w.status();
  StatusOr<Matrix> w_out = npz_matrix(arrays, name, "W_out", p, n);
  if (!w_out.ok()) return w_out.status();
  StatusOr<Matrix> b_out = npz_matrix(arrays, name, "b_out", 1, p);
  if (!b_out.ok()) return b_out.status();
  const auto mask_array = arrays.find("mask");
  if (mask_array == arrays.end()) return not_found(name + ": no array 'mask' (the recurrent pattern)");
  StatusOr<Mask> mask = npy_to_mask(mask_array->second, name + ": mask");
  if (!mask.ok()) return mask.status();
  if (mask.value().rows() != n || mask.value().cols() != n)
    return invalid_argument(name + ": mask is " + mask.value().shape() + ", the spec needs " + shape_string(n, n));

  CelltypeModelOptions o;
  o.initial_drive = w_in.value().cols() == p + 1;
  o.input_mask = arrays.count("input_mask") > 0;
  Rng unused(0);  // every parameter the forward pass reads is overwritten below
  std::unique_ptr<SignedRnn> model = make_celltype_model(spec, unused, o);
  model->w_in.value = w_in.value();
  model->w_out.value = w_out.value();
  model->b_out.value = b_out.value();
  Matrix& wv = w.value();
  for (const CelltypeProjection& b : removed) {
    BIORNN_CHECK(b.source >= 0 && b.source < p && b.target >= 0 && b.target < p,
                 "celltype_model_from_arrays: a removed block names population " + std::to_string(b.source) + " -> " +
                     std::to_string(b.target) + ", the spec has " + std::to_string(p));
    const int32_t r0 = spec.population_offset(b.target), c0 = spec.population_offset(b.source);
    for (int32_t i = r0; i < r0 + spec.population_size(b.target); ++i)
      for (int32_t j = c0; j < c0 + spec.population_size(b.source); ++j) wv(i, j) = 0;
  }
  model->w.value = std::move(wv);
  // A pruned run trained (and is scored) in CSR on its mask; a dense one has an all-true mask.
  if (mask.value().count() < int64_t(n) * n) model->make_sparse(mask.value());
  return model;
}

bool celltype_model_has_initial_drive(const CelltypeSpec& spec, const SignedRnn& model) {
  return model.spec().inputs == spec.populations() + 1;
}

double celltype_prediction_change(const Matrix& base, const Matrix& ablated, int32_t steps, int32_t populations,
                                  const std::vector<int32_t>& targets, int32_t first_step) {
  BIORNN_CHECK(base.rows() == ablated.rows() && base.cols() == ablated.cols() && base.cols() == steps * populations,
               "celltype_prediction_change: predictions " + base.shape() + " and " + ablated.shape() + " for " +
                   std::to_string(steps) + " steps of " + std::to_string(populations) + " populations");
  double sum = 0;
  int64_t count = 0;
  for (int32_t s = 0; s < base.rows(); ++s)
    for (int32_t t = std::max(first_step, 0); t < steps; ++t)
      for (int32_t q : targets) {
        BIORNN_CHECK(q >= 0 && q < populations, "celltype_prediction_change: target " + std::to_string(q) +
                                                    " outside " + std::to_string(populations) + " populations");
        const double d = double(ablated(s, t * populations + q)) - double(base(s, t * populations + q));
        sum += d * d;
        ++count;
      }
  return count > 0 ? sum / double(count) : 0.0;
}

std::vector<int32_t> celltype_block_targets(const CelltypeSpec& spec, const std::vector<CelltypeProjection>& blocks) {
  std::vector<int32_t> out;
  for (const CelltypeProjection& b : blocks)
    if (spec.observed[std::size_t(b.target)] && std::find(out.begin(), out.end(), b.target) == out.end())
      out.push_back(b.target);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace biornn
