// npy.hpp — NumPy's .npy array files: what a neuroscientist opens with np.load.
//
// An .npy file is the magic "\x93NUMPY", a version (1.0, 2.0 or 3.0), a header length, an
// ASCII header holding a Python dict literal such as
//   {'descr': '<f4', 'fortran_order': False, 'shape': (2000, 15), }
// and then the raw elements. This module reads and writes versions 1.0-3.0 with the dtypes
// <f4, <f8, <i4, <i8, u1 (written |u1) and b1 (written |b1), in C order. The header dict is
// parsed by a small strict parser of exactly that literal grammar (strings, True/False, tuples
// of non-negative integers), not by pattern matching.
//
// Rejected with a clear Status: a wrong magic, an unknown version, a malformed or incomplete
// header, big-endian or other dtypes, Fortran order (with the numpy call that fixes it), a
// shape whose size overflows or disagrees with the bytes present, bool elements other than
// 0/1, and — when converting to a Matrix — NaN/Inf unless the caller allows them.
//
// Matrix conversions: a float build writes <f4, a double build <f8 (the type of `real`);
// reading accepts <f4 and <f8 in either build (f8 -> float rounds to nearest; a value too large
// for float becomes Inf and is reported as non-finite).
//
// Reference: NumPy Enhancement Proposal 1 / numpy.lib.format documentation ("A Simple File
// Format for NumPy Arrays"). Not here: .npz archives (npz.hpp), object arrays, pickles,
// structured dtypes, memory mapping.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "biornn/fileio.hpp"
#include "biornn/mask.hpp"
#include "biornn/matrix.hpp"
#include "biornn/status.hpp"

namespace biornn {

enum class NpyDtype : uint8_t { kFloat32, kFloat64, kInt32, kInt64, kUInt8, kBool };

// "<f4", "<f8", "<i4", "<i8", "|u1", "|b1" — the descr written to files.
const char* npy_dtype_descr(NpyDtype dtype);
// Bytes per element: 4, 8, 4, 8, 1, 1.
std::size_t npy_dtype_size(NpyDtype dtype);

struct NpyArray {
  NpyDtype dtype = NpyDtype::kFloat64;
  std::vector<int64_t> shape;  // C order; an empty shape is a 0-d array (one element)
  std::vector<uint8_t> data;   // element_count() elements, C order, host byte order

  int64_t element_count() const;
  // "(2000, 15)", "(3,)", "()" — as numpy prints shapes.
  std::string shape_string() const;
};

// ---- building arrays from library types (data is copied) -------------------------------------
// A Matrix as a 2-D array (rows, cols): <f4 in a float build, <f8 in a double build.
NpyArray npy_from_matrix(ConstMatrixView m);
// A Mask as a 2-D |b1 array (rows, cols).
NpyArray npy_from_mask(const Mask& mask);
// Flat vectors; `shape` defaults to 1-D (size). The shape's product must equal the size.
NpyArray npy_from_floats(const std::vector<float>& values, std::vector<int64_t> shape = {});
NpyArray npy_from_doubles(const std::vector<double>& values, std::vector<int64_t> shape = {});
NpyArray npy_from_int32(const std::vector<int32_t>& values, std::vector<int64_t> shape = {});
NpyArray npy_from_int64(const std::vector<int64_t>& values, std::vector<int64_t> shape = {});
NpyArray npy_from_uint8(const std::vector<uint8_t>& values, std::vector<int64_t> shape = {});
// Each value must be 0 or 1.
NpyArray npy_from_bools(const std::vector<uint8_t>& values, std::vector<int64_t> shape = {});

// ---- converting arrays to library types (errors name `name`, e.g. the file) --------------------
// A 2-D <f4/<f8 array as a (rows, cols) Matrix; a 1-D array of length n as (1, n), as
// numpy.atleast_2d does. NaN and ±Inf are errors unless allow_non_finite.
StatusOr<Matrix> npy_to_matrix(const NpyArray& array, const std::string& name,
                               bool allow_non_finite = false);
// A 2-D |b1 array, or u1 holding only 0 and 1, as a Mask.
StatusOr<Mask> npy_to_mask(const NpyArray& array, const std::string& name);
// Any integer or bool array, flattened in C order.
StatusOr<std::vector<int64_t>> npy_to_int64(const NpyArray& array, const std::string& name);

// ---- files -----------------------------------------------------------------------------------
// Parses .npy bytes already in memory. `name` is used in messages.
StatusOr<NpyArray> parse_npy(const uint8_t* data, std::size_t size, const std::string& name);
// The .npy bytes of an array: version 1.0 (2.0 if the header needs it), header padded with
// spaces so the data starts at a multiple of 64 bytes. The array must be consistent (data size
// = element count × item size) — a contract.
std::vector<uint8_t> encode_npy(const NpyArray& array);

StatusOr<NpyArray> load_npy(const std::string& path, uint64_t max_bytes = kDefaultMaxFileBytes);
// encode_npy, written atomically (temp file + fsync + rename).
Status save_npy(const std::string& path, const NpyArray& array);

}  // namespace biornn
