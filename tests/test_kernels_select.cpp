// test_kernels_select.cpp — kernel names, availability and run-time selection.
#include "doctest/doctest.h"

#include "biornn/kernels.hpp"

using namespace biornn;

TEST_CASE("kernel names round-trip through the parsers and unknown names are rejected") {
  for (GemmKernel k : {GemmKernel::kRef, GemmKernel::kPackedScalar, GemmKernel::kPackedAvx2}) {
    GemmKernel parsed;
    REQUIRE(parse_gemm_kernel(gemm_kernel_name(k), &parsed));
    CHECK(parsed == k);
  }
  for (MathKernel k : {MathKernel::kLibm, MathKernel::kPortable, MathKernel::kAvx2}) {
    MathKernel parsed;
    REQUIRE(parse_math_kernel(math_kernel_name(k), &parsed));
    CHECK(parsed == k);
  }
  GemmKernel g;
  CHECK_FALSE(parse_gemm_kernel("packed", &g));
  CHECK_FALSE(parse_gemm_kernel("", &g));
  MathKernel m;
  CHECK_FALSE(parse_math_kernel("fast", &m));
}

TEST_CASE("portable kernels are always available; AVX2 needs both the build and the CPU") {
  CHECK(gemm_kernel_available(GemmKernel::kRef));
  CHECK(gemm_kernel_available(GemmKernel::kPackedScalar));
  CHECK(math_kernel_available(MathKernel::kLibm));
  CHECK(math_kernel_available(MathKernel::kPortable));
  CHECK(gemm_kernel_available(GemmKernel::kPackedAvx2) ==
        (avx2_compiled() && cpu_supports_avx2_fma()));
}

TEST_CASE("set_gemm_kernel and set_threads change the active choice and reject bad values") {
  const GemmKernel saved = active_gemm_kernel();
  const int saved_threads = active_threads();
  set_gemm_kernel(GemmKernel::kRef);
  CHECK(active_gemm_kernel() == GemmKernel::kRef);
  if (!gemm_kernel_available(GemmKernel::kPackedAvx2))
    CHECK_THROWS_AS(set_gemm_kernel(GemmKernel::kPackedAvx2), ContractViolation);
  CHECK_THROWS_AS(set_threads(0), ContractViolation);
  set_threads(3);
  CHECK(active_threads() == (openmp_compiled() ? 3 : 1));
  set_gemm_kernel(saved);
  set_threads(saved_threads);
  CHECK(kernel_summary().find(gemm_kernel_name(saved)) != std::string::npos);
}
