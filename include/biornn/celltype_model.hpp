// celltype_model.hpp — the cell-type RNN built from a population spec (paper §4.2, SPEC §7).
//
// A SignedRnn with one unit per neuron of the spec (1440 for the default), in unit order
// area → layer → type, and:
//   * Dale signs per population (Pyr +, Sst and Vip −), the Dale rule (projection after every
//     step, h = max(a, 0)), tanh, no biases (an unbiased Elman RNN), readout from a_t;
//   * one input channel per population, and an input mask that gives each population's units
//     only its own channel (the published notebooks' mask was a no-op `mul`; here it is applied
//     unless `input_mask` is false);
//   * one output per population: a linear map from that population's own units only (a block
//     readout mask), weight and bias drawn U(±1/√fan_in) with fan_in = the population's size,
//     and frozen from initialisation to the end (never registered with the optimiser).
// Initialisation order from the init Rng: SignedRnn's own (W, W_in, …), then the readout.
//
// Not here: the spec (celltype.hpp), data (celltype_data.hpp), the fitting pipeline
// (celltype_fit.hpp).
#pragma once

#include <memory>

#include "biornn/celltype.hpp"
#include "biornn/rnn.hpp"

namespace biornn {

struct CelltypeModelOptions {
  bool input_mask = true;
};

std::unique_ptr<SignedRnn> make_celltype_model(const CelltypeSpec& spec, Rng& init_rng,
                                               const CelltypeModelOptions& options = {});

// Heat-map annotations for a unit-ordered matrix: population boundaries and area labels.
std::vector<int32_t> celltype_unit_boundaries(const CelltypeSpec& spec);

}  // namespace biornn
