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
//   * optionally (`initial_drive`, not in the paper) one more input channel, P, heard by every
//     unit: celltype_with_initial_channel sets it to 1 at step 0 and 0 after, so its column of
//     W_in is a learned drive into the first step. The paper's network starts every trial from
//     rest (h₋₁ = 0) with no biases, so its first prediction can use only frame 0 through one
//     input weight per unit; recordings start mid-activity, and this drive lets the fit carry
//     the state a trial starts in (on the synthetic ground truth the first two steps' errors
//     are otherwise 10²–10³ × the later steps'). It feeds no recurrent weight, so W — what the
//     comparisons read — keeps the paper's meaning.
//   * optionally (`recurrent_init` balanced, not in the paper) W's inhibitory columns scaled
//     by n_E/n_I at initialisation (rnn.hpp). SPEC §1's init makes each row of the default
//     model's W sum to about +11 (1152 E against 288 I columns), so the dense phase starts
//     strongly excitatory; balanced starts every row near 0.
// Initialisation order from the init Rng: SignedRnn's own (W, W_in, …), then the readout.
//
// Not here: the spec (celltype.hpp), data (celltype_data.hpp), the fitting pipeline
// (celltype_fit.hpp).
#pragma once

#include <memory>

#include "biornn/celltype.hpp"
#include "biornn/rnn.hpp"
#include "biornn/tasks.hpp"

namespace biornn {

struct CelltypeModelOptions {
  bool input_mask = true;
  bool initial_drive = false;  // inputs = P + 1, the last the first-step channel
  RecurrentInit recurrent_init = RecurrentInit::kUniform;  // balanced needs E and I populations
};

std::unique_ptr<SignedRnn> make_celltype_model(const CelltypeSpec& spec, Rng& init_rng,
                                               const CelltypeModelOptions& options = {});

// `set` with the first-step channel appended to its inputs (inputs + 1 columns per step: 1 at
// step 0, 0 after); targets, labels and scored outputs unchanged.
SequenceData celltype_with_initial_channel(const SequenceData& set);

// Heat-map annotations for a unit-ordered matrix: population boundaries and area labels.
std::vector<int32_t> celltype_unit_boundaries(const CelltypeSpec& spec);

}  // namespace biornn
