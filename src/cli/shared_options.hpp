// shared_options.hpp — options that several commands read in the same way, read in one place
// so their ranges and messages cannot drift apart.
#pragma once

#include "biornn/rnn.hpp"
#include "biornn/status.hpp"
#include "cli/args.hpp"

namespace biornn::cli {

// --threads N (1 … 4096): when given, sets the kernel thread count for the rest of the
// command; otherwise BIORNN_THREADS or all cores stay in force.
Status apply_threads_option(const Args& a);

// --recurrent-init uniform|balanced: when given, sets *init; otherwise *init is left as it is.
Status read_recurrent_init_option(const Args& a, RecurrentInit* init);

}  // namespace biornn::cli
