// cmd_verify.cpp — `biornn verify`: every theorem of the paper checked numerically (SPEC §6;
// the checks are verify.hpp's), as a table or one JSON object.
//
// Exit status: 0 when every check passes, 1 when any fails (demonstrations — rows where an
// assumption is broken on purpose — never count), 2 for bad usage. The time taken goes to
// stderr so that stdout stays identical from run to run.
//
// Not here: the checks themselves (src/verify_*.cpp), the longer stories (examples/07–15).
#include <chrono>
#include <cstdint>
#include <cstdio>

#include "biornn/config.hpp"
#include "biornn/json.hpp"
#include "biornn/verify.hpp"
#include "cli/args.hpp"
#include "cli/commands.hpp"

namespace biornn::cli {

namespace {

void write_check(JsonWriter& j, const VerifyCheck& c) {
  j.begin_object();
  j.field("id", c.id).field("name", c.name).field("statement", c.statement);
  j.field("relation", verify_relation_symbol(c.relation));
  j.field("measured", c.measured).field("bound", c.bound).field("tolerance", c.tolerance);
  j.field("slack", c.slack).field("ratio", c.ratio).field("verdict", verify_verdict(c));
  j.field("details", c.details);
  j.end_object();
}

void print_table(const VerifyReport& r) {
  std::printf("%s\n", verify_table_header().c_str());
  for (const VerifyCheck& c : r.checks) std::printf("%s\n", verify_table_row(c).c_str());
  std::printf("\ndemonstrations (an assumption broken on purpose; not counted):\n");
  for (const VerifyCheck& c : r.demonstrations) std::printf("%s\n", verify_table_row(c).c_str());
  std::printf("\nslack: for <= rows bound/measured, for >= rows measured/bound; for == rows the distance\n"
              "from the expectation as a share of the tolerance (4 standard errors).\n");
  std::printf("\nstatements and constructions:\n");
  for (const std::vector<VerifyCheck>* list : {&r.checks, &r.demonstrations})
    for (const VerifyCheck& c : *list)
      std::printf("  %-11s %s\n  %-11s %s\n", c.name.c_str(), c.statement.c_str(), "", c.details.c_str());
}

}  // namespace

int cmd_verify(int argc, char** argv, int first) {
  Args a("biornn verify",
         "Checks the paper's results numerically: Theorem 5, Corollary 6, Lemma 1, Theorem 2, Lemma 3,\n"
         "Theorem 4, App. 7, App. 9, App. 10.1 and 10.2, each on a problem where its assumptions hold,\n"
         "with the bound computed from that problem's own constants; plus demonstration rows where an\n"
         "assumption is broken on purpose. Prints a table (result, measured, bound, slack, verdict);\n"
         "exit status 1 if any check fails.",
         {{"json", "", "one JSON object {\"checks\":[...],\"demonstrations\":[...]} instead of the table", ""},
          {"seed", "N", "seed of every problem (each check draws from its own stream)", "1"}});
  Status st = a.parse(argc, argv, first);
  if (!st.ok()) return a.fail(st);
  if (a.help_requested()) {
    std::printf("%s", a.help_text().c_str());
    return 0;
  }
  int64_t seed = 1;
  st = a.get_int("seed", 0, INT64_MAX, &seed);
  if (!st.ok()) return a.fail(st);
  VerifyOptions options;
  options.seed = uint64_t(seed);
  const auto start = std::chrono::steady_clock::now();
  const VerifyReport report = verify_all(options);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (a.has("json")) {
    JsonWriter j;
    j.begin_object().field("seed", seed).field("precision", kPrecisionName).field("all_pass", report.all_pass());
    j.key("checks").begin_array();
    for (const VerifyCheck& c : report.checks) write_check(j, c);
    j.end_array().key("demonstrations").begin_array();
    for (const VerifyCheck& c : report.demonstrations) write_check(j, c);
    j.end_array().end_object();
    std::printf("%s\n", j.str().c_str());
  } else {
    std::printf("biornn verify: the paper's results checked numerically (seed %lld, %s build)\n\n",
                static_cast<long long>(seed), kPrecisionName);
    print_table(report);
    int failed = 0;
    for (const VerifyCheck& c : report.checks) failed += c.pass ? 0 : 1;
    std::printf("\n%d of %zu checks passed\n", int(report.checks.size()) - failed, report.checks.size());
  }
  std::fprintf(stderr, "biornn verify: %.2f s\n", seconds);
  return report.all_pass() ? 0 : 1;
}

}  // namespace biornn::cli
