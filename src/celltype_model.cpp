// celltype_model.cpp — building the cell-type RNN from a spec (see celltype_model.hpp).
#include "biornn/celltype_model.hpp"

#include <cmath>

namespace biornn {

std::unique_ptr<SignedRnn> make_celltype_model(const CelltypeSpec& spec, Rng& init_rng, const CelltypeModelOptions& o) {
  const int32_t p = spec.populations(), n = spec.total_units();
  RnnSpec r;
  r.inputs = p;
  r.outputs = p;
  r.hidden = n;
  r.column_signs = spec.unit_signs();
  r.rule = LearningRule::kDale;
  r.activation = Activation::kTanh;
  r.readout_from = ReadoutFrom::kActivation;
  r.recurrent_biases = false;
  r.readout_bias = true;
  std::unique_ptr<SignedRnn> model(new SignedRnn(r, init_rng));
  Mask in(n, p), out(p, n);
  for (int32_t q = 0; q < p; ++q) {
    const int32_t first = spec.population_offset(q), size = spec.population_size(q);
    const double bound = 1.0 / std::sqrt(double(size));
    for (int32_t i = first; i < first + size; ++i) {
      in.set(i, q, true);
      out.set(q, i, true);
    }
    // Readout q: weights from its own units, U(±1/√fan_in); every other weight is masked.
    for (int32_t j = 0; j < n; ++j)
      model->w_out.value(q, j) = j >= first && j < first + size ? real(init_rng.uniform(-bound, bound)) : real(0);
    model->b_out.value(0, q) = real(init_rng.uniform(-bound, bound));
  }
  if (o.input_mask) model->set_input_mask(in);
  model->set_readout_mask(out);
  model->freeze_readout(true);
  return model;
}

std::vector<int32_t> celltype_unit_boundaries(const CelltypeSpec& spec) {
  std::vector<int32_t> b;
  for (int32_t q = 1; q < spec.populations(); ++q) b.push_back(spec.population_offset(q));
  return b;
}

}  // namespace biornn
