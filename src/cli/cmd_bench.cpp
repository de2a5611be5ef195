// cmd_bench.cpp — `biornn bench <what>`: benchmarks with machine-readable output.
//
//   biornn bench gemm [--json] [--kernels LIST] [--threads LIST] [--min-seconds S]
//
// `bench gemm` times every selected GEMM kernel on square sizes and on the three products a
// recurrent network spends its time in, and prints GFLOP/s (2·m·n·k flops per call). The
// first positional word picks the benchmark, so later ones (`bench train`, `bench celltype`)
// slot in next to `gemm` in kBenchmarks.
//
// Not here: the comparison with OpenBLAS (bench/bench_openblas.cpp, `make bench-openblas`).
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "biornn/blas.hpp"
#include "biornn/kernels.hpp"
#include "biornn/matrix.hpp"
#include "biornn/rng.hpp"
#include "cli/args.hpp"
#include "cli/commands.hpp"

namespace biornn::cli {

namespace {

struct GemmShape {
  const char* what;
  int32_t m, n, k;
  Trans trans_a, trans_b;
};

// Square NN sizes, then the recurrent products: the input/recurrent projection x·Wᵀ for a
// batch of 200 (x: (200, k), W: (n, k)), and the weight gradient dAᵀ·H summed over 3000
// time-step rows (dA, H: (3000, 1440)).
const GemmShape kGemmShapes[] = {
    {"square", 128, 128, 128, Trans::kNo, Trans::kNo},
    {"square", 256, 256, 256, Trans::kNo, Trans::kNo},
    {"square", 512, 512, 512, Trans::kNo, Trans::kNo},
    {"square", 1024, 1024, 1024, Trans::kNo, Trans::kNo},
    {"square", 1440, 1440, 1440, Trans::kNo, Trans::kNo},
    {"x*W^T", 200, 128, 128, Trans::kNo, Trans::kYes},
    {"x*W^T", 200, 1440, 1440, Trans::kNo, Trans::kYes},
    {"dA^T*H", 1440, 1440, 3000, Trans::kYes, Trans::kNo},
};

// The reference kernel (≈1 GFLOP/s) runs only up to this many multiply-adds per call.
constexpr double kRefMaxMnk = 256.0 * 256.0 * 256.0;

std::vector<std::string> split_commas(const std::string& text) {
  std::vector<std::string> parts;
  std::string current;
  for (char ch : text) {
    if (ch == ',') {
      parts.push_back(current);
      current.clear();
    } else {
      current += ch;
    }
  }
  parts.push_back(current);
  return parts;
}

Status parse_kernels(const std::string& text, std::vector<GemmKernel>* out) {
  for (const std::string& name : split_commas(text)) {
    GemmKernel k;
    if (!parse_gemm_kernel(name, &k))
      return invalid_argument("--kernels: '" + name +
                              "' is not a GEMM kernel; expected ref, packed_scalar, packed_avx2");
    if (!gemm_kernel_available(k))
      return invalid_argument("--kernels: " + name + " is not available here");
    out->push_back(k);
  }
  return Status();
}

Status parse_threads_list(const std::string& text, std::vector<int>* out) {
  for (const std::string& item : split_commas(text)) {
    char* end = nullptr;
    const long v = std::strtol(item.c_str(), &end, 10);
    if (item.empty() || *end != '\0' || v < 1 || v > 4096)
      return invalid_argument("--threads expects a comma-separated list of counts "
                              "from 1 to 4096, got '" + text + "'");
    out->push_back(int(v));
  }
  return Status();
}

struct Timing {
  double median_seconds = 0;
  double best_seconds = 0;
  int reps = 0;
};

// One warm-up call (packing buffers grow, threads wake), then calls until `min_seconds` of
// timed calls have accumulated (at least three); per-call times are kept.
Timing time_gemm(GemmKernel kernel, int threads, const GemmShape& s, const Matrix& a,
                 const Matrix& b, Matrix& c, double min_seconds) {
  using Clock = std::chrono::steady_clock;
  gemm_with(kernel, threads, s.trans_a, s.trans_b, real(1), a, b, real(0), c);
  std::vector<double> times;
  double total = 0;
  while (total < min_seconds || times.size() < 3) {
    const Clock::time_point t0 = Clock::now();
    gemm_with(kernel, threads, s.trans_a, s.trans_b, real(1), a, b, real(0), c);
    const double dt = std::chrono::duration<double>(Clock::now() - t0).count();
    times.push_back(dt);
    total += dt;
  }
  std::sort(times.begin(), times.end());
  Timing t;
  t.reps = int(times.size());
  t.best_seconds = times.front();
  t.median_seconds = times[times.size() / 2];
  return t;
}

Matrix random_matrix(int32_t rows, int32_t cols, Rng& rng) {
  Matrix x(rows, cols);
  for (int64_t i = 0; i < x.size(); ++i) x.data()[i] = real(rng.uniform(-1.0, 1.0));
  return x;
}

int bench_gemm(int argc, char** argv, int first) {
  Args args("biornn bench gemm",
            "Times C = A·B (α = 1, β = 0) for each kernel, shape and thread count and prints\n"
            "GFLOP/s = 2·m·n·k / seconds, where seconds is the MEDIAN of the timed calls (the\n"
            "best call is reported too). Shapes: square NN 128, 256, 512, 1024, 1440, then the\n"
            "recurrent products x·Wᵀ (200,128,128) NT and (200,1440,1440) NT, and the weight\n"
            "gradient dAᵀ·H (1440,1440,3000) TN. The ref kernel is the unblocked specification\n"
            "(about 1 GFLOP/s): it runs only on shapes with m·n·k <= 256³, on one thread.\n"
            "A thread count is an upper bound: the packed kernels start one thread per\n"
            "million flops of work at most. Each measurement makes one untimed warm-up call.",
            {{"json", "", "one JSON object per line; the first is {\"bench\":\"info\",...}", ""},
             {"kernels", "LIST", "comma-separated: ref, packed_scalar, packed_avx2",
              "every available kernel"},
             {"threads", "LIST", "comma-separated thread counts", "1 and the active count"},
             {"min-seconds", "S", "timed seconds per measurement (at least 3 calls)", "0.3"},
             {"seed", "N", "seed of the random operands", "1"}});
  Status st = args.parse(argc, argv, first);
  if (!st.ok()) return args.fail(st);
  if (args.help_requested()) {
    std::printf("%s", args.help_text().c_str());
    return 0;
  }
  if (!args.positional().empty()) {
    std::fprintf(stderr, "biornn bench gemm: unexpected argument '%s'\n",
                 args.positional().front().c_str());
    return 2;
  }
  std::vector<GemmKernel> kernels;
  if (args.has("kernels")) {
    st = parse_kernels(args.get("kernels"), &kernels);
  } else {
    for (GemmKernel k : {GemmKernel::kRef, GemmKernel::kPackedScalar, GemmKernel::kPackedAvx2})
      if (gemm_kernel_available(k)) kernels.push_back(k);
  }
  std::vector<int> threads;
  if (st.ok() && args.has("threads")) {
    st = parse_threads_list(args.get("threads"), &threads);
  } else if (st.ok()) {
    threads.push_back(1);
    if (active_threads() > 1) threads.push_back(active_threads());
  }
  double min_seconds = 0;
  int64_t seed = 0;
  if (st.ok()) st = args.get_double("min-seconds", &min_seconds);
  if (st.ok() && !(min_seconds >= 0 && min_seconds <= 3600))
    st = invalid_argument("--min-seconds must be between 0 and 3600");
  if (st.ok()) st = args.get_int("seed", 0, INT64_MAX, &seed);
  if (!st.ok()) return args.fail(st);
  const bool json = args.has("json");

  if (json) {
    std::printf("{\"bench\":\"info\",\"summary\":\"%s\",\"openmp\":%s}\n", kernel_summary().c_str(),
                openmp_compiled() ? "true" : "false");
  } else {
    std::printf("%s\n", kernel_summary().c_str());
    if (!openmp_compiled()) std::printf("(built without OpenMP: every count runs on 1 thread)\n");
    std::printf("%-14s %-8s %5s %5s %5s %5s %7s %10s %10s %12s\n", "kernel", "shape", "m", "n",
                "k", "trans", "threads", "GFLOP/s", "best", "median s");
  }
  Rng rng{uint64_t(seed)};
  for (const GemmShape& s : kGemmShapes) {
    const bool ta = s.trans_a == Trans::kYes, tb = s.trans_b == Trans::kYes;
    const Matrix a = random_matrix(ta ? s.k : s.m, ta ? s.m : s.k, rng);
    const Matrix b = random_matrix(tb ? s.n : s.k, tb ? s.k : s.n, rng);
    Matrix c(s.m, s.n);
    const double flops = 2.0 * s.m * double(s.n) * s.k;
    const std::string trans = std::string(ta ? "T" : "N") + (tb ? "T" : "N");
    for (GemmKernel kernel : kernels) {
      if (kernel == GemmKernel::kRef && double(s.m) * s.n * s.k > kRefMaxMnk) continue;
      for (int requested : threads) {
        if (kernel == GemmKernel::kRef && requested != threads.front()) continue;
        const int t = kernel == GemmKernel::kRef ? 1 : requested;  // ref is single-threaded
        const Timing tm = time_gemm(kernel, t, s, a, b, c, min_seconds);
        const double gflops = flops / tm.median_seconds * 1e-9;
        const double best = flops / tm.best_seconds * 1e-9;
        if (json) {
          std::printf("{\"bench\":\"gemm\",\"kernel\":\"%s\",\"precision\":\"%s\",\"shape\":\"%s\","
                      "\"m\":%d,\"n\":%d,\"k\":%d,\"trans\":\"%s\",\"threads\":%d,"
                      "\"gflops\":%.3f,\"best_gflops\":%.3f,\"seconds\":%.6e,\"reps\":%d}\n",
                      gemm_kernel_name(kernel), kPrecisionName, s.what, s.m, s.n, s.k,
                      trans.c_str(), t, gflops, best, tm.median_seconds, tm.reps);
        } else {
          std::printf("%-14s %-8s %5d %5d %5d %5s %7d %10.2f %10.2f %12.3e\n",
                      gemm_kernel_name(kernel), s.what, s.m, s.n, s.k, trans.c_str(), t, gflops,
                      best, tm.median_seconds);
        }
        std::fflush(stdout);
      }
    }
  }
  return 0;
}

struct Benchmark {
  const char* name;
  int (*run)(int, char**, int);
  const char* summary;
};

const Benchmark kBenchmarks[] = {
    {"gemm", bench_gemm, "GFLOP/s of every GEMM kernel on square and recurrent shapes"},
    {"train", bench_train_command, "seconds per training epoch per task, and peak memory"},
    {"celltype", bench_celltype_command, "cell-type RNN: seconds per dense and sparse (pruned) epoch"},
};

void print_bench_usage(std::FILE* out) {
  std::fprintf(out,
               "usage: biornn bench <benchmark> [options]     biornn bench <benchmark> --help\n\n"
               "benchmarks:\n");
  for (const Benchmark& b : kBenchmarks) std::fprintf(out, "  %-10s %s\n", b.name, b.summary);
}

}  // namespace

int cmd_bench(int argc, char** argv, int first) {
  if (first >= argc) {
    print_bench_usage(stderr);
    return 2;
  }
  const std::string what = argv[first];
  if (what == "--help" || what == "-h") {
    print_bench_usage(stdout);
    return 0;
  }
  for (const Benchmark& b : kBenchmarks)
    if (what == b.name) return b.run(argc, argv, first + 1);
  std::fprintf(stderr, "biornn bench: unknown benchmark '%s'\n\n", what.c_str());
  print_bench_usage(stderr);
  return 2;
}

}  // namespace biornn::cli
