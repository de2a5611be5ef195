// main.cpp — the `biornn` program: finds the sub-command and runs it.
//
// Kernel choice comes from the environment (BIORNN_GEMM, BIORNN_MATH, BIORNN_THREADS) and is
// validated here, before any command runs, so a typo is an error rather than a silent fallback.
#include <cstdio>
#include <cstring>
#include <string>

#include "biornn/config.hpp"
#include "biornn/kernels.hpp"
#include "cli/commands.hpp"

namespace {

struct Command {
  const char* name;
  int (*run)(int, char**, int);
  const char* summary;
};

const Command kCommands[] = {
    {"train", biornn::cli::cmd_train, "train one network on one task with one learning rule"},
    {"prune", biornn::cli::cmd_prune, "prune a trained run's recurrent matrix (top-prob, random, magnitude)"},
    {"finetune", biornn::cli::cmd_finetune, "fine-tune a pruned run with its mask fixed"},
    {"reproduce", biornn::cli::cmd_reproduce, "reproduce the paper's figures (fig2, fig3)"},
    {"mst", biornn::cli::cmd_mst, "maximum spanning tree of a weight matrix (.npy) and its overlap"},
    {"stats", biornn::cli::cmd_stats, "statistics: hypergeom (the random-pruning MST baseline)"},
    {"celltype", biornn::cli::cmd_celltype, "the two-area cortical model: data, synth, fit, compare"},
    {"sweep", biornn::cli::cmd_sweep, "job list (one celltype fit per line) for GNU parallel or a Slurm array"},
    {"aggregate", biornn::cli::cmd_aggregate, "merge finished celltype runs into one summary (CSV + JSON)"},
    {"infer", biornn::cli::cmd_infer, "a trained network's outputs for one input sequence (tape or model.npz)"},
    {"verify", biornn::cli::cmd_verify, "check the paper's theorems numerically (table or --json)"},
    {"info", biornn::cli::cmd_info, "print version, kernels, threads and build options"},
    {"bench", biornn::cli::cmd_bench, "benchmarks (bench gemm, bench train) with machine-readable output"},
};

void print_usage(std::FILE* out) {
  std::fprintf(out,
               "biornn %s — biologically constrained recurrent networks\n\n"
               "usage: biornn <command> [options]     biornn <command> --help\n\ncommands:\n",
               biornn::kVersion);
  for (const Command& c : kCommands) std::fprintf(out, "  %-10s %s\n", c.name, c.summary);
  std::fprintf(out,
               "\nenvironment: BIORNN_GEMM=ref|packed_scalar|packed_avx2  "
               "BIORNN_MATH=libm|portable|avx2  BIORNN_THREADS=n\n");
}

}  // namespace

int main(int argc, char** argv) {
  biornn::reexec_with_passive_openmp_wait(argv);  // see kernels.hpp
  if (argc < 2) {
    print_usage(stderr);
    return 2;
  }
  const std::string name = argv[1];
  if (name == "--help" || name == "-h" || name == "help") {
    print_usage(stdout);
    return 0;
  }
  if (name == "--version") {
    std::printf("biornn %s\n", biornn::kVersion);
    return 0;
  }
  const biornn::Status status = biornn::configure_kernels_from_environment();
  if (!status.ok()) {
    std::fprintf(stderr, "biornn: %s\n", status.message().c_str());
    return 2;
  }
  for (const Command& c : kCommands) {
    if (name == c.name) return c.run(argc, argv, 2);
  }
  std::fprintf(stderr, "biornn: unknown command '%s'\n\n", name.c_str());
  print_usage(stderr);
  return 2;
}
