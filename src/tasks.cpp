// tasks.cpp — flip-flop and wave generators, and batch assembly (see tasks.hpp, SPEC §3).
#include "biornn/tasks.hpp"

#include <cmath>
#include <cstring>

namespace biornn {

namespace {
constexpr double kPi = 3.14159265358979323846;
}  // namespace

const char* task_name(TaskKind kind) {
  switch (kind) {
    case TaskKind::kFlipFlop: return "flipflop";
    case TaskKind::kWave: return "wave";
    case TaskKind::kSeqMnist: return "seqmnist";
    case TaskKind::kCelltype: return "celltype";
  }
  return "?";
}

bool parse_task(const std::string& text, TaskKind* out) {
  for (TaskKind k : {TaskKind::kFlipFlop, TaskKind::kWave, TaskKind::kSeqMnist, TaskKind::kCelltype}) {
    if (text == task_name(k)) {
      *out = k;
      return true;
    }
  }
  return false;
}

namespace {

SequenceData flipflop_samples(const FlipFlopOptions& o, int32_t n, Rng& rng) {
  SequenceData d;
  d.steps = o.steps;
  d.inputs = 1;
  d.outputs = 1;
  d.x = Matrix(n, o.steps);
  d.y = Matrix(n, o.steps);
  for (int32_t s = 0; s < n; ++s) {
    real state = 0;
    for (int32_t t = 0; t < o.steps; ++t) {
      real pulse = 0;
      if (rng.uniform01() < o.pulse_probability) pulse = rng.bernoulli(0.5) ? real(1) : real(-1);
      if (pulse != 0) state = pulse;  // the output switches on the pulse step itself
      d.x(s, t) = pulse;
      d.y(s, t) = state;
    }
  }
  return d;
}

}  // namespace

TaskData make_flipflop(const FlipFlopOptions& o, Rng& data_rng) {
  BIORNN_CHECK(o.steps >= 1 && o.train_samples >= 1 && o.test_samples >= 1,
               "make_flipflop: steps and sample counts must be >= 1");
  TaskData task;
  task.kind = TaskKind::kFlipFlop;
  task.train = flipflop_samples(o, o.train_samples, data_rng);
  task.test = flipflop_samples(o, o.test_samples, data_rng);
  task.description = "flip-flop: 1 bit, T = " + std::to_string(o.steps) + ", pulse probability " +
                     std::to_string(o.pulse_probability) + ", " + std::to_string(o.train_samples) +
                     " train / " + std::to_string(o.test_samples) + " test sequences";
  return task;
}

double WaveParameters::phase() const { return -k * kPi / 6.0; }

double wave_e(const WaveOptions& o, const WaveParameters& p, double t) {
  const double w = kPi * o.frequency * t;
  return o.amplitude * std::sin(p.s1 * w) + (o.amplitude / 3) * std::sin(p.s2 * w);
}

double wave_i(const WaveOptions& o, const WaveParameters& p, double t) {
  const double w = kPi * o.frequency * t;
  return (o.amplitude / 2) * std::sin(p.s3 * w + p.phase()) +
         (o.amplitude / 0.8) * std::sin(p.s4 * w + p.phase());
}

namespace {

// `count` windows whose first sample index is drawn uniformly from [first_start, last_start].
SequenceData wave_windows(const WaveOptions& o, const WaveParameters& p, int32_t count,
                          int64_t first_start, int64_t last_start, Rng& rng) {
  SequenceData d;
  d.steps = o.window;
  d.inputs = 2;
  d.outputs = 2;
  d.x = Matrix(count, o.window * 2);
  d.y = Matrix(count, o.window * 2);
  for (int32_t s = 0; s < count; ++s) {
    const int64_t start = rng.uniform_int_range(first_start, last_start);
    for (int32_t t = 0; t < o.window; ++t) {
      const double now = double(start + t) * o.dt, next = double(start + t + 1) * o.dt;
      d.x(s, 2 * t) = real(wave_e(o, p, now));
      d.x(s, 2 * t + 1) = real(wave_i(o, p, now));
      d.y(s, 2 * t) = real(wave_e(o, p, next));
      d.y(s, 2 * t + 1) = real(wave_i(o, p, next));
    }
  }
  return d;
}

}  // namespace

TaskData make_wave(const WaveOptions& o, Rng& data_rng, WaveParameters* drawn) {
  BIORNN_CHECK(o.window >= 1 && o.train_windows >= 1 && o.test_windows >= 1 && o.dt > 0,
               "make_wave: window, window counts and dt must be positive");
  WaveParameters p;
  p.s1 = int(data_rng.uniform_int_range(1, 5));
  p.s2 = int(data_rng.uniform_int_range(1, 5));
  p.s3 = int(data_rng.uniform_int_range(1, 5));
  p.s4 = int(data_rng.uniform_int_range(1, 5));
  p.k = int(data_rng.uniform_int_range(4, 6));
  if (drawn != nullptr) *drawn = p;
  // The training stretch is t ∈ [0, 500): 2500 samples; a window and its one-step-ahead
  // target need window + 1 consecutive samples. The test stretch is t ∈ [500, 1000).
  const int64_t stretch = int64_t(std::llround(500.0 / o.dt));
  const int64_t last_start = stretch - (o.window + 1);
  BIORNN_CHECK(last_start >= 0, "make_wave: a window of " + std::to_string(o.window) +
                                    " samples does not fit in the 500-time-unit stretch");
  TaskData task;
  task.kind = TaskKind::kWave;
  task.train = wave_windows(o, p, o.train_windows, 0, last_start, data_rng);
  task.test = wave_windows(o, p, o.test_windows, stretch, stretch + last_start, data_rng);
  task.description = "wave: s = (" + std::to_string(p.s1) + ", " + std::to_string(p.s2) + ", " +
                     std::to_string(p.s3) + ", " + std::to_string(p.s4) + "), phase −" +
                     std::to_string(p.k) + "π/6, windows of " + std::to_string(o.window) +
                     "; test windows from the held-out stretch t ∈ [500, 1000)";
  return task;
}

void gather_batch(const SequenceData& data, const std::vector<int32_t>& order, int32_t first,
                  int32_t count, Matrix& x_batch, Matrix& y_batch, std::vector<int32_t>& labels) {
  BIORNN_CHECK(first >= 0 && count >= 0 && first + count <= int32_t(order.size()),
               "gather_batch: samples [" + std::to_string(first) + ", " +
                   std::to_string(first + count) + ") exceed the order of " +
                   std::to_string(order.size()));
  const int32_t steps = data.steps;
  x_batch.resize(steps * count, data.inputs);
  const int64_t per_sample = int64_t(steps) * data.inputs;
  for (int32_t b = 0; b < count; ++b) {
    const int32_t sample = order[std::size_t(first + b)];
    if (!data.x_bytes.empty()) {
      const uint8_t* src = data.x_bytes.data() + sample * per_sample;
      for (int32_t t = 0; t < steps; ++t) {
        real* dst = x_batch.row(t * count + b);
        for (int32_t i = 0; i < data.inputs; ++i) dst[i] = real(src[int64_t(t) * data.inputs + i]) * data.x_byte_scale;
      }
      continue;
    }
    const real* src = data.x.row(sample);
    for (int32_t t = 0; t < steps; ++t)
      std::memcpy(x_batch.row(t * count + b), src + int64_t(t) * data.inputs,
                  sizeof(real) * std::size_t(data.inputs));
  }
  if (data.classification()) {
    labels.resize(std::size_t(count));
    for (int32_t b = 0; b < count; ++b) labels[std::size_t(b)] = data.labels[std::size_t(order[std::size_t(first + b)])];
    y_batch.resize(0, 0);
    return;
  }
  y_batch.resize(steps * count, data.outputs);
  for (int32_t b = 0; b < count; ++b) {
    const real* src = data.y.row(order[std::size_t(first + b)]);
    for (int32_t t = 0; t < steps; ++t)
      std::memcpy(y_batch.row(t * count + b), src + int64_t(t) * data.outputs,
                  sizeof(real) * std::size_t(data.outputs));
  }
  labels.clear();
}

}  // namespace biornn
