// cmd_info.cpp — `biornn info`: what this binary is and what it will run on.
#include <cstdio>

#include "biornn/config.hpp"
#include "biornn/kernels.hpp"
#include "cli/args.hpp"
#include "cli/commands.hpp"

namespace biornn::cli {

int cmd_info(int argc, char** argv, int first) {
  Args args("biornn info", "Prints the version, the precision, and the kernels and thread count "
                           "that computations will use (after BIORNN_* environment overrides).",
            {});
  const Status st = args.parse(argc, argv, first);
  if (!st.ok()) return args.fail(st);
  if (args.help_requested()) {
    std::printf("%s", args.help_text().c_str());
    return 0;
  }
  std::printf("biornn %s (real = %s)\n%s\n", kVersion, kPrecisionName, kernel_summary().c_str());
  return 0;
}

}  // namespace biornn::cli
