// cmd_celltype_data.cpp — `biornn celltype bootstrap` (raw trial arrays → training data, SPEC §7)
// and `biornn celltype synth` (the synthetic ground truth's raw trial arrays and truth.json).
//
// Both write a whole directory, and never leave half of one: the work goes into a sibling
// staging directory "<out>.partial-<pid>" that is renamed to <out> only when everything has
// been written (and removed on any failure). An existing <out> is replaced only with --force.
// Progress goes to stderr, one line per condition; the summary to stdout.
//
// Not here: the library work itself (celltype_data.hpp, celltype_synth.hpp).
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "biornn/celltype.hpp"
#include "biornn/celltype_data.hpp"
#include "biornn/celltype_synth.hpp"
#include "biornn/fileio.hpp"
#include "cli/args.hpp"
#include "cli/commands.hpp"

namespace biornn::cli {

namespace {

namespace fs = std::filesystem;

// A directory written under a temporary name and moved into place at the end.
class StagedDirectory {
 public:
  // Checks `out` (must not exist unless `force`) and picks the staging path.
  static StatusOr<StagedDirectory> begin(const std::string& out, bool force) {
    if (out.empty()) return invalid_argument("--out DIR must not be empty");
    std::error_code ec;
    if (fs::exists(out, ec)) {
      if (!fs::is_directory(out, ec)) return invalid_argument(out + " exists and is not a directory");
      if (!force) return invalid_argument(out + " already exists; pass --force to replace it");
    }
    StagedDirectory s;
    s.out_ = out;
    std::string base = out;
    while (base.size() > 1 && base.back() == '/') base.pop_back();
    s.staging_ = base + ".partial-" + std::to_string(long(::getpid()));
    fs::remove_all(s.staging_, ec);
    return s;
  }
  const std::string& path() const { return staging_; }
  // Replaces `out` by the staging directory (the old one, if any, is removed afterwards).
  Status commit() {
    std::error_code ec;
    const std::string old = staging_ + ".old";
    const bool replace = fs::exists(out_, ec);
    if (replace) {
      fs::rename(out_, old, ec);
      if (ec) return io_error("cannot move the old " + out_ + " aside: " + ec.message());
    }
    fs::rename(staging_, out_, ec);
    if (ec) return io_error("cannot rename " + staging_ + " to " + out_ + ": " + ec.message());
    if (replace) fs::remove_all(old, ec);
    committed_ = true;
    return Status();
  }
  void abandon() {
    std::error_code ec;
    if (!committed_) fs::remove_all(staging_, ec);
  }

