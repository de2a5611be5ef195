// bench_openblas.cpp — biornn's gemm side by side with OpenBLAS (cblas_sgemm / cblas_dgemm,
// matching `real`), in one process, alternating, on the shapes biornn is tuned for.
//
//   make bench-openblas [BENCH_ARGS="..."]   (needs libopenblas-dev; not part of the library)
//   build/bench/bench_openblas [--min-seconds S] [--rounds R] [--threads LIST] [--shape M,N,K]
//                              [--max-foreign F]
//
// For every shape and thread count (biornn's `threads` argument, openblas_set_num_threads) it
// runs R rounds; a round times a block of biornn calls, then a block of OpenBLAS calls, each
// block S / R seconds after one untimed call (so neither library is timed just after the
// other's threads went idle). GFLOP/s = 2·m·n·k / seconds, seconds = the MEDIAN call over all
// kept rounds (the best call is printed too).
// On a shared machine other processes distort a measurement: a round during which they used
// more than F of a core (from /proc/stat, default 0.1) is thrown away and run again, up to
// 4·R attempts; "rounds_rejected" and "foreign_load" (the worst kept round) report this. The
// ratio of the two libraries, measured alternately, is far more stable than either number.
// stdout: one JSON object per line ("bench":"gemm_vs_openblas"); stderr: a readable summary of
// the acceptance ratios (biornn ≥ 85 % of OpenBLAS on square 512/1024/1440, ≥ 90 % on the
// recurrent shapes). OpenBLAS picks its kernels by CPU ("openblas_core" in the info line); the
// environment variable OPENBLAS_CORETYPE overrides that choice and is reported there.
//
// Not here: biornn's own kernel comparison (biornn bench gemm).
#include <cblas.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "biornn/blas.hpp"
#include "biornn/kernels.hpp"
#include "biornn/matrix.hpp"
#include "biornn/rng.hpp"

using namespace biornn;

namespace {

struct Shape {
  const char* what;
  int32_t m, n, k;
  Trans trans_a, trans_b;
  double target;  // required biornn / OpenBLAS ratio; 0 = reported only
};

const Shape kShapes[] = {
    {"square", 128, 128, 128, Trans::kNo, Trans::kNo, 0.0},
    {"square", 256, 256, 256, Trans::kNo, Trans::kNo, 0.0},
    {"square", 512, 512, 512, Trans::kNo, Trans::kNo, 0.85},
    {"square", 1024, 1024, 1024, Trans::kNo, Trans::kNo, 0.85},
    {"square", 1440, 1440, 1440, Trans::kNo, Trans::kNo, 0.85},
    {"x*W^T", 200, 128, 128, Trans::kNo, Trans::kYes, 0.90},
    {"x*W^T", 200, 1440, 1440, Trans::kNo, Trans::kYes, 0.90},
    {"dA^T*H", 1440, 1440, 3000, Trans::kYes, Trans::kNo, 0.90},
};

void openblas_gemm(const Shape& s, const Matrix& a, const Matrix& b, Matrix& c) {
  const CBLAS_TRANSPOSE ta = s.trans_a == Trans::kYes ? CblasTrans : CblasNoTrans;
  const CBLAS_TRANSPOSE tb = s.trans_b == Trans::kYes ? CblasTrans : CblasNoTrans;
#ifdef BIORNN_DOUBLE
  cblas_dgemm(CblasRowMajor, ta, tb, s.m, s.n, s.k, 1.0, a.data(), a.cols(), b.data(), b.cols(),
              0.0, c.data(), c.cols());
#else
  cblas_sgemm(CblasRowMajor, ta, tb, s.m, s.n, s.k, 1.0f, a.data(), a.cols(), b.data(), b.cols(),
              0.0f, c.data(), c.cols());
#endif
}

// CPU time, in seconds, that every process together (from /proc/stat) and this process alone
// (getrusage) have used so far. On a shared machine the difference tells whether someone else
// ran during a measurement. Zeros where /proc/stat is unavailable (then nothing is rejected).
struct CpuClock {
  double all = 0, self = 0;
};

CpuClock read_cpu_clock() {
  CpuClock t;
  if (std::FILE* f = std::fopen("/proc/stat", "r")) {
    unsigned long long v[8] = {};
    if (std::fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3],
                    &v[4], &v[5], &v[6], &v[7]) == 8) {
      const double busy = double(v[0] + v[1] + v[2] + v[5] + v[6] + v[7]);  // not idle, iowait
      t.all = busy / double(sysconf(_SC_CLK_TCK));
    }
    std::fclose(f);
  }
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  t.self = double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           1e-6 * double(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
  return t;
}

