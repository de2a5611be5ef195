// cpu_features.cpp — does this CPU and OS support AVX2 + FMA? (CPUID leaf 1 and 7, XGETBV.)
//
// Compiles to "no" on anything that is not x86, so the library builds for aarch64 and others
// without change. This file needs no ISA flags: it only asks, it never executes AVX2.
#include "biornn/kernels.hpp"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

namespace biornn {

bool cpu_supports_avx2_fma() {
#if defined(__x86_64__) || defined(__i386__)
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return false;
  const bool fma = (ecx >> 12) & 1u;
  const bool osxsave = (ecx >> 27) & 1u;
  const bool avx = (ecx >> 28) & 1u;
  if (!(fma && osxsave && avx)) return false;
  // XCR0 bits 1 (SSE state) and 2 (AVX state): the OS saves YMM registers on context switch.
  unsigned xcr0_lo = 0, xcr0_hi = 0;
  __asm__ volatile("xgetbv" : "=a"(xcr0_lo), "=d"(xcr0_hi) : "c"(0));
  if ((xcr0_lo & 0x6u) != 0x6u) return false;
  if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return false;
  const bool avx2 = (ebx >> 5) & 1u;
  return avx2;
#else
  return false;
#endif
}

bool avx2_compiled() {
#ifdef BIORNN_HAVE_AVX2
  return true;
#else
  return false;
#endif
}

bool openmp_compiled() {
#ifdef _OPENMP
  return true;
#else
  return false;
#endif
}

}  // namespace biornn
