// cmd_reproduce.cpp — `biornn reproduce fig2`: the paper's figures as commands. Each figure
// is a library function (fig2.hpp, …); this file only reads the flags and reports progress.
#include <cstdio>

#include "biornn/fig2.hpp"
#include "biornn/fig3.hpp"
#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "cli/shared_options.hpp"

namespace biornn::cli {

namespace {

// Parses "flipflop,wave" into tasks; false (with a message) for an unknown name.
bool parse_task_list(const std::string& text, const char* command, std::vector<TaskKind>* out) {
  out->clear();
  std::string list = text + ",";
  for (std::size_t start = 0, comma; (comma = list.find(',', start)) != std::string::npos; start = comma + 1) {
    const std::string name = list.substr(start, comma - start);
    if (name.empty()) continue;
    TaskKind t;
    if (!parse_task(name, &t)) {
      std::fprintf(stderr, "%s: --tasks: unknown task '%s' (expected flipflop, wave, seqmnist)\n", command, name.c_str());
      return false;
    }
    out->push_back(t);
  }
  return true;
}

int reproduce_fig2_command(int argc, char** argv, int first) {
  Args a("biornn reproduce fig2",
         "Fig. 2: conventional, Dale's and rectified backprop on flip-flop, wave reconstruction and\n"
         "sequential MNIST, several runs each; writes table.md/csv (final metrics, mean ± sd), kl.csv\n"
         "(KL of trained weight distributions vs conventional), fig2.json and the SVG panels. Each run\n"
         "is a full run directory under OUT/<task>/<rule>/seed<k>; finished runs are reused and\n"
         "interrupted ones resumed, so the command can be stopped and restarted. A run whose\n"
         "config.toml differs from the one asked for (say, another --recurrent-init) is refused, and\n"
         "every run directory is checked before the first run starts.",
         {{"runs", "N", "runs per task and rule", "5"},
          {"quick", "", "tiny runs (about a minute in all): checks the pipeline, not the paper's numbers", ""},
          {"data", "DIR", "MNIST IDX directory for sequential MNIST (skipped when absent)", ""},
          {"out", "DIR", "output directory", "runs/fig2 (runs/fig2-quick with --quick)"},
          {"tasks", "LIST", "comma-separated subset of flipflop,wave,seqmnist", "all"},
          {"recurrent-init", "NAME", "uniform (SPEC, the paper's figure) | balanced (ours; see biornn train --help)",
           "uniform"},
          {"threads", "N", "threads per run (runs are trained one after another)", "all cores, or BIORNN_THREADS"}});
  Status st = a.parse(argc, argv, first);
  if (!st.ok()) return a.fail(st);
  if (a.help_requested()) {
    std::printf("%s", a.help_text().c_str());
    return 0;
  }
  Fig2Options o;
  st = read_recurrent_init_option(a, &o.recurrent_init);
  if (!st.ok()) return a.fail(st);
  o.quick = a.has("quick");
  int64_t runs = o.quick ? 2 : 5;
  if (a.has("runs")) {
    st = a.get_int("runs", 1, 1000, &runs);
    if (!st.ok()) return a.fail(st);
  }
  o.runs = int32_t(runs);
  st = apply_threads_option(a);
  if (!st.ok()) return a.fail(st);
  o.mnist_dir = a.get("data");
  o.out_dir = a.has("out") ? a.get("out") : (o.quick ? "runs/fig2-quick" : "runs/fig2");
  if (a.has("tasks") && !parse_task_list(a.get("tasks"), "biornn reproduce fig2", &o.tasks)) return 2;
  StatusOr<Fig2Result> r = reproduce_fig2(o, [](const std::string& line) { std::fprintf(stderr, "  %s\n", line.c_str()); });
  if (!r.ok()) return a.fail(r.status());
  for (const std::string& note : r.value().notes) std::printf("note: %s\n", note.c_str());
  std::printf("Fig. 2 written to %s (table.md, kl.csv, fig2.json, fig2_*.svg)\n", o.out_dir.c_str());
  return 0;
}

int reproduce_fig3_command(int argc, char** argv, int first) {
  const char* name = "biornn reproduce fig3";
  Args a(name,
         "Fig. 3: (A) weights kept by top-prob vs random at 90 % sparsity; (B) MST overlap vs sparsity\n"
         "with the App. 10.1 bound and the App. 10.2 expectation, on random U(0,1) matrices (N = 10, 50,\n"
         "100) and on trained Dale matrices; (C) error before fine-tuning at 15 connection probabilities,\n"
         "per-level Mann-Whitney p and Holm-corrected p; (D) fine-tuning curves at 90 % sparsity.\n"
         "Uses (or trains) Fig. 2's Dale runs in --fig2; finished runs are reused, but only if their\n"
         "config.toml is the one asked for (fine-tuning runs: pruned from those Dale runs); all are\n"
         "checked before any panel is computed.",
         {{"runs", "N", "runs (trained networks / random matrices) per setting", "5"},
          {"quick", "", "tiny runs (about a minute): checks the pipeline, not the paper's numbers", ""},
          {"data", "DIR", "MNIST IDX directory for sequential MNIST (left out when absent)", ""},
          {"fig2", "DIR", "where Fig. 2's runs are (or will be trained)", "runs/fig2 (runs/fig2-quick with --quick)"},
          {"out", "DIR", "output directory", "runs/fig3 (runs/fig3-quick with --quick)"},
          {"tasks", "LIST", "comma-separated subset of flipflop,wave,seqmnist", "all"},
          {"mst-draws", "N", "(B) prunings per matrix and sparsity level (2 with --quick)", "20"},
          {"seed", "N", "seed of the pruning draws and random matrices", "1"},
          {"recurrent-init", "NAME", "init of the Dale networks trained here: uniform (SPEC) | balanced", "uniform"},
          {"threads", "N", "threads per run (runs are trained one after another)", "all cores, or BIORNN_THREADS"}});
  Status st = a.parse(argc, argv, first);
  if (!st.ok()) return a.fail(st);
  if (a.help_requested()) {
    std::printf("%s", a.help_text().c_str());
    return 0;
  }
  Fig3Options o;
  st = read_recurrent_init_option(a, &o.recurrent_init);
  if (!st.ok()) return a.fail(st);
  o.quick = a.has("quick");
  int64_t runs = o.quick ? 2 : 5, seed = 1, draws = o.quick ? 2 : 20;
  if (a.has("runs")) st = a.get_int("runs", 1, 1000, &runs);
  if (st.ok() && a.has("mst-draws")) st = a.get_int("mst-draws", 1, 1000, &draws);
  if (st.ok()) st = a.get_int("seed", 0, INT64_MAX, &seed);
  if (st.ok()) st = apply_threads_option(a);
  if (!st.ok()) return a.fail(st);
  o.runs = int32_t(runs);
  o.mst_draws = int32_t(draws);
  o.seed = uint64_t(seed);
  o.mnist_dir = a.get("data");
  o.fig2_dir = a.has("fig2") ? a.get("fig2") : (o.quick ? "runs/fig2-quick" : "runs/fig2");
  o.out_dir = a.has("out") ? a.get("out") : (o.quick ? "runs/fig3-quick" : "runs/fig3");
  if (a.has("tasks") && !parse_task_list(a.get("tasks"), name, &o.tasks)) return 2;
  StatusOr<Fig3Result> r = reproduce_fig3(o, [](const std::string& line) { std::fprintf(stderr, "  %s\n", line.c_str()); });
  if (!r.ok()) return a.fail(r.status());
  for (const std::string& note : r.value().notes) std::printf("note: %s\n", note.c_str());
  std::printf("Fig. 3 written to %s (fig3.json, fig3_*.csv, fig3A-D *.svg)\n", o.out_dir.c_str());
  return 0;
}

}  // namespace

int cmd_reproduce(int argc, char** argv, int first) {
  const std::string which = first < argc ? argv[first] : "";
  if (which == "fig2") return reproduce_fig2_command(argc, argv, first + 1);
  if (which == "fig3") return reproduce_fig3_command(argc, argv, first + 1);
  if (which.empty() || which == "--help" || which == "-h") {
    std::printf("usage: biornn reproduce fig2|fig3 [options]     (biornn reproduce fig2 --help)\n\n"
                "Reproduces the paper's figures: fig2 (Dale's backprop vs conventional and rectified),\n"
                "fig3 (top-prob pruning: kept weights, MST overlap, error before and after fine-tuning).\n");
    return which.empty() ? 2 : 0;
  }
  std::fprintf(stderr, "biornn reproduce: unknown figure '%s' (available: fig2, fig3)\n", which.c_str());
  return 2;
}

}  // namespace biornn::cli