// Times calls of `run` for at least `seconds` (and at least 2 calls) after one untimed call.
// Returns the CPU seconds other processes used meanwhile, as a fraction of the block's wall
// time (about 0 on a quiet machine; 1 means a whole core was busy elsewhere).
template <class F>
double time_block(F run, double seconds, std::vector<double>* times) {
  using Clock = std::chrono::steady_clock;
  run();
  const CpuClock c0 = read_cpu_clock();
  const Clock::time_point start = Clock::now();
  double total = 0;
  for (int calls = 0; total < seconds || calls < 2; ++calls) {
    const Clock::time_point t0 = Clock::now();
    run();
    const double dt = std::chrono::duration<double>(Clock::now() - t0).count();
    times->push_back(dt);
    total += dt;
  }
  const double wall = std::chrono::duration<double>(Clock::now() - start).count();
  const CpuClock c1 = read_cpu_clock();
  return std::max(0.0, (c1.all - c0.all) - (c1.self - c0.self)) / wall;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

double best(const std::vector<double>& v) { return *std::min_element(v.begin(), v.end()); }

Matrix random_matrix(int32_t rows, int32_t cols, Rng& rng) {
  Matrix x(rows, cols);
  for (int64_t i = 0; i < x.size(); ++i) x.data()[i] = real(rng.uniform(-1.0, 1.0));
  return x;
}

// max |x − y| / max |y|: a sanity check that both libraries computed the same product.
double relative_difference(const Matrix& x, const Matrix& y) {
  double scale = 0;
  for (int64_t i = 0; i < y.size(); ++i) scale = std::max(scale, double(std::fabs(y.data()[i])));
  return max_abs_diff(x, y) / (scale > 0 ? scale : 1.0);
}

struct Options {
  double min_seconds = 1.0;
  int rounds = 5;
  double max_foreign = 0.10;
  int only_m = 0, only_n = 0, only_k = 0;
  std::vector<int> thread_counts = {1, 2};
};

// Returns 0 to go on, or the exit status (1: --help, printed; 2: bad usage).
int parse_options(int argc, char** argv, Options* o) {
  for (int i = 1; i < argc; ++i) {
    const bool has_value = i + 1 < argc;
    if (std::strcmp(argv[i], "--min-seconds") == 0 && has_value) {
      o->min_seconds = std::atof(argv[++i]);
    } else if (std::strcmp(argv[i], "--rounds") == 0 && has_value) {
      o->rounds = std::max(1, std::atoi(argv[++i]));
    } else if (std::strcmp(argv[i], "--max-foreign") == 0 && has_value) {
      o->max_foreign = std::atof(argv[++i]);
    } else if (std::strcmp(argv[i], "--shape") == 0 && has_value) {
      if (std::sscanf(argv[++i], "%d,%d,%d", &o->only_m, &o->only_n, &o->only_k) != 3) {
        std::fprintf(stderr, "bench_openblas: --shape expects M,N,K\n");
        return 2;
      }
    } else if (std::strcmp(argv[i], "--threads") == 0 && has_value) {
      o->thread_counts.clear();
      for (const char* p = argv[++i]; *p != '\0';) {
        char* end = nullptr;
        const long t = std::strtol(p, &end, 10);
        if (end == p || t < 1) {
          std::fprintf(stderr, "bench_openblas: bad --threads list\n");
          return 2;
        }
        o->thread_counts.push_back(int(t));
        p = *end == ',' ? end + 1 : end;
      }
    } else {
      const bool help = std::strcmp(argv[i], "--help") == 0;
      std::fprintf(help ? stdout : stderr,
                   "usage: bench_openblas [--min-seconds S (per measurement, default 1)] "
                   "[--rounds R (default 5)] [--threads LIST (default 1,2)] [--shape M,N,K (only "
                   "that one)] [--max-foreign F (default 0.1)]\n");
      return help ? 1 : 2;
    }
  }
  return 0;
}

struct Comparison {
  std::vector<double> ours, theirs;  // seconds per call
  int rejected = 0;
  double worst_kept_foreign = 0;
};

// Alternating rounds of biornn and OpenBLAS calls; a round during which other processes used
// more than max_foreign of a core is thrown away and run again, up to 4 × rounds attempts.
template <class Ours, class Theirs>
Comparison compare(Ours ours, Theirs theirs, const Options& o) {
  Comparison c;
  const int attempts = 4 * o.rounds;
  for (int attempt = 0, kept = 0; kept < o.rounds && attempt < attempts; ++attempt) {
    std::vector<double> round_ours, round_theirs;
    const double f1 = time_block(ours, o.min_seconds / o.rounds, &round_ours);
    const double f2 = time_block(theirs, o.min_seconds / o.rounds, &round_theirs);
    const double foreign = std::max(f1, f2);
    if (foreign > o.max_foreign && attempt + 1 < attempts) {
      ++c.rejected;
      continue;
    }
    ++kept;
    c.worst_kept_foreign = std::max(c.worst_kept_foreign, foreign);
    c.ours.insert(c.ours.end(), round_ours.begin(), round_ours.end());
    c.theirs.insert(c.theirs.end(), round_theirs.begin(), round_theirs.end());
  }
  return c;
}

struct Row {
  const Shape* shape;
  int threads;
  double ratio;
};

void print_summary(const std::vector<Row>& rows) {
  std::fprintf(stderr, "\nacceptance (biornn %s / OpenBLAS %s, median GFLOP/s):\n",
               gemm_kernel_name(active_gemm_kernel()), openblas_get_corename());
  int failed = 0;
  for (const Row& r : rows) {
    const bool ok = r.ratio >= r.shape->target;
    failed += ok ? 0 : 1;
    std::fprintf(stderr, "  %-7s (%4d,%4d,%4d) %s%s threads=%d  ratio %.3f  target %.2f  %s\n",
                 r.shape->what, r.shape->m, r.shape->n, r.shape->k,
                 r.shape->trans_a == Trans::kYes ? "T" : "N",
                 r.shape->trans_b == Trans::kYes ? "T" : "N", r.threads, r.ratio, r.shape->target,
                 ok ? "ok" : "BELOW TARGET");
  }
  std::fprintf(stderr, "%d of %zu acceptance ratios below target\n", failed, rows.size());
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (const int status = parse_options(argc, argv, &o)) return status == 1 ? 0 : status;
  const Status st = configure_kernels_from_environment();
  if (!st.ok()) {
    std::fprintf(stderr, "bench_openblas: %s\n", st.message().c_str());
    return 2;
  }
  const char* coretype = std::getenv("OPENBLAS_CORETYPE");
  std::printf(
      "{\"bench\":\"info\",\"biornn\":\"%s\",\"openblas\":\"%s\",\"openblas_core\":\"%s\","
      "\"OPENBLAS_CORETYPE\":\"%s\",\"min_seconds\":%g,\"rounds\":%d,\"max_foreign\":%.2f}\n",
      kernel_summary().c_str(), openblas_get_config(), openblas_get_corename(),
      coretype != nullptr ? coretype : "(unset)", o.min_seconds, o.rounds, o.max_foreign);
  std::fflush(stdout);

  std::vector<Row> rows;
  Rng rng(7);
  for (const Shape& s : kShapes) {
    if (o.only_m > 0 && (s.m != o.only_m || s.n != o.only_n || s.k != o.only_k)) continue;
    const bool ta = s.trans_a == Trans::kYes, tb = s.trans_b == Trans::kYes;
    const Matrix a = random_matrix(ta ? s.k : s.m, ta ? s.m : s.k, rng);
    const Matrix b = random_matrix(tb ? s.n : s.k, tb ? s.k : s.n, rng);
    Matrix c_ours(s.m, s.n), c_theirs(s.m, s.n);
    const double flops = 2.0 * s.m * double(s.n) * s.k;
    for (int t : o.thread_counts) {
      openblas_set_num_threads(t);
      const Comparison c =
          compare([&] { gemm(s.trans_a, s.trans_b, real(1), a, b, real(0), c_ours, t); },
                  [&] { openblas_gemm(s, a, b, c_theirs); }, o);
      const double g_ours = flops / median(c.ours) * 1e-9;
      const double g_theirs = flops / median(c.theirs) * 1e-9;
      const double ratio = g_ours / g_theirs;
      std::printf(
          "{\"bench\":\"gemm_vs_openblas\",\"precision\":\"%s\",\"shape\":\"%s\",\"m\":%d,"
          "\"n\":%d,\"k\":%d,\"trans\":\"%s%s\",\"threads\":%d,\"biornn_gflops\":%.2f,"
          "\"openblas_gflops\":%.2f,\"ratio\":%.3f,\"biornn_best_gflops\":%.2f,"
          "\"openblas_best_gflops\":%.2f,\"target\":%.2f,\"calls\":%zu,"
          "\"rounds_rejected\":%d,\"foreign_load\":%.2f,\"max_rel_diff\":%.2e}\n",
          kPrecisionName, s.what, s.m, s.n, s.k, ta ? "T" : "N", tb ? "T" : "N", t, g_ours,
          g_theirs, ratio, flops / best(c.ours) * 1e-9, flops / best(c.theirs) * 1e-9, s.target,
          c.ours.size(), c.rejected, c.worst_kept_foreign, relative_difference(c_ours, c_theirs));
      std::fflush(stdout);
      if (s.target > 0) rows.push_back({&s, t, ratio});
    }
  }
  print_summary(rows);
  return 0;
}
