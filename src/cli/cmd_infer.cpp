// cmd_infer.cpp — `biornn infer`: a trained network's outputs for one input sequence.
//
// Two ways to compute them, so each can be checked against the other:
//   --run DIR      the library's own forward pass: the run's checkpoint is reopened (the exact
//                  trained model, not model.npz) and the sequence recorded on a tape — the
//                  fused recurrent op and the readout, with tanh on top for flip-flop
//                  (task_output_activation), as training and evaluation compute them;
//   --model FILE   the embedding path: InferenceModel (inference.hpp) loads a model.npz and
//                  steps it one input at a time — what infer.h gives a C program.
// Inputs: a .npy of shape (T, inputs), or a text file with one step per line (numbers separated
// by spaces or commas; '#' starts a comment). Outputs: (T, outputs) as .npy when --out ends in
// .npy, else text, one step per line, each number printed with the digits that read back to the
// same bits (%.9g for float, %.17g for double) — so comparing two outputs as text compares them
// bit for bit (tests/cli/test_embed.sh does, against examples/16_embed_flipflop.c).
//
// Not here: batches of sequences (the tape does that), training.
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "biornn/fileio.hpp"
#include "biornn/inference.hpp"
#include "biornn/npy.hpp"
#include "biornn/run.hpp"
#include "cli/args.hpp"
#include "cli/commands.hpp"

namespace biornn::cli {

namespace {

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// (T, inputs) from a text file: one line per step, every line `inputs` numbers.
StatusOr<Matrix> parse_text_inputs(const std::string& path, const std::string& text, int32_t inputs) {
  std::vector<real> values;
  int32_t rows = 0, line_no = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    const std::size_t hash = line.find('#');
    if (hash != std::string::npos) line.resize(hash);
    for (char& c : line) c = c == ',' || c == '\t' || c == '\r' ? ' ' : c;
    int32_t count = 0;
    const char* p = line.c_str();
    while (true) {
      while (*p == ' ') ++p;
      if (*p == '\0') break;
      char* stop = nullptr;
      errno = 0;
      const double v = std::strtod(p, &stop);
      if (stop == p || (*stop != ' ' && *stop != '\0'))
        return invalid_argument(path + " line " + std::to_string(line_no) + ": '" + std::string(p).substr(0, 20) +
                                "' is not a number");
      values.push_back(real(v));
      ++count;
      p = stop;
    }
    if (count == 0) continue;
    if (count != inputs)
      return invalid_argument(path + " line " + std::to_string(line_no) + ": " + std::to_string(count) +
                              " numbers, but the model has " + std::to_string(inputs) + " inputs per step");
    ++rows;
  }
  if (rows == 0) return invalid_argument(path + ": no input steps (one line of " + std::to_string(inputs) + " numbers per step)");
  Matrix x(rows, inputs);
  for (int64_t k = 0; k < x.size(); ++k) x.data()[k] = values[std::size_t(k)];
  return x;
}

StatusOr<Matrix> load_inputs(const std::string& path, int32_t inputs) {
  if (ends_with(path, ".npy")) {
    StatusOr<NpyArray> a = load_npy(path);
    if (!a.ok()) return a.status();
    if (a.value().shape.size() != 2 || a.value().shape[1] != inputs)
      return invalid_argument(path + ": expected shape (T, " + std::to_string(inputs) + "), found " + a.value().shape_string());
    return npy_to_matrix(a.value(), path);
  }
  StatusOr<std::vector<uint8_t>> bytes = read_file(path);
  if (!bytes.ok()) return bytes.status();
  return parse_text_inputs(path, std::string(bytes.value().begin(), bytes.value().end()), inputs);
}

Status write_outputs(const std::string& path, const Matrix& y) {
  if (ends_with(path, ".npy")) return save_npy(path, npy_from_matrix(y));
  std::string text;
  char number[40];
  for (int32_t t = 0; t < y.rows(); ++t) {
    for (int32_t j = 0; j < y.cols(); ++j) {
      std::snprintf(number, sizeof number, sizeof(real) == 4 ? "%.9g" : "%.17g", double(y(t, j)));
      text += (j > 0 ? " " : "") + std::string(number);
    }
    text += "\n";
  }
  if (path.empty() || path == "-") {
    std::fputs(text.c_str(), stdout);
    return Status();
  }
  return write_file_atomic(path, text);
}

// The tape's forward pass on the run's own model: x is one sequence, (T, inputs).
StatusOr<Matrix> forward_run(const std::string& dir, const std::string& inputs_path) {
  StatusOr<std::unique_ptr<TrainingRun>> run = TrainingRun::resume(dir);
  if (!run.ok()) return run.status();
  SignedRnn model = run.value()->model();
  StatusOr<Matrix> x = load_inputs(inputs_path, model.spec().inputs);
  if (!x.ok()) return x.status();
  Tape tape;
  Var y = model.record_readout(tape, model.record_hidden(tape, x.value(), x.value().rows()));
  if (task_output_activation(run.value()->config().task) == Activation::kTanh) y = tanh(y);
  return y.value();
}

// The embedding path: one step at a time.
StatusOr<Matrix> forward_model(const std::string& path, const std::string& inputs_path) {
  StatusOr<InferenceModel> loaded = InferenceModel::load(path);
  if (!loaded.ok()) return loaded.status();
  InferenceModel& model = loaded.value();
  StatusOr<Matrix> x = load_inputs(inputs_path, model.inputs());
  if (!x.ok()) return x.status();
  Matrix y(x.value().rows(), model.outputs());
  model.reset();
  for (int32_t t = 0; t < y.rows(); ++t) model.step(x.value().row(t), y.row(t));
  return y;
}

}  // namespace

int cmd_infer(int argc, char** argv, int first) {
  Args args("biornn infer",
            "Runs a trained network on one input sequence and prints (or writes) its outputs, one "
            "step per line. --run DIR uses the library's forward pass on the run's checkpoint; "
            "--model FILE steps a model.npz one input at a time as an embedding program does "
            "(include/biornn/infer.h). Both give the same bits with the same kernels.",
            {{"run", "DIR", "a run directory (biornn train / prune / finetune)", ""},
             {"model", "FILE", "a model.npz", ""},
             {"inputs", "FILE", "(T, inputs) as .npy, or text: one step per line (required)", ""},
             {"out", "FILE", "write .npy (by extension) or text there instead of stdout", ""}});
  const Status parsed = args.parse(argc, argv, first);
  if (!parsed.ok()) return args.fail(parsed);
  if (args.help_requested()) {
    std::printf("%s", args.help_text().c_str());
    return 0;
  }
  if (!args.positional().empty()) return args.fail(invalid_argument("unexpected argument '" + args.positional()[0] + "'"));
  if (args.has("run") == args.has("model")) return args.fail(invalid_argument("give exactly one of --run DIR and --model FILE"));
  if (!args.has("inputs")) return args.fail(invalid_argument("--inputs FILE is required"));
  StatusOr<Matrix> y = args.has("run") ? forward_run(args.get("run"), args.get("inputs"))
                                       : forward_model(args.get("model"), args.get("inputs"));
  if (!y.ok()) return args.fail(y.status());
  const Status written = write_outputs(args.has("out") ? args.get("out") : "", y.value());
  return written.ok() ? 0 : args.fail(written);
}

}  // namespace biornn::cli
