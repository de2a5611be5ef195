// test_inference.cpp — InferenceModel (and the C interface over it) against the tape.
//
// The twin is the library's own forward pass: SignedRnn::record_hidden (the fused recurrent
// op) and record_readout on a Tape, with tanh on top for flip-flop, run on a batch of sequences.
// The inference model steps each sequence one input at a time from a model.npz that
// save_model_npz wrote; the outputs must be equal bit for bit (memcmp, not a tolerance: that is
// the guarantee inference.hpp states), for every GEMM and math kernel this machine has, on a
// trained flip-flop network, dense and pruned, and on untrained models covering every
// activation, readout, rule and bias option. Then: no allocation per step, and every kind of
// bad file gives a Status (or a C status code) with a message, never a crash.
#include "doctest/doctest.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>

#include "alloc_counter.hpp"
#include "biornn/infer.h"
#include "biornn/inference.hpp"
#include "biornn/npz.hpp"
#include "biornn/prune.hpp"
#include "biornn/run.hpp"
#include "io_test_util.hpp"

using namespace biornn;

namespace {

// Restores the process-wide kernels at scope exit.
struct KernelGuard {
  GemmKernel gemm = active_gemm_kernel();
  MathKernel math = active_math_kernel();
  ~KernelGuard() {
    set_gemm_kernel(gemm);
    set_math_kernel(math);
  }
};

// A small flip-flop network trained for a few epochs with Dale's rule; pruned to 70 % and
// fine-tuned on its CSR pattern when `pruned`.
SignedRnn trained_flipflop(bool pruned) {
  Rng data_rng(11), init_rng(12), prune_rng(13);
  FlipFlopOptions fo;
  fo.steps = 20;
  fo.train_samples = 80;
  fo.test_samples = 8;
  fo.pulse_probability = 0.2;
  TaskData task = make_flipflop(fo, data_rng);
  RnnSpec spec;
  spec.inputs = task.train.inputs;
  spec.outputs = task.train.outputs;
  spec.hidden = 24;
  spec.rule = LearningRule::kDale;
  SignedRnn net(spec, init_rng);
  OptimizerOptions adam;
  adam.lr = 1e-2;
  {
    Trainer trainer(net, task, adam, 20, 14);
    for (int e = 0; e < 3; ++e) trainer.train_epoch();
  }
  if (pruned) {
    net.make_sparse(prune_topprob(net.recurrent_weights(), 0.7, prune_rng));
    Trainer finetune(net, task, adam, 20, 15);
    finetune.train_epoch();
  }
  return net;
}

// `count` sequences of `steps` inputs, time-major (row t·B + b), values in [−1, 1] with some
// exact zeros (as flip-flop inputs have).
Matrix sequences(int32_t steps, int32_t count, int32_t inputs, uint64_t seed) {
  Rng rng(seed);
  Matrix x(steps * count, inputs);
  for (int64_t k = 0; k < x.size(); ++k) {
    const double u = rng.uniform(-1, 1);
    x.data()[k] = std::fabs(u) < 0.5 ? real(0) : real(u);
  }
  return x;
}

Matrix tape_outputs(SignedRnn& net, const Matrix& x, int32_t steps, Activation output_activation) {
  Tape tape;
  Var y = net.record_readout(tape, net.record_hidden(tape, x, steps));
  if (output_activation == Activation::kTanh) y = tanh(y);
  return y.value();
}

Matrix stepped_outputs(InferenceModel& model, const Matrix& x, int32_t steps) {
  const int32_t batch = x.rows() / steps;
  Matrix y(x.rows(), model.outputs());
  for (int32_t b = 0; b < batch; ++b) {
    model.reset();
    for (int32_t t = 0; t < steps; ++t) model.step(x.row(t * batch + b), y.row(t * batch + b));
  }
  return y;
}

// "" when equal bit for bit, else where the first difference is.
std::string first_difference(const Matrix& a, const Matrix& b) {
  if (a.rows() != b.rows() || a.cols() != b.cols()) return "shapes " + a.shape() + " vs " + b.shape();
  for (int64_t k = 0; k < a.size(); ++k)
    if (std::memcmp(&a.data()[k], &b.data()[k], sizeof(real)) != 0)
    {
      char text[96];
      std::snprintf(text, sizeof text, "element %lld: tape %a, stepped %a", (long long)k, double(a.data()[k]),
                    double(b.data()[k]));
      return text;
    }
  return "";
}

InferenceModel load_ok(const std::string& path) {
  StatusOr<InferenceModel> m = InferenceModel::load(path);
  REQUIRE_MESSAGE(m.ok(), m.status().to_string());
  return std::move(m).value();
}

// Saves `net`, then compares the tape with stepping under the active kernels.
void check_bitwise(SignedRnn& net, Activation output_activation, const std::string& path, uint64_t seed) {
  REQUIRE(save_model_npz(net, path, output_activation).ok());
  const int32_t steps = 13;
  const Matrix x = sequences(steps, 5, net.spec().inputs, seed);
  InferenceModel model = load_ok(path);
  CHECK(model.hidden() == net.hidden());
  const std::string diff = first_difference(tape_outputs(net, x, steps, output_activation), stepped_outputs(model, x, steps));
  CHECK_MESSAGE(diff.empty(), diff << " (" << kernel_summary() << ")");
}

std::vector<GemmKernel> gemm_kernels() {
  std::vector<GemmKernel> out;
  for (GemmKernel k : {GemmKernel::kRef, GemmKernel::kPackedScalar, GemmKernel::kPackedAvx2})
    if (gemm_kernel_available(k)) out.push_back(k);
  return out;
}

std::vector<MathKernel> math_kernels() {
  std::vector<MathKernel> out;
  for (MathKernel k : {MathKernel::kLibm, MathKernel::kPortable, MathKernel::kAvx2})
    if (math_kernel_available(k)) out.push_back(k);
  return out;
}

}  // namespace

