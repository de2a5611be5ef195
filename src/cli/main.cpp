// main.cpp — the `biornn` program: dispatches to one sub-command per file in src/cli/.
#include <cstdio>
#include <cstring>
#include <string>

#include "biornn/config.hpp"
#include "biornn/kernels.hpp"

int main(int argc, char** argv) {
  if (argc < 2 || std::strcmp(argv[1], "--help") == 0) {
    std::printf("biornn %s\n", biornn::kVersion);
    return argc < 2 ? 2 : 0;
  }
  const biornn::Status status = biornn::configure_kernels_from_environment();
  if (!status.ok()) {
    std::fprintf(stderr, "biornn: %s\n", status.to_string().c_str());
    return 2;
  }
  std::printf("%s\n", biornn::kernel_summary().c_str());
  return 0;
}
