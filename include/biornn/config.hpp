// config.hpp — build-wide constants: the library version and the scalar type `real`.
//
// `real` is float unless the library is built with BIORNN_DOUBLE (make PREC=double), in which
// case every matrix, kernel and tape value is double. Nothing in the library mixes the two:
// reference kernels accumulate in double internally, but their inputs and outputs are `real`.
// Dimensions are int32_t (a matrix side never exceeds 2^31 − 1); element offsets are int64_t.
#pragma once

#include <cstdint>

#define BIORNN_VERSION_MAJOR 0
#define BIORNN_VERSION_MINOR 1
#define BIORNN_VERSION_PATCH 0
#define BIORNN_VERSION_STRING "0.1.0"

namespace biornn {

#ifdef BIORNN_DOUBLE
using real = double;
inline constexpr const char* kPrecisionName = "double";
#else
using real = float;
inline constexpr const char* kPrecisionName = "float";
#endif

inline constexpr const char* kVersion = BIORNN_VERSION_STRING;

// Alignment of every Matrix allocation, in bytes: one cache line, and enough for any AVX load.
inline constexpr std::size_t kMatrixAlignment = 64;

}  // namespace biornn