 private:
  std::string out_, staging_;
  bool committed_ = false;
};

StatusOr<CelltypeSpec> spec_from(const Args& a) {
  return a.has("spec") ? load_celltype_spec(a.get("spec")) : default_celltype_spec();
}

std::vector<std::string> split_commas(const std::string& text) {
  std::vector<std::string> out;
  std::string item;
  for (char c : text + ",") {
    if (c != ',') {
      item += c;
    } else if (!item.empty()) {
      out.push_back(item);
      item.clear();
    }
  }
  return out;
}

// Parses and checks the command line; on an error prints it and returns false.
bool parse_or_fail(Args& a, int argc, char** argv, int first, const char* name, int* status) {
  const Status st = a.parse(argc, argv, first);
  if (!st.ok()) {
    *status = a.fail(st);
    return false;
  }
  if (a.help_requested()) {
    std::printf("%s", a.help_text().c_str());
    *status = 0;
    return false;
  }
  if (!a.positional().empty()) {
    std::fprintf(stderr, "%s: unexpected argument '%s'\n", name, a.positional()[0].c_str());
    *status = 2;
    return false;
  }
  return true;
}

// Runs `work` into a staged directory for `out` and moves it into place.
int run_staged(const char* name, const std::string& out, bool force,
               const std::function<StatusOr<std::vector<std::string>>(const std::string&)>& work) {
  StatusOr<StagedDirectory> staged = StagedDirectory::begin(out, force);
  if (!staged.ok()) return report_failure(name, staged.status());
  StatusOr<std::vector<std::string>> written = work(staged.value().path());
  Status st = written.ok() ? staged.value().commit() : written.status();
  if (!st.ok()) {
    staged.value().abandon();
    return report_failure(name, st);
  }
  std::printf("%s: wrote %zu files to %s\n", name, written.value().size(), out.c_str());
  return 0;
}

}  // namespace

int cmd_celltype_bootstrap(int argc, char** argv, int first) {
  const char* name = "biornn celltype bootstrap";
  Args a(name,
         "Turns raw trial arrays dff_<type>_<visp|visl>_<layer>_<condition>.npy, (trials, 16) each, into\n"
         "the training data `celltype fit` reads, as the authors' notebooks did (SPEC §7): per\n"
         "population and condition, --samples means of --rows trials drawn with replacement;\n"
         "input = frames 0..14, target = frames 1..15, each smoothed with a Gaussian of --sigma\n"
         "frames (reflected edges). Writes dff_<area>_<layer>_<type>_<condition>_<train|test>.npy,\n"
         "float64 (samples, 15), and bootstrap.json; with --heldout F a fraction F of every array's\n"
         "trials is bootstrapped on its own into OUT/heldout (the test set of `celltype fit`).",
         {{"trials", "DIR", "directory of raw trial arrays (required)", ""},
          {"out", "DIR", "output directory (required; replaced only with --force)", ""},
          {"samples", "N", "bootstrap samples per population and condition", "2000"},
          {"rows", "N", "trials averaged per sample (drawn with replacement)", "100"},
          {"sigma", "S", "Gaussian filter width in frames (0: no smoothing)", "1"},
          {"heldout", "F", "fraction of trials set aside for OUT/heldout, 0 <= F < 1", "0"},
          {"seed", "N", "random seed", "1"},
          {"spec", "FILE", "population spec (TOML; default: the paper's 18 populations)", ""},
          {"conditions", "LIST", "comma-separated conditions (default: the 6 familiar|novel x change|no_change|omission)",
           ""},
          {"force", "", "replace an existing output directory", ""}});
  int status = 0;
  if (!parse_or_fail(a, argc, argv, first, name, &status)) return status;
  for (const char* required : {"trials", "out"})
    if (!a.has(required)) return a.fail(invalid_argument(std::string("--") + required + " DIR is required"));
  BootstrapOptions o;
  int64_t samples = 0, rows = 0, seed = 0;
  Status st = a.get_int("samples", 1, 10000000, &samples);
  if (st.ok()) st = a.get_int("rows", 1, 10000000, &rows);
  if (st.ok()) st = a.get_int("seed", 0, INT64_MAX, &seed);
  if (st.ok()) st = a.get_double("sigma", &o.sigma);
  if (st.ok()) st = a.get_double("heldout", &o.heldout);
  if (!st.ok()) return a.fail(st);
  if (o.sigma < 0) return a.fail(invalid_argument("--sigma must be >= 0, got '" + a.get("sigma") + "'"));
  if (o.heldout < 0 || o.heldout >= 1)
    return a.fail(invalid_argument("--heldout must lie in [0, 1), got '" + a.get("heldout") + "'"));
  o.samples = int32_t(samples);
  o.rows_per_sample = int32_t(rows);
  o.seed = uint64_t(seed);
  const std::vector<std::string> conditions =
      a.has("conditions") ? split_commas(a.get("conditions")) : celltype_conditions();
  if (conditions.empty()) return a.fail(invalid_argument("--conditions lists no condition"));
  StatusOr<CelltypeSpec> spec = spec_from(a);
  if (!spec.ok()) return a.fail(spec.status());
  const std::string trials = a.get("trials");
  if (!directory_exists(trials)) return a.fail(not_found("--trials " + trials + ": no such directory"));
  return run_staged(name, a.get("out"), a.has("force"), [&](const std::string& dir) {
    return bootstrap_celltype(spec.value(), trials, conditions, dir, o, [name](const std::string& line) {
      std::fprintf(stderr, "%s: %s\n", name, line.c_str());
    });
  });
}

int cmd_celltype_synth(int argc, char** argv, int first) {
  const char* name = "biornn celltype synth";
  Args a(name,
         "Writes a synthetic ground truth: raw trial arrays dff_<type>_<visp|visl>_<layer>_<condition>.npy,\n"
         "float64 (trials, 16), for the 6 conditions (familiar|novel x change|no_change|omission),\n"
         "simulated from a teacher cell-type RNN per condition whose differences are planted and\n"
         "documented in OUT/truth.json: V1 L2/3 Pyr -> LM L4 xF for change, LM L5 Pyr -> V1 L5 xF for\n"
         "omission, L2/3 Sst -> Vip x1/F for novel (F = --planted-factor, 2 by default).\n"
         "For every comparison that should show a difference, truth.json also gives its size in the\n"
         "data (\"effect\", over the targets' trial means; the teacher is simulated again without the\n"
         "planted factors, same trials): the RMS of the planted part of B - A, of its frame-to-frame\n"
         "change, and of the frame-to-frame change of B - A with nothing planted. A fit predicts each\n"
         "frame from the previous one, so the changes are what the fitted weights must explain.\n"
         "Then: biornn celltype bootstrap --trials OUT ...\n"
         "With --control every condition has the same network (nothing planted; only the stimulus\n"
         "differs): `celltype recovery` on its fits counts false positives.",
         {{"out", "DIR", "output directory (required; replaced only with --force)", ""},
          {"trials", "N", "trials (rows) per population and condition", "200"},
          {"seed", "N", "random seed (teacher structure and trial noise)", "1"},
          {"noise-seed", "N", "seed of the trial noise alone: other trials from the same teacher (with --control,\n"
                              "a second independent null control)", "--seed"},
          {"spec", "FILE", "population spec (TOML; default: the paper's 18 populations)", ""},
          {"control", "", "a null control: the same teacher network in every condition", ""},
          {"later-area-drive", "X", "direct stimulus drive of later areas' layers other than L4 (LM's L2/3 and L5;\n"
                                     "their L4 hears the stimulus only through the first area)", "0.4"},
          {"later-area-ramp", "Y", "a slow drive of the same layers, not locked to the stimulus: rising linearly\n"
                                   "from 0 at frame 0 to Y at frame 15, the same in every condition", "0"},
          {"matched-feedback-source", "", "drive the feedback source (later areas' L5 Pyr) alike in every condition:\n"
                                          "its expectation pulse falls between the images (400-650 ms) in every trial,\n"
                                          "not at the omitted image, and the omission ramp spares it", ""},
          {"planted-factor", "F", "the planted factor (> 1): how much stronger the planted blocks are where\n"
                                  "planted; a larger F asks less of the recovery", "2"},
          {"force", "", "replace an existing output directory", ""}});
  int status = 0;
  if (!parse_or_fail(a, argc, argv, first, name, &status)) return status;
  if (!a.has("out")) return a.fail(invalid_argument("--out DIR is required"));
  CelltypeSynthOptions o;
  int64_t trials = 0, seed = 0;
  Status st = a.get_int("trials", 1, 1000000, &trials);
  if (st.ok()) st = a.get_int("seed", 0, INT64_MAX, &seed);
  int64_t noise_seed = 0;
  if (st.ok() && a.has("noise-seed")) st = a.get_int("noise-seed", 0, INT64_MAX, &noise_seed);
  if (!st.ok()) return a.fail(st);
  o.trials = int32_t(trials);
  o.seed = uint64_t(seed);
  if (a.has("noise-seed")) o.noise_seed = uint64_t(noise_seed);
  o.control = a.has("control");
  o.matched_feedback_source = a.has("matched-feedback-source");
  if (a.has("later-area-drive")) st = a.get_nonnegative("later-area-drive", &o.later_area_drive);
  if (st.ok() && a.has("later-area-ramp")) st = a.get_nonnegative("later-area-ramp", &o.later_area_ramp);
  if (st.ok() && a.has("planted-factor")) st = a.get_double("planted-factor", &o.planted_factor);
  if (st.ok() && !(o.planted_factor > 1))  // get_double refuses NaN and infinities
    st = invalid_argument("--planted-factor: expected a number > 1 (the expected signs assume it), got " +
                          a.get("planted-factor"));
  if (!st.ok()) return a.fail(st);
  StatusOr<CelltypeSpec> spec = spec_from(a);
  if (!spec.ok()) return a.fail(spec.status());
  return run_staged(name, a.get("out"), a.has("force"), [&](const std::string& dir) {
    return synth_celltype(spec.value(), dir, o, [name](const std::string& line) {
      std::fprintf(stderr, "%s: %s\n", name, line.c_str());
    });
  });
}

}  // namespace biornn::cli
