// cmd_celltype.cpp — `biornn celltype <sub-command>`: the cell-type RNN of the paper's §4.
// This file only dispatches; each sub-command lives in its own cmd_celltype_*.cpp and adds one
// row to kSubcommands.
#include <cstdio>
#include <string>

#include "cli/commands.hpp"

namespace biornn::cli {

namespace {

struct Subcommand {
  const char* name;
  int (*run)(int, char**, int);
  const char* summary;
};

const Subcommand kSubcommands[] = {
    // One row per sub-command: {"name", function, "one-line summary"}.
    {"synth", cmd_celltype_synth, "synthetic ground truth: raw trial arrays + truth.json from planted teachers"},
    {"bootstrap", cmd_celltype_bootstrap, "raw trial arrays -> training data (2000 means of 100 trials, sigma 1)"},
    {"fit", cmd_celltype_fit, "fit one condition and window: dense, prune, fine-tune (--runs N)"},
    {"all", cmd_celltype_all, "fit every condition x window with progress and a summary table"},
    {"compare", cmd_celltype_compare, "B - A of two conditions' fitted connectivity, with across-run statistics"},
    {"recovery", cmd_celltype_recovery, "score fitted runs against the synthetic ground truth (truth.json)"},
    {"help", nullptr, "this list"},
};

void print_celltype_usage(std::FILE* out) {
  std::fprintf(out,
               "usage: biornn celltype <sub-command> [options]     (biornn celltype <sub-command> --help)\n\n"
               "The two-area, 18-population cortical model (paper §4): data, synthetic ground truth,\n"
               "fitting with block-wise pruning, and comparisons between conditions.\n\nsub-commands:\n");
  for (const Subcommand& s : kSubcommands)
    if (s.run != nullptr) std::fprintf(out, "  %-10s %s\n", s.name, s.summary);
}

}  // namespace

int cmd_celltype(int argc, char** argv, int first) {
  const std::string which = first < argc ? argv[first] : "";
  if (which.empty() || which == "--help" || which == "-h" || which == "help") {
    print_celltype_usage(which.empty() ? stderr : stdout);
    return which.empty() ? 2 : 0;
  }
  for (const Subcommand& s : kSubcommands)
    if (s.run != nullptr && which == s.name) return s.run(argc, argv, first + 1);
  std::fprintf(stderr, "biornn celltype: unknown sub-command '%s'\n\n", which.c_str());
  print_celltype_usage(stderr);
  return 2;
}

}  // namespace biornn::cli