TEST_CASE("a trained flip-flop network stepped one input at a time equals the tape bit for bit, dense and pruned, "
          "with every kernel") {
  io_test::TempDir dir;
  REQUIRE(dir.ok());
  KernelGuard guard;
  for (bool pruned : {false, true}) {
    SignedRnn net = trained_flipflop(pruned);
    REQUIRE(net.sparse() == pruned);
    const std::string path = dir.file(pruned ? "pruned.npz" : "dense.npz");
    for (GemmKernel g : gemm_kernels()) {
      for (MathKernel m : math_kernels()) {
        set_gemm_kernel(g);
        set_math_kernel(m);
        CAPTURE(pruned);
        CAPTURE(std::string(gemm_kernel_name(g)) + "/" + math_kernel_name(m));
        check_bitwise(net, Activation::kTanh, path, 21);
        InferenceModel model = load_ok(path);
        CHECK(model.gemm_kernel() == g);
        CHECK(model.math_kernel() == m);
        CHECK(model.spec().sparse == pruned);
        CHECK(model.spec().output_activation == Activation::kTanh);
      }
    }
  }
}

TEST_CASE("every activation, readout, rule and bias option steps to the tape's bits") {
  io_test::TempDir dir;
  REQUIRE(dir.ok());
  struct Case {
    const char* name;
    LearningRule rule;
    Activation activation;
    ReadoutFrom readout;
    real theta;
    bool biases, sparse;
    Activation output;
  } cases[] = {
      {"dale tanh readout a", LearningRule::kDale, Activation::kTanh, ReadoutFrom::kActivation, 0, true, false, Activation::kTanh},
      {"dale relu theta 0.05 readout h", LearningRule::kDale, Activation::kRelu, ReadoutFrom::kRate, real(0.05), true, false,
       Activation::kIdentity},
      {"conventional identity readout h", LearningRule::kConventional, Activation::kIdentity, ReadoutFrom::kRate, 0, true,
       false, Activation::kIdentity},
      {"rectified relu", LearningRule::kRectified, Activation::kRelu, ReadoutFrom::kActivation, 0, true, false,
       Activation::kIdentity},
      {"rectified sparse tanh", LearningRule::kRectified, Activation::kTanh, ReadoutFrom::kActivation, 0, true, true,
       Activation::kTanh},
      {"dale sparse, no biases", LearningRule::kDale, Activation::kTanh, ReadoutFrom::kRate, real(0.1), false, true,
       Activation::kIdentity},
  };
  uint64_t seed = 100;
  for (const Case& c : cases) {
    CAPTURE(c.name);
    RnnSpec spec;
    spec.inputs = 4;
    spec.outputs = 3;
    spec.hidden = 19;  // not a multiple of any micro-tile
    spec.rule = c.rule;
    spec.activation = c.activation;
    spec.readout_from = c.readout;
    spec.theta = c.theta;
    spec.recurrent_biases = c.biases;
    spec.readout_bias = c.biases;
    Rng init(seed), prune(seed + 1);
    SignedRnn net(spec, init);
    if (c.sparse) net.make_sparse(prune_topprob(net.recurrent_weights(), 0.6, prune));
    check_bitwise(net, c.output, dir.file("case.npz"), ++seed);
  }
}

