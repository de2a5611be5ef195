// main.cpp — the doctest runner for the whole suite (tests/test_<module>.cpp, one per module).
//
// Before running, the kernels are configured from the environment exactly as the program does,
// so `BIORNN_GEMM=packed_scalar make test` runs every test on the scalar kernel.
#define DOCTEST_CONFIG_IMPLEMENT
#include "doctest/doctest.h"

#include <cstdio>

#include "biornn/kernels.hpp"

int main(int argc, char** argv) {
  // Tests run 3 threads on 2 cores: spinning waits would make them crawl (see kernels.hpp).
  biornn::reexec_with_passive_openmp_wait(argv);
  const biornn::Status status = biornn::configure_kernels_from_environment();
  if (!status.ok()) {
    std::fprintf(stderr, "biornn_tests: %s\n", status.to_string().c_str());
    return 2;
  }
  std::printf("biornn tests: %s\n", biornn::kernel_summary().c_str());
  doctest::Context context;
  context.applyCommandLine(argc, argv);
  return context.run();
}
