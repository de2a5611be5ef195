// celltype_coupling.hpp — the readout coupling of a fitted cell-type model: how strongly one
// population drives another population's output, read from W and the frozen readouts.
//
// Definition, for a block (post population p, pre population q):
//   coupling(p, q) = Σ_{i ∈ p} r_i · Σ_{j ∈ q} w_ij,   r_i = W_out(p, i), unit i's readout weight.
// It is the first-order change of p's output (at tanh' = 1, i.e. around rest) when every unit of q
// raises its rate by 1. For a union of blocks it is the sum over them.
//
// Why beside mean |w| (celltype_compare.hpp): the readouts are frozen at U(±1/√n) (SPEC §7), so
// about half of each population's units lower its output when excited. Training moves w_ij along
// its gradient, which is proportional to r_i, so a fit makes q drive p's output harder by raising
// the weights onto positive-readout units and lowering those onto negative-readout ones: the
// projection's effect grows while its mean |w| barely moves. The coupling weighs each row by its
// readout and so follows the effect. On the synthetic teacher (readouts 1/n, the population mean)
// it is exactly the teacher's block gain: the mean row sum (celltype_synth.hpp).
//
// Like mean |w| it reads only the model's weights (no data, no reference fits), so it can be
// computed for fits of real recordings. Runs can be compared only when their readouts are the
// same (the same seed: `celltype fit` draws the readouts first from the run's seed), since the
// coupling's scale is set by them; `celltype recovery` pairs run k of A with run k of B.
//
// A run's readouts: load_celltype_run_weights(spec, dir, &w_out) (celltype_compare.hpp).
// Not here: the other block measures and their statistics (celltype_compare.hpp).
#pragma once

#include <vector>

#include "biornn/celltype.hpp"
#include "biornn/matrix.hpp"

namespace biornn {

// Σ over `blocks` of coupling(target, source). w: (N, N) rows post; w_out: (P, N); contract.
double celltype_union_coupling(const CelltypeSpec& spec, ConstMatrixView w, ConstMatrixView w_out,
                               const std::vector<CelltypeProjection>& blocks);

// coupling(p, q) for every pair, (P, P) row-major, rows = post. Sums in double.
std::vector<double> celltype_coupling_matrix(const CelltypeSpec& spec, ConstMatrixView w, ConstMatrixView w_out);

}  // namespace biornn