TEST_CASE("model.npz describes the forward pass in 0-d arrays numpy reads") {
  io_test::TempDir dir;
  REQUIRE(dir.ok());
  RnnSpec spec;
  spec.inputs = 2;
  spec.outputs = 2;
  spec.hidden = 8;
  spec.theta = real(0.25);
  spec.readout_from = ReadoutFrom::kRate;
  Rng init(3);
  SignedRnn net(spec, init);
  REQUIRE(save_model_npz(net, dir.file("m.npz"), Activation::kTanh).ok());
  StatusOr<NpzArrays> arrays = load_npz(dir.file("m.npz"));
  REQUIRE(arrays.ok());
  for (const char* key : {"model_format", "rule", "activation", "threshold", "theta", "readout_from", "output_activation",
                          "sparse", "recurrent_biases", "readout_bias"}) {
    CAPTURE(key);
    REQUIRE(arrays.value().count(key) == 1);
    CHECK(arrays.value().at(key).shape.empty());
  }
  InferenceModel model = load_ok(dir.file("m.npz"));
  const InferenceSpec& s = model.spec();
  CHECK(s.rule == 1);
  CHECK(s.threshold);
  CHECK(s.theta == real(0.25));
  CHECK(s.readout_from == ReadoutFrom::kRate);
  CHECK(s.output_activation == Activation::kTanh);
  CHECK(s.inputs == 2);
  CHECK(s.outputs == 2);
  CHECK(s.nnz == 64);
  CHECK(task_output_activation(TaskKind::kFlipFlop) == Activation::kTanh);
  CHECK(task_output_activation(TaskKind::kWave) == Activation::kIdentity);
}

#ifndef BIORNN_NO_ALLOC_COUNTER  // counts allocations: not in make tsan (see alloc_counter.hpp)
TEST_CASE("after loading, a step allocates nothing, with every GEMM kernel, dense and sparse, through C++ and C") {
  io_test::TempDir dir;
  REQUIRE(dir.ok());
  KernelGuard guard;
  for (bool pruned : {false, true}) {
    RnnSpec spec;
    spec.inputs = 3;
    spec.outputs = 2;
    spec.hidden = 40;
    Rng init(5), prune(6);
    SignedRnn net(spec, init);
    if (pruned) net.make_sparse(prune_topprob(net.recurrent_weights(), 0.8, prune));
    const std::string path = dir.file("alloc.npz");
    REQUIRE(save_model_npz(net, path, Activation::kTanh).ok());
    for (GemmKernel g : gemm_kernels()) {
      CAPTURE(pruned);
      CAPTURE(gemm_kernel_name(g));
      set_gemm_kernel(g);
      InferenceModel model = load_ok(path);
      biornn_model* c_model = nullptr;
      REQUIRE(biornn_model_open(path.c_str(), sizeof(biornn_real), &c_model) == BIORNN_OK);
      real x[3] = {real(0.5), real(-1), real(0)};
      real y[2];
      biornn_test::AllocationCounter counter;
      for (int sequence = 0; sequence < 3; ++sequence) {
        model.reset();
        CHECK(biornn_model_reset(c_model) == BIORNN_OK);
        for (int t = 0; t < 40; ++t) {
          model.step(x, y);
          CHECK(biornn_model_step(c_model, x, 3, y, 2) == BIORNN_OK);
        }
      }
      CHECK(counter.count() == 0);
      biornn_model_close(c_model);
    }
  }
}
#endif

