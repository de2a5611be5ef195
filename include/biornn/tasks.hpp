// tasks.hpp — the three synthetic benchmark tasks of the paper (§2.3; sizes from SPEC §3).
//
//   flip-flop   1 input channel: a ±1 pulse with probability 0.05 per step, else 0. 1 output:
//               starts at 0; from the first pulse on it equals the sign of the latest pulse
//               (it switches on the pulse step itself). T = 50, 6000 train / 1000 test.
//               Loss: MSE of tanh(readout) against the target, over all steps.
//   wave        2 inputs, the E-wave and the I-wave; 2 outputs, each wave one step ahead.
//               E(t) = a·sin(s1·π·f·t) + (a/3)·sin(s2·π·f·t),
//               I(t) = (a/2)·sin(s3·π·f·t + φ) + (a/0.8)·sin(s4·π·f·t + φ),
//               t = 0, 0.2, … (step 0.2), f = 1/50, a = 1.5, s1..s4 ~ U{1..5}, φ = −kπ/6 with
//               k ~ U{4, 5, 6} — the intended form (the notebooks lost the second terms to a
//               line-continuation bug). Windows of 500 samples; the target window is the
//               input window shifted by one sample. 1000 train / 1000 test windows. Test windows
//               come from a held-out stretch: the same signal continued past the training
//               stretch (training windows from t ∈ [0, 500), test windows from t ∈ [500, 1000)).
//               The input mask gives E units only the E-wave channel and I units only the
//               I-wave (the notebooks' mask was a no-op; it can be switched off), and the
//               readout reads the E-wave from E units only and the I-wave from I units only.
//   seqmnist    28 steps of 28 pixels (one image row per step, pixel/255); the class is read
//               from the last step's logits; cross-entropy loss, accuracy on the whole test
//               set. Loaded from standard IDX files (tasks_mnist.cpp).
//
// Data layout: one row per sample, time-major within the row — x: (n, T·inputs) and
// y: (n, T·outputs), or labels for classification. gather_batch turns a list of sample
// indices into the time-major (T·B, ·) matrices the network consumes.
//
// Not here: the network (rnn.hpp), the training loop (train.hpp).
#pragma once

#include <string>
#include <vector>

#include "biornn/matrix.hpp"
#include "biornn/rng.hpp"
#include "biornn/status.hpp"

namespace biornn {

// kCelltype: the cortical model's one-step-ahead regression (paper eq. 6; data from
// celltype_data.hpp, fitted by celltype_fit.hpp): MSE of the readout against the next frame,
// mean over batch × time × scored populations (SequenceData::scored_outputs).
enum class TaskKind { kFlipFlop, kWave, kSeqMnist, kCelltype };

const char* task_name(TaskKind kind);
bool parse_task(const std::string& text, TaskKind* out);  // "flipflop", "wave", "seqmnist", "celltype"

struct SequenceData {
  int32_t steps = 0;
  int32_t inputs = 0;
  int32_t outputs = 0;       // regression outputs per step, or the number of classes
  Matrix x;                  // (n, steps·inputs); empty when the inputs are stored as bytes
  // Compact inputs (sequential MNIST): n·steps·inputs bytes, value = byte · x_byte_scale.
  // A quarter of the memory of `x` (60000 images: 47 MB instead of 188 MB).
  std::vector<uint8_t> x_bytes;
  real x_byte_scale = 1;
  Matrix y;                  // (n, steps·outputs) for regression tasks; empty otherwise
  std::vector<int32_t> labels;  // n class indices for classification tasks; empty otherwise
  // (1, outputs) of 0 / 1: which regression outputs the loss scores (the cell-type task's
  // observed populations); empty: every output. Only kCelltype reads it.
  Matrix scored_outputs;

  int32_t size() const {
    return x_bytes.empty() ? x.rows() : int32_t(int64_t(x_bytes.size()) / (int64_t(steps) * inputs));
  }
  bool classification() const { return !labels.empty(); }
};

struct TaskData {
  TaskKind kind = TaskKind::kFlipFlop;
  SequenceData train, test;
  std::string description;  // one line for logs and reports
};

struct FlipFlopOptions {
  int32_t steps = 50;
  int32_t train_samples = 6000;
  int32_t test_samples = 1000;
  double pulse_probability = 0.05;
};
TaskData make_flipflop(const FlipFlopOptions& options, Rng& data_rng);

struct WaveOptions {
  int32_t window = 500;
  int32_t train_windows = 1000;
  int32_t test_windows = 1000;
  double dt = 0.2;
  double frequency = 1.0 / 50;
  double amplitude = 1.5;
};
// The wave parameters actually drawn (recorded in run summaries).
struct WaveParameters {
  int s1 = 1, s2 = 1, s3 = 1, s4 = 1, k = 4;
  double phase() const;  // −k·π/6
};
TaskData make_wave(const WaveOptions& options, Rng& data_rng, WaveParameters* drawn = nullptr);
// E(t) and I(t) for the given parameters (exposed for tests and plots).
double wave_e(const WaveOptions& o, const WaveParameters& p, double t);
double wave_i(const WaveOptions& o, const WaveParameters& p, double t);

struct SeqMnistOptions {
  int32_t train_limit = 0;  // 0: all 60000; otherwise the first n (for quick runs and tests)
  int32_t test_limit = 0;   // 0: all 10000
};
// Reads train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz], t10k-images-idx3-ubyte[.gz]
// and t10k-labels-idx1-ubyte[.gz] from `dir`. Errors name the missing or bad file.
StatusOr<TaskData> load_seqmnist(const std::string& dir, const SeqMnistOptions& options);

// Copies samples order[first … first + count) into time-major batch matrices:
// x_batch (steps·count, inputs), y_batch (steps·count, outputs) for regression, labels for
// classification. Buffers are resized (no allocation once they have the capacity).
void gather_batch(const SequenceData& data, const std::vector<int32_t>& order, int32_t first,
                  int32_t count, Matrix& x_batch, Matrix& y_batch, std::vector<int32_t>& labels);

}  // namespace biornn
