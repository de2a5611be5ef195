// celltype_model.cpp — building the cell-type RNN from a spec (see celltype_model.hpp).
#include "biornn/celltype_model.hpp"

#include <cmath>

namespace biornn {

std::unique_ptr<SignedRnn> make_celltype_model(const CelltypeSpec& spec, Rng& init_rng, const CelltypeModelOptions& o) {
  const int32_t p = spec.populations(), n = spec.total_units();
  RnnSpec r;
  r.inputs = o.initial_drive ? p + 1 : p;
  r.outputs = p;
  r.hidden = n;
  r.column_signs = spec.unit_signs();
  r.rule = LearningRule::kDale;
  r.activation = Activation::kTanh;
  r.readout_from = ReadoutFrom::kActivation;
  r.recurrent_biases = false;
  r.readout_bias = true;
  r.recurrent_init = o.recurrent_init;
  std::unique_ptr<SignedRnn> model(new SignedRnn(r, init_rng));
  Mask in(n, r.inputs), out(p, n);
  if (o.initial_drive)
    for (int32_t i = 0; i < n; ++i) in.set(i, p, true);  // every unit hears the first-step channel
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

SequenceData celltype_with_initial_channel(const SequenceData& set) {
  BIORNN_CHECK(set.x.rows() == set.size() && set.x.cols() == set.steps * set.inputs,
               "celltype_with_initial_channel: the inputs must be stored as a matrix (n, steps·inputs), got " +
                   set.x.shape());
  SequenceData out = set;
  const int32_t in = set.inputs, wide = in + 1;
  out.inputs = wide;
  out.x = Matrix(set.size(), set.steps * wide);
  for (int32_t s = 0; s < set.size(); ++s)
    for (int32_t t = 0; t < set.steps; ++t) {
      for (int32_t j = 0; j < in; ++j) out.x(s, t * wide + j) = set.x(s, t * in + j);
      out.x(s, t * wide + in) = t == 0 ? real(1) : real(0);
    }
  return out;
}

std::vector<int32_t> celltype_unit_boundaries(const CelltypeSpec& spec) {
  std::vector<int32_t> b;
  for (int32_t q = 1; q < spec.populations(); ++q) b.push_back(spec.population_offset(q));
  return b;
}

}  // namespace biornn