// ---- bad files ---------------------------------------------------------------------------------

namespace {

struct GoodModel {
  io_test::TempDir dir;
  std::string path;
  NpzArrays arrays;
  std::vector<uint8_t> bytes;
  GoodModel() {
    RnnSpec spec;
    spec.inputs = 2;
    spec.outputs = 2;
    spec.hidden = 6;
    Rng init(9), prune(10);
    SignedRnn net(spec, init);
    net.make_sparse(prune_topprob(net.recurrent_weights(), 0.5, prune));
    path = dir.file("model.npz");
    REQUIRE(save_model_npz(net, path).ok());
    StatusOr<NpzArrays> a = load_npz(path);
    REQUIRE(a.ok());
    arrays = a.value();
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
};

// Loads `arrays`; must fail with `code` and a message containing every fragment.
void expect_refused(const NpzArrays& arrays, StatusCode code, std::vector<std::string> fragments) {
  StatusOr<InferenceModel> m = InferenceModel::from_arrays(arrays, "bad.npz");
  REQUIRE_FALSE(m.ok());
  CHECK(m.status().code() == code);
  fragments.push_back("bad.npz");
  for (const std::string& f : fragments) CHECK_MESSAGE(m.status().message().find(f) != std::string::npos, m.status().message());
}

NpyArray matrix_array(int32_t rows, int32_t cols, real fill) { return npy_from_matrix(Matrix(rows, cols, fill)); }

}  // namespace

TEST_CASE("a model file with a wrong shape, a NaN, a broken sign or a stray pruned weight is refused with file, key and "
          "what was expected") {
  GoodModel good;
  {
    NpzArrays a = good.arrays;
    a["W_in"] = matrix_array(5, 2, 0);
    expect_refused(a, StatusCode::kInvalidArgument, {"'W_in'", "(6, 2)", "(5, 2)"});
  }
  {
    NpzArrays a = good.arrays;
    a["b_rec"] = matrix_array(1, 7, 0);
    expect_refused(a, StatusCode::kInvalidArgument, {"'b_rec'", "(6,) or (1, 6)", "(1, 7)"});
  }
  {
    NpzArrays a = good.arrays;
    a["W"] = matrix_array(6, 5, 0);
    expect_refused(a, StatusCode::kInvalidArgument, {"'W'", "square"});
  }
  {
    NpzArrays a = good.arrays;
    Matrix w_out(2, 6, real(0.1));
    w_out(1, 3) = std::nan("");
    a["W_out"] = npy_from_matrix(w_out);
    expect_refused(a, StatusCode::kInvalidArgument, {"'W_out'", "NaN"});
  }
  {
    NpzArrays a = good.arrays;
    a["W_in"] = npy_from_int32(std::vector<int32_t>(12, 1), {6, 2});
    expect_refused(a, StatusCode::kInvalidArgument, {"'W_in'", "<i4"});
  }
  {
    NpzArrays a = good.arrays;
    a["signs"] = npy_from_int32({1, 1, 1, 1, 2, -1});
    expect_refused(a, StatusCode::kInvalidArgument, {"'signs'[4] = 2"});
  }
  {
    // Column 0 is excitatory: a negative stored entry breaks Dale's law.
    NpzArrays a = good.arrays;
    StatusOr<Matrix> w = npy_to_matrix(a["W"], "W");
    StatusOr<Mask> mask = npy_to_mask(a["mask"], "mask");
    REQUIRE(w.ok());
    REQUIRE(mask.ok());
    int32_t row = 0;
    while (!mask.value()(row, 0)) ++row;
    w.value()(row, 0) = real(-0.5);
    a["W"] = npy_from_matrix(w.value());
    expect_refused(a, StatusCode::kInvalidArgument, {"'W'[" + std::to_string(row) + ", 0]", "excitatory"});
    // The same file under the conventional rule: signs are not a constraint there.
    a["rule"] = npy_from_int32({0}, {});
    CHECK(InferenceModel::from_arrays(a, "conventional.npz").ok());
  }
  {
    NpzArrays a = good.arrays;
    StatusOr<Matrix> w = npy_to_matrix(a["W"], "W");
    StatusOr<Mask> mask = npy_to_mask(a["mask"], "mask");
    StatusOr<std::vector<int64_t>> signs = npy_to_int64(a["signs"], "signs");
    REQUIRE(w.ok());
    REQUIRE(mask.ok());
    REQUIRE(signs.ok());
    int32_t row = 0, col = 0;
    for (int32_t k = 0; k < 36 && mask.value()(row, col); ++k) row = (k + 1) / 6, col = (k + 1) % 6;
    REQUIRE_FALSE(mask.value()(row, col));
    w.value()(row, col) = real(0.25) * real(signs.value()[std::size_t(col)]);  // the right sign, in a pruned place
    a["W"] = npy_from_matrix(w.value());
    expect_refused(a, StatusCode::kInvalidArgument,
                   {"'W'[" + std::to_string(row) + ", " + std::to_string(col) + "]", "outside 'mask'"});
  }
  {
    NpzArrays a = good.arrays;
    a["sparse"] = npy_from_bools({0}, {});
    expect_refused(a, StatusCode::kInvalidArgument, {"'sparse' is false", "'mask' excludes"});
  }
}

TEST_CASE("a model file with missing keys, unknown codes or an older format is refused") {
  GoodModel good;
  {
    NpzArrays a = good.arrays;
    a.erase("W_out");
    expect_refused(a, StatusCode::kNotFound, {"no array 'W_out'", "the file holds: W, W_in"});
  }
  {
    NpzArrays a = good.arrays;
    a.erase("model_format");
    expect_refused(a, StatusCode::kUnsupported, {"'model_format'", "predates"});
  }
  {
    NpzArrays a = good.arrays;
    a["activation"] = npy_from_int32({7}, {});
    expect_refused(a, StatusCode::kInvalidArgument, {"'activation' = 7", "0 tanh, 1 relu, 2 identity"});
  }
  {
    NpzArrays a = good.arrays;
    a["theta"] = npy_from_floats({-1.0f}, {});
    expect_refused(a, StatusCode::kInvalidArgument, {"'theta'", ">= 0"});
  }
  {
    NpzArrays a = good.arrays;
    a["threshold"] = npy_from_int32({3}, {});
    expect_refused(a, StatusCode::kInvalidArgument, {"'threshold'", "true or false"});
  }
  {
    NpzArrays a = good.arrays;
    a["input_mask"] = npy_from_mask(Mask(6, 2, false));
    expect_refused(a, StatusCode::kInvalidArgument, {"'W_in'", "outside 'input_mask'"});
  }
}

TEST_CASE("every truncation and byte flip of a model file is refused or loads a valid model, never crashes") {
  GoodModel good;
  REQUIRE(InferenceModel::from_arrays(good.arrays, "good").ok());
  int refused = 0;
  for (std::size_t size = 0; size < good.bytes.size(); ++size) {
    StatusOr<NpzArrays> a = parse_npz(good.bytes.data(), size, "truncated.npz");
    if (a.ok()) refused += !InferenceModel::from_arrays(a.value(), "truncated.npz").ok();
    else ++refused;
  }
  CHECK(refused == int(good.bytes.size()));  // every proper prefix lacks the end record
  int flips_refused = 0, flips = 0;
  for (std::size_t k = 0; k < good.bytes.size(); k += 3) {
    std::vector<uint8_t> bad = good.bytes;
    bad[k] ^= 0x5a;
    ++flips;
    StatusOr<NpzArrays> a = parse_npz(bad.data(), bad.size(), "flipped.npz");
    if (!a.ok() || !InferenceModel::from_arrays(a.value(), "flipped.npz").ok()) ++flips_refused;
  }
  CHECK(flips_refused > flips / 2);  // CRC-32 catches every flip inside a member's data
}

TEST_CASE("the C interface reports bad files, bad arguments and a mismatched precision with a code and a message") {
  GoodModel good;
  biornn_model* m = reinterpret_cast<biornn_model*>(&good);  // must be overwritten with NULL
  CHECK(biornn_model_open(good.dir.file("missing.npz").c_str(), sizeof(biornn_real), &m) == BIORNN_ERR_NOT_FOUND);
  CHECK(m == nullptr);
  CHECK(std::string(biornn_last_error()).find("missing.npz") != std::string::npos);

  const std::string truncated = good.dir.file("truncated.npz");
  REQUIRE(write_file_atomic(truncated, std::string(good.bytes.begin(), good.bytes.begin() + good.bytes.size() / 2)).ok());
  CHECK(biornn_model_open(truncated.c_str(), sizeof(biornn_real), &m) == BIORNN_ERR_CORRUPT);
  CHECK(std::string(biornn_last_error()).find("truncated.npz") != std::string::npos);

  CHECK(biornn_model_open(good.path.c_str(), sizeof(biornn_real) + 4, &m) == BIORNN_ERR_INVALID_ARGUMENT);
  CHECK(std::string(biornn_last_error()).find("BIORNN_DOUBLE") != std::string::npos);
  CHECK(biornn_model_open(nullptr, sizeof(biornn_real), &m) == BIORNN_ERR_INVALID_ARGUMENT);
  CHECK(biornn_model_open(good.path.c_str(), sizeof(biornn_real), nullptr) == BIORNN_ERR_INVALID_ARGUMENT);

  REQUIRE(biornn_model_open(good.path.c_str(), sizeof(biornn_real), &m) == BIORNN_OK);
  CHECK(biornn_model_inputs(m) == 2);
  CHECK(biornn_model_hidden(m) == 6);
  CHECK(biornn_model_outputs(m) == 2);
  CHECK(biornn_model_memory_bytes(m) > 0);
  CHECK(std::string(biornn_model_kernels(m)).find("gemm=") == 0);
  biornn_real x[2] = {1, 0}, y[2], h[6];
  CHECK(biornn_model_step(m, x, 3, y, 2) == BIORNN_ERR_INVALID_ARGUMENT);
  CHECK(std::string(biornn_last_error()).find("x has 3 values but the model needs 2") != std::string::npos);
  CHECK(biornn_model_step(m, x, 2, y, 1) == BIORNN_ERR_INVALID_ARGUMENT);
  CHECK(biornn_model_step(m, nullptr, 2, y, 2) == BIORNN_ERR_INVALID_ARGUMENT);
  CHECK(biornn_model_step(nullptr, x, 2, y, 2) == BIORNN_ERR_INVALID_ARGUMENT);
  CHECK(biornn_model_step(m, x, 2, y, 2) == BIORNN_OK);
  CHECK(biornn_model_state(m, h, 6) == BIORNN_OK);
  CHECK(biornn_model_state(m, h, 5) == BIORNN_ERR_INVALID_ARGUMENT);
  CHECK(biornn_model_reset(nullptr) == BIORNN_ERR_INVALID_ARGUMENT);
  CHECK(std::string(biornn_status_name(BIORNN_ERR_CORRUPT)) == "corrupt");
  biornn_model_close(m);
  biornn_model_close(nullptr);
}
