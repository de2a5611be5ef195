// cmd_stats.cpp — `biornn stats hypergeom`: the hypergeometric distribution behind the
// random-pruning baseline of the MST overlap (SPEC §5, paper App. 10.2), on the command line.
//
// Example (N = 1440 units, 90 % sparsity): the number of the 2N − 1 = 2879 tree edges that
// random pruning keeps is hypergeometric with population M = N² = 2073600, successes
// K = 2879 and draws n = (1 − s)·M = 207360:
//   biornn stats hypergeom --population 2073600 --successes 2879 --draws 207360 --k 300
#include <cmath>
#include <cstdio>

#include "biornn/json.hpp"
#include "biornn/stats.hpp"
#include "cli/args.hpp"
#include "cli/commands.hpp"

namespace biornn::cli {

namespace {

int hypergeom_command(int argc, char** argv, int first) {
  Args a("biornn stats hypergeom",
         "The hypergeometric distribution: X = successes among n draws without replacement from a\n"
         "population of M holding K successes. Prints the mean and variance and, for --k x,\n"
         "P[X = x], P[X <= x] and P[X > x] (and their natural logs, which stay finite when the\n"
         "probabilities underflow). Computed in log space; accurate to ~1e-13 relative.",
         {{"population", "M", "population size, 0 <= M <= 2^53", ""},
          {"successes", "K", "successes in the population, 0 <= K <= M", ""},
          {"draws", "n", "draws, 0 <= n <= M", ""},
          {"k", "x", "the value whose pmf, cdf and sf to print (default: the mode)", ""},
          {"json", "", "one JSON object with pmf, cdf, sf, mean, var, ...", ""}});
  Status st = a.parse(argc, argv, first);
  auto fail = [](const Status& s) {
    std::fprintf(stderr, "biornn stats hypergeom: %s\n", s.message().c_str());
    return 2;
  };
  if (!st.ok()) return fail(st);
  if (a.help_requested()) {
    std::printf("%s", a.help_text().c_str());
    return 0;
  }
  for (const char* required : {"population", "successes", "draws"})
    if (!a.has(required)) return fail(invalid_argument(std::string("--") + required + " is required"));
  int64_t m = 0, k = 0, n = 0;
  st = a.get_int("population", 0, kHypergeomMaxPopulation, &m);
  if (!st.ok()) return fail(st);
  st = a.get_int("successes", 0, m, &k);
  if (!st.ok()) return fail(invalid_argument("--successes must lie in [0, M = " + std::to_string(m) + "], got '" + a.get("successes") + "'"));
  st = a.get_int("draws", 0, m, &n);
  if (!st.ok()) return fail(invalid_argument("--draws must lie in [0, M = " + std::to_string(m) + "], got '" + a.get("draws") + "'"));
  int64_t x = hypergeom_mode(m, k, n);
  if (a.has("k")) {
    st = a.get_int("k", INT64_MIN / 2, INT64_MAX / 2, &x);
    if (!st.ok()) return fail(st);
  }
  const HypergeomSupport support = hypergeom_support(m, k, n);
  const double mean = hypergeom_mean(m, k, n), var = hypergeom_var(m, k, n);
  const double pmf = hypergeom_pmf(x, m, k, n), cdf = hypergeom_cdf(x, m, k, n), sf = hypergeom_sf(x, m, k, n);
  const double log_pmf = hypergeom_log_pmf(x, m, k, n), log_cdf = hypergeom_log_cdf(x, m, k, n),
               log_sf = hypergeom_log_sf(x, m, k, n);
  if (a.has("json")) {
    JsonWriter j;
    j.begin_object().field("population", m).field("successes", k).field("draws", n).field("k", x);
    j.field("pmf", pmf).field("cdf", cdf).field("sf", sf).field("mean", mean).field("var", var);
    j.field("sd", std::sqrt(var)).field("log_pmf", log_pmf).field("log_cdf", log_cdf).field("log_sf", log_sf);
    j.field("support_lo", support.lo).field("support_hi", support.hi).field("mode", hypergeom_mode(m, k, n));
    j.end_object();
    std::printf("%s\n", j.str().c_str());
    return 0;
  }
  std::printf("hypergeometric(M = %lld, K = %lld, n = %lld): support [%lld, %lld], mean %.10g, var %.10g (sd %.6g)\n",
              static_cast<long long>(m), static_cast<long long>(k), static_cast<long long>(n),
              static_cast<long long>(support.lo), static_cast<long long>(support.hi), mean, var, std::sqrt(var));
  std::printf("at x = %lld:  P[X = x] = %.10g   P[X <= x] = %.10g   P[X > x] = %.10g\n", static_cast<long long>(x), pmf,
              cdf, sf);
  std::printf("natural logs: %.10g   %.10g   %.10g\n", log_pmf, log_cdf, log_sf);
  return 0;
}

}  // namespace

int cmd_stats(int argc, char** argv, int first) {
  const std::string which = first < argc ? argv[first] : "";
  if (which == "hypergeom") return hypergeom_command(argc, argv, first + 1);
  if (which.empty() || which == "--help" || which == "-h") {
    std::printf("usage: biornn stats hypergeom [options]     (biornn stats hypergeom --help)\n\n"
                "Statistics on the command line: hypergeom (the random-pruning MST-overlap baseline).\n");
    return which.empty() ? 2 : 0;
  }
  std::fprintf(stderr, "biornn stats: unknown statistic '%s' (available: hypergeom)\n", which.c_str());
  return 2;
}

}  // namespace biornn::cli
