// celltype_ablation.hpp — what a fitted cell-type model's predictions owe to blocks of its
// recurrent matrix: the model of a finished run rebuilt from its model.npz, run on test data with
// and without chosen (post, pre) population blocks of W.
//
// Why: the comparisons of the paper (celltype_compare.hpp) read mean |w| per block. A fit can
// carry a condition difference in weights whose size says little about their use (a block whose
// presynaptic population is nearly silent contributes nothing, however large its weights), so
// `celltype recovery --ablation` also scores the planted blocks by their effect: the mean
// squared change of the one-step predictions when the blocks are set to zero. That is a second
// measure beside the paper's, not a replacement. Its limit, measured (README, null control):
// the change depends on each condition's test data as well as on the weights, so two conditions
// fitted to one teacher network can differ in it as much as a planted factor of 2 does.
//
// The rebuilt model is the one `celltype fit` trained (celltype_model.hpp): the spec's units and
// signs, its W_in (with the first-step channel when W_in has P + 1 columns), W, the frozen
// readouts W_out and b_out from the file, and W in CSR on the file's mask when the run was pruned
// (mask sparser than dense). Its predictions equal the fit's bit for bit (tested against the R²
// the fit wrote). Removed blocks are zeroed before W moves to CSR, so the pattern, and with it
// the order of every sum, stays the same: only the removed terms differ.
//
// Not here: fitting (celltype_fit.hpp), the recovery report (celltype_recovery.hpp).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "biornn/celltype.hpp"
#include "biornn/npz.hpp"
#include "biornn/rnn.hpp"
#include "biornn/status.hpp"
#include "biornn/tasks.hpp"

namespace biornn {

// The fitted model held in `arrays` (a run's model.npz; `name` for messages), with every weight
// of the `removed` blocks of W set to 0. Errors name the array and what was expected: a missing
// array, a shape that does not fit the spec (W_in must have P or P + 1 columns), a malformed mask.
StatusOr<std::unique_ptr<SignedRnn>> celltype_model_from_arrays(const CelltypeSpec& spec, const NpzArrays& arrays,
                                                                const std::string& name,
                                                                const std::vector<CelltypeProjection>& removed = {});

// True when the model takes the first-step channel (W_in has P + 1 columns): its inputs need
// celltype_with_initial_channel.
bool celltype_model_has_initial_drive(const CelltypeSpec& spec, const SignedRnn& model);

// Mean of (ablated − base)² over the samples, the steps first_step..steps−1 and the populations
// in `targets`; both predictions as celltype_predict returns them, (samples, steps·P).
// 0 when no step or target is left.
double celltype_prediction_change(const Matrix& base, const Matrix& ablated, int32_t steps, int32_t populations,
                                  const std::vector<int32_t>& targets, int32_t first_step);

// The distinct post populations of `blocks`, the observed ones only, in increasing order.
std::vector<int32_t> celltype_block_targets(const CelltypeSpec& spec, const std::vector<CelltypeProjection>& blocks);

}  // namespace biornn
