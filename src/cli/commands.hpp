// commands.hpp — one entry point per sub-command; each lives in its own src/cli/cmd_*.cpp.
//
// Every command receives the whole argv and the index of its first own argument, prints its
// own --help, and returns the process exit status: 0 success, 1 the work failed, 2 bad usage
// or bad input.
#pragma once

#include <vector>

#include "biornn/celltype_summary.hpp"

namespace biornn::cli {

int cmd_info(int argc, char** argv, int first);
int cmd_bench(int argc, char** argv, int first);
int cmd_train(int argc, char** argv, int first);
int cmd_reproduce(int argc, char** argv, int first);
int cmd_prune(int argc, char** argv, int first);
int cmd_stats(int argc, char** argv, int first);
int cmd_finetune(int argc, char** argv, int first);
int cmd_mst(int argc, char** argv, int first);
int cmd_verify(int argc, char** argv, int first);
int cmd_infer(int argc, char** argv, int first);
int cmd_celltype(int argc, char** argv, int first);
// `biornn celltype synth` and `biornn celltype bootstrap` (cmd_celltype_data.cpp).
int cmd_celltype_synth(int argc, char** argv, int first);
int cmd_celltype_bootstrap(int argc, char** argv, int first);
// `biornn celltype fit` and `biornn celltype all`, dispatched from cmd_celltype.
int cmd_celltype_fit(int argc, char** argv, int first);
int cmd_celltype_all(int argc, char** argv, int first);
// `biornn celltype compare` and `biornn celltype recovery` (cmd_celltype_compare.cpp).
int cmd_celltype_compare(int argc, char** argv, int first);
int cmd_celltype_recovery(int argc, char** argv, int first);
// After a table of cell-type runs: one "note:" line per run that lags its condition and window
// (celltype_lagging_runs) (cmd_celltype_fit.cpp).
void print_lagging_runs(const std::vector<CelltypeRunRecord>& rows);
// `biornn sweep` and `biornn aggregate` (cmd_sweep.cpp).
int cmd_sweep(int argc, char** argv, int first);
int cmd_aggregate(int argc, char** argv, int first);
// `biornn bench train`, dispatched from cmd_bench.
int bench_train_command(int argc, char** argv, int first);
// `biornn bench celltype`, dispatched from cmd_bench.
int bench_celltype_command(int argc, char** argv, int first);

}  // namespace biornn::cli
