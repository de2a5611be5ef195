// tape_internal.hpp — the link between the tape's bookkeeping (tape.cpp) and the per-op
// formulas (tape_ops.cpp). Not a public header.
#pragma once

#include "biornn/tape.hpp"

namespace biornn::tape_detail {

// Adds node `n`'s contribution to the gradients of its inputs (the single backward switch).
void backward_node(Tape& tape, Tape::Node& n);

}  // namespace biornn::tape_detail

namespace biornn {

// The fused recurrent op's backward (src/rnn_op.cpp, next to its forward).
void backward_recurrent(Tape& tape, Tape::Node& n);

}  // namespace biornn::tape_detail
