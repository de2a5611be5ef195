// npy.cpp — reading and writing NumPy .npy files (numpy.lib.format, versions 1.0-3.0).
//
// The header dict is read by HeaderParser, a strict parser of the only literal grammar numpy
// writes there: {'key': value, ...} with string, True/False and tuple-of-integer values. No
// recursion (tuples hold integers only), every read checked against the header's end.
#include "biornn/npy.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>

namespace biornn {
namespace {

const char kMagic[] = "\x93NUMPY";  // 6 bytes

bool host_is_little_endian() {
  const uint16_t probe = 1;
  uint8_t first;
  std::memcpy(&first, &probe, 1);
  return first == 1;
}

// .npy data is little-endian; reverses each element on a big-endian host (no-op elsewhere).
void to_or_from_little_endian(uint8_t* data, std::size_t bytes, std::size_t width) {
  if (width == 1 || host_is_little_endian()) return;
  for (std::size_t i = 0; i + width <= bytes; i += width) std::reverse(data + i, data + i + width);
}

// A few characters at `p` for messages, non-printable bytes as \xNN.
std::string snippet(const char* p, const char* end) {
  if (p >= end) return "the end of the header";
  std::string s = "'";
  for (int i = 0; i < 16 && p < end; ++i, ++p) {
    const unsigned char ch = static_cast<unsigned char>(*p);
    if (ch >= 0x20 && ch < 0x7F) {
      s += char(ch);
    } else {
      const char* digits = "0123456789abcdef";
      s += std::string("\\x") + digits[ch >> 4] + digits[ch & 15];
    }
  }
  return s + (p < end ? "...'" : "'");
}

struct NpyHeader {
  std::string descr;
  bool fortran_order = false;
  std::vector<int64_t> shape;
};

// Parses the header dict; see the file comment for the grammar.
class HeaderParser {
 public:
  HeaderParser(const char* text, std::size_t size, const std::string& name, std::size_t base)
      : begin_(text), p_(text), end_(text + size), name_(name), base_(base) {}

  Status parse(NpyHeader* header) {
    bool seen[3] = {false, false, false};
    skip_space();
    BIORNN_RETURN_IF_ERROR(expect('{', "'{' opening the header dict"));
    for (skip_space(); !at('}'); skip_space()) {
      std::string key;
      const char* key_at = p_;
      BIORNN_RETURN_IF_ERROR(parse_string(&key, "a quoted key"));
      skip_space();
      BIORNN_RETURN_IF_ERROR(expect(':', "':' after the key"));
      skip_space();
      int which = key == "descr" ? 0 : key == "fortran_order" ? 1 : key == "shape" ? 2 : -1;
      if (which < 0)
        return error_at(key_at, "unexpected key '" + key + "' (a .npy header has exactly the "
                                "keys 'descr', 'fortran_order' and 'shape')");
      if (seen[which]) return error_at(key_at, "the key '" + key + "' appears twice");
      seen[which] = true;
      if (which == 0) BIORNN_RETURN_IF_ERROR(parse_descr(&header->descr));
      if (which == 1) BIORNN_RETURN_IF_ERROR(parse_bool(&header->fortran_order));
      if (which == 2) BIORNN_RETURN_IF_ERROR(parse_tuple(&header->shape));
      skip_space();
      if (at(',')) {
        ++p_;
        continue;
      }
      if (!at('}')) return error_at(p_, "expected ',' or '}' after the value of '" + key + "'");
    }
    ++p_;  // '}'
    skip_space();
    if (p_ != end_) return error_at(p_, "unexpected text after the header dict");
    for (int k = 0; k < 3; ++k) {
      static const char* const keys[3] = {"descr", "fortran_order", "shape"};
      if (!seen[k]) return error_at(p_, std::string("the header has no '") + keys[k] + "' key");
    }
    return Status();
  }

 private:
  Status error_at(const char* at_p, const std::string& what) const {
    return corrupt(name_ + ": malformed .npy header at byte " +
                   std::to_string(base_ + std::size_t(at_p - begin_)) + ": " + what + ", found " +
                   snippet(at_p, end_));
  }
  bool at(char c) const { return p_ < end_ && *p_ == c; }
  void skip_space() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\t' || *p_ == '\n' || *p_ == '\r' || *p_ == '\f'))
      ++p_;
  }
  Status expect(char c, const char* what) {
    if (!at(c)) return error_at(p_, std::string("expected ") + what);
    ++p_;
    return Status();
  }
  Status parse_string(std::string* out, const char* what) {
    if (!at('\'') && !at('"')) return error_at(p_, std::string("expected ") + what);
    const char quote = *p_;
    const char* start = ++p_;
    while (p_ < end_ && *p_ != quote) {
      if (*p_ == '\\') return error_at(p_, "escape sequences in header strings are not supported");
      if (*p_ == '\n') return error_at(start - 1, "unterminated string");
      ++p_;
    }
    if (p_ == end_) return error_at(start - 1, "unterminated string");
    out->assign(start, p_);
    ++p_;
    return Status();
  }
  Status parse_descr(std::string* out) {
    if (at('['))
      return unsupported(name_ + ": structured dtypes (a list as 'descr') are not supported; "
                         "save each field as its own array");
    return parse_string(out, "a quoted dtype such as '<f8' for 'descr'");
  }
  Status parse_bool(bool* out) {
    for (const char* word : {"True", "False"}) {
      const std::size_t n = std::strlen(word);
      if (std::size_t(end_ - p_) >= n && std::memcmp(p_, word, n) == 0) {
        *out = word[0] == 'T';
        p_ += n;
        return Status();
      }
    }
    return error_at(p_, "expected True or False for 'fortran_order'");
  }
  Status parse_int(int64_t* out) {
    if (p_ == end_ || *p_ < '0' || *p_ > '9')
      return error_at(p_, "expected a non-negative integer dimension");
    int64_t v = 0;
    for (; p_ < end_ && *p_ >= '0' && *p_ <= '9'; ++p_) {
      const int digit = *p_ - '0';
      if (v > (std::numeric_limits<int64_t>::max() - digit) / 10)
        return error_at(p_, "a dimension too large for a 64-bit integer");
      v = v * 10 + digit;
    }
    if (at('L')) ++p_;  // Python 2 long literal, as numpy under Python 2 wrote them
    *out = v;
    return Status();
  }
  Status parse_tuple(std::vector<int64_t>* out) {
    const char* open = p_;
    BIORNN_RETURN_IF_ERROR(expect('(', "a tuple such as (3, 4) for 'shape'"));
    skip_space();
    bool comma_seen = false;
    while (!at(')')) {
      int64_t v = 0;
      BIORNN_RETURN_IF_ERROR(parse_int(&v));
      out->push_back(v);
      skip_space();
      if (at(',')) {
        ++p_;
        comma_seen = true;
        skip_space();
      } else if (!at(')')) {
        return error_at(p_, "expected ',' or ')' in the shape tuple");
      }
    }
    if (out->size() == 1 && !comma_seen)
      return error_at(open, "a shape that is not a tuple (a 1-tuple is written (n,))");
    ++p_;
    return Status();
  }

  const char* begin_;
  const char* p_;
  const char* end_;
  const std::string& name_;
  std::size_t base_;
};

// Maps a descr to a dtype, or explains what to do instead.
Status dtype_from_descr(const std::string& descr, const std::string& name, NpyDtype* out) {
  const std::string supported = "supported: <f4, <f8, <i4, <i8, |u1, |b1";
  if (descr.size() == 3) {
    const char order = descr[0];
    const std::string kind = descr.substr(1);
    if ((kind == "u1" || kind == "b1") && std::strchr("|<>=", order) != nullptr) {
      *out = kind == "u1" ? NpyDtype::kUInt8 : NpyDtype::kBool;
      return Status();
    }
    const char* kinds[4] = {"f4", "f8", "i4", "i8"};
    const NpyDtype types[4] = {NpyDtype::kFloat32, NpyDtype::kFloat64, NpyDtype::kInt32,
                               NpyDtype::kInt64};
    for (int k = 0; k < 4; ++k) {
      if (kind != kinds[k]) continue;
      if (order == '<') {
        *out = types[k];
        return Status();
      }
      return unsupported(name + ": dtype '" + descr + "' is not little-endian (" + supported +
                         ") — convert with a.astype('<" + kind + "')");
    }
  }
  if (descr.size() >= 2 && descr[1] == 'O')
    return unsupported(name + ": object arrays ('" + descr + "') hold pickled Python objects and "
                       "are not supported");
  return unsupported(name + ": dtype '" + descr + "' is not supported (" + supported +
                     ") — convert with a.astype(np.float64) or a.astype(np.int64)");
}

// Element count of `shape` if its data fits in `available` bytes of `item`-byte elements.
bool shape_bytes(const std::vector<int64_t>& shape, std::size_t item, std::size_t available,
                 std::size_t* bytes) {
  std::size_t b = item;
  bool overflow = false;
  for (const int64_t d : shape) {
    if (d == 0) {
      *bytes = 0;
      return true;
    }
    if (overflow || uint64_t(d) > available / b) overflow = true;
    else b *= std::size_t(d);
  }
  *bytes = b;
  return !overflow;
}

std::string shape_text(const std::vector<int64_t>& shape) {
  if (shape.size() == 1) return "(" + std::to_string(shape[0]) + ",)";
  std::string s = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + ")";
}

// Parses the fixed prefix; *header_at and *header_len locate the dict.
Status parse_prefix(const uint8_t* d, std::size_t size, const std::string& name,
                    std::size_t* header_at, std::size_t* header_len) {
  if (size < 6 || std::memcmp(d, kMagic, 6) != 0) {
    const bool zip = size >= 4 && d[0] == 'P' && d[1] == 'K' && d[2] == 3 && d[3] == 4;
    const std::string found =
        size == 0 ? "an empty file"
                  : snippet(reinterpret_cast<const char*>(d),
                            reinterpret_cast<const char*>(d) + std::min<std::size_t>(size, 6));
    return corrupt(name + ": expected the .npy magic \\x93NUMPY at byte 0, found " + found +
                   (zip ? " — this is a zip archive (.npz?); read it with load_npz"
                        : " — this is not a .npy file"));
  }
  if (size < 8) return corrupt(name + ": the file ends inside the .npy version (byte 6)");
  const int major = d[6], minor = d[7];
  if (major < 1 || major > 3 || minor != 0)
    return unsupported(name + ": .npy format version " + std::to_string(major) + "." +
                       std::to_string(minor) + " at byte 6 is not supported (known: 1.0, 2.0, 3.0)");
  *header_at = major == 1 ? 10 : 12;
  if (size < *header_at)
    return corrupt(name + ": the file ends inside the .npy header length (byte 8)");
  *header_len = major == 1 ? std::size_t(d[8]) | std::size_t(d[9]) << 8
                           : std::size_t(d[8]) | std::size_t(d[9]) << 8 |
                                 std::size_t(d[10]) << 16 | std::size_t(d[11]) << 24;
  if (*header_len > size - *header_at)
    return corrupt(name + ": the .npy header length at byte 8 says " + std::to_string(*header_len) +
                   " bytes, but only " + std::to_string(size - *header_at) +
                   " follow — the file is truncated");
  if (major < 3) {
    for (std::size_t i = 0; i < *header_len; ++i) {
      if (d[*header_at + i] < 0x80) continue;
      return corrupt(name + ": non-ASCII byte in the version " + std::to_string(major) +
                     ".0 .npy header at byte " + std::to_string(*header_at + i));
    }
  }
  return Status();
}

// Checks data[0, n) of a bool array holds only 0 and 1.
Status check_bools(const uint8_t* data, std::size_t n, const std::string& name, std::size_t base) {
  for (std::size_t i = 0; i < n; ++i) {
    if (data[i] <= 1) continue;
    return corrupt(name + ": bool element " + std::to_string(i) + " (byte " +
                   std::to_string(base + i) + ") is " + std::to_string(data[i]) +
                   "; a bool array holds only 0 and 1");
  }
  return Status();
}

NpyArray from_raw(NpyDtype dtype, const void* values, std::size_t count,
                  std::vector<int64_t> shape) {
  if (shape.empty()) shape.push_back(int64_t(count));
  NpyArray a;
  a.dtype = dtype;
  a.shape = std::move(shape);
  BIORNN_CHECK(a.element_count() == int64_t(count),
               "npy_from_*: shape " + a.shape_string() + " holds " +
                   std::to_string(a.element_count()) + " elements, the values " +
                   std::to_string(count));
  const std::size_t bytes = count * npy_dtype_size(dtype);
  a.data.resize(bytes);
  if (bytes != 0) std::memcpy(a.data.data(), values, bytes);
  return a;
}

// Arrays built by hand must have as many bytes as their shape says: a contract.
void check_consistent(const NpyArray& a, const char* what) {
  BIORNN_CHECK(uint64_t(a.element_count()) * npy_dtype_size(a.dtype) == a.data.size(),
               std::string(what) + ": shape " + a.shape_string() + " needs " +
                   std::to_string(uint64_t(a.element_count()) * npy_dtype_size(a.dtype)) +
                   " bytes of " + npy_dtype_descr(a.dtype) + ", data holds " +
                   std::to_string(a.data.size()));
}

std::string number_text(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.9g", v);
  return buffer;
}

// Rows and columns of a 1-D or 2-D array as a matrix shape.
Status matrix_shape(const NpyArray& a, const std::string& name, int32_t* rows, int32_t* cols) {
  if (a.shape.size() != 1 && a.shape.size() != 2)
    return invalid_argument(name + ": expected a 1-D or 2-D array, found shape " +
                            a.shape_string());
  const int64_t r = a.shape.size() == 2 ? a.shape[0] : 1;
  const int64_t c = a.shape.back();
  if (r > std::numeric_limits<int32_t>::max() || c > std::numeric_limits<int32_t>::max())
    return resource_exhausted(name + ": shape " + a.shape_string() +
                              " has a side over 2^31 - 1, the largest matrix side");
  *rows = int32_t(r);
  *cols = int32_t(c);
  return Status();
}

}  // namespace

const char* npy_dtype_descr(NpyDtype dtype) {
  switch (dtype) {
    case NpyDtype::kFloat32: return "<f4";
    case NpyDtype::kFloat64: return "<f8";
    case NpyDtype::kInt32: return "<i4";
    case NpyDtype::kInt64: return "<i8";
    case NpyDtype::kUInt8: return "|u1";
    case NpyDtype::kBool: return "|b1";
  }
  return "?";
}

std::size_t npy_dtype_size(NpyDtype dtype) {
  switch (dtype) {
    case NpyDtype::kFloat32:
    case NpyDtype::kInt32: return 4;
    case NpyDtype::kFloat64:
    case NpyDtype::kInt64: return 8;
    case NpyDtype::kUInt8:
    case NpyDtype::kBool: return 1;
  }
  return 1;
}

int64_t NpyArray::element_count() const {
  // A zero dimension makes the count 0 however large the others are; multiplying in order
  // would overflow on the way to it (found by fuzz_npy). Without a zero, the parser has
  // already checked that the product fits the file.
  for (const int64_t d : shape)
    if (d == 0) return 0;
  int64_t n = 1;
  for (const int64_t d : shape) n *= d;
  return n;
}

std::string NpyArray::shape_string() const { return shape_text(shape); }

NpyArray npy_from_matrix(ConstMatrixView m) {
  NpyArray a;
  a.dtype = sizeof(real) == 4 ? NpyDtype::kFloat32 : NpyDtype::kFloat64;
  a.shape = {m.rows, m.cols};
  a.data.resize(std::size_t(m.size()) * sizeof(real));
  for (int32_t i = 0; i < m.rows; ++i)
    std::memcpy(a.data.data() + std::size_t(i) * m.cols * sizeof(real), m.row(i),
                std::size_t(m.cols) * sizeof(real));
  return a;
}

NpyArray npy_from_mask(const Mask& mask) {
  return from_raw(NpyDtype::kBool, mask.data(), std::size_t(mask.rows()) * mask.cols(),
                  {mask.rows(), mask.cols()});
}

NpyArray npy_from_floats(const std::vector<float>& values, std::vector<int64_t> shape) {
  return from_raw(NpyDtype::kFloat32, values.data(), values.size(), std::move(shape));
}
NpyArray npy_from_doubles(const std::vector<double>& values, std::vector<int64_t> shape) {
  return from_raw(NpyDtype::kFloat64, values.data(), values.size(), std::move(shape));
}
NpyArray npy_from_int32(const std::vector<int32_t>& values, std::vector<int64_t> shape) {
  return from_raw(NpyDtype::kInt32, values.data(), values.size(), std::move(shape));
}
NpyArray npy_from_int64(const std::vector<int64_t>& values, std::vector<int64_t> shape) {
  return from_raw(NpyDtype::kInt64, values.data(), values.size(), std::move(shape));
}
NpyArray npy_from_uint8(const std::vector<uint8_t>& values, std::vector<int64_t> shape) {
  return from_raw(NpyDtype::kUInt8, values.data(), values.size(), std::move(shape));
}
NpyArray npy_from_bools(const std::vector<uint8_t>& values, std::vector<int64_t> shape) {
  for (std::size_t i = 0; i < values.size(); ++i)
    BIORNN_CHECK(values[i] <= 1, "npy_from_bools: value " + std::to_string(i) + " is " +
                                     std::to_string(values[i]) + ", expected 0 or 1");
  return from_raw(NpyDtype::kBool, values.data(), values.size(), std::move(shape));
}

StatusOr<Matrix> npy_to_matrix(const NpyArray& a, const std::string& name, bool allow_non_finite) {
  check_consistent(a, "npy_to_matrix");
  if (a.dtype != NpyDtype::kFloat32 && a.dtype != NpyDtype::kFloat64)
    return invalid_argument(name + ": expected a floating-point array (<f4 or <f8), found " +
                            npy_dtype_descr(a.dtype) + " — convert with a.astype(np.float64)");
  int32_t rows = 0, cols = 0;
  BIORNN_RETURN_IF_ERROR(matrix_shape(a, name, &rows, &cols));
  Matrix m(rows, cols);
  const bool f32 = a.dtype == NpyDtype::kFloat32;
  for (int64_t k = 0; k < m.size(); ++k) {
    double v;
    if (f32) {
      float f;
      std::memcpy(&f, a.data.data() + k * 4, 4);
      v = f;
    } else {
      std::memcpy(&v, a.data.data() + k * 8, 8);
    }
    const real r = real(v);
    if (!allow_non_finite && !std::isfinite(r)) {
      const std::string where = "element (" + std::to_string(k / std::max(cols, 1)) + ", " +
                                std::to_string(k % std::max(cols, 1)) + ")";
      if (std::isfinite(v))
        return invalid_argument(name + ": " + where + " = " + number_text(v) +
                                " is too large for " + kPrecisionName + " (it becomes inf)");
      return invalid_argument(name + ": " + where + " is " + (std::isnan(v) ? "NaN" : "infinite") +
                              "; expected finite values (the caller can allow NaN/Inf)");
    }
    m.data()[k] = r;
  }
  return m;
}

StatusOr<Mask> npy_to_mask(const NpyArray& a, const std::string& name) {
  check_consistent(a, "npy_to_mask");
  if (a.dtype != NpyDtype::kBool && a.dtype != NpyDtype::kUInt8)
    return invalid_argument(name + ": expected a bool (|b1) or uint8 (|u1) array for a mask, found " +
                            std::string(npy_dtype_descr(a.dtype)) + " — convert with a.astype(bool)");
  if (a.shape.size() != 2)
    return invalid_argument(name + ": expected a 2-D mask, found shape " + a.shape_string());
  int32_t rows = 0, cols = 0;
  BIORNN_RETURN_IF_ERROR(matrix_shape(a, name, &rows, &cols));
  BIORNN_RETURN_IF_ERROR(check_bools(a.data.data(), a.data.size(), name, 0));
  Mask mask(rows, cols);
  if (!a.data.empty()) std::memcpy(mask.data(), a.data.data(), a.data.size());
  return mask;
}

StatusOr<std::vector<int64_t>> npy_to_int64(const NpyArray& a, const std::string& name) {
  check_consistent(a, "npy_to_int64");
  if (a.dtype == NpyDtype::kFloat32 || a.dtype == NpyDtype::kFloat64)
    return invalid_argument(name + ": expected an integer array, found " +
                            std::string(npy_dtype_descr(a.dtype)) + " — convert with a.astype(np.int64)");
  const std::size_t n = std::size_t(a.element_count());
  std::vector<int64_t> out(n);
  for (std::size_t i = 0; i < n; ++i) {
    if (a.dtype == NpyDtype::kInt32) {
      int32_t v;
      std::memcpy(&v, a.data.data() + i * 4, 4);
      out[i] = v;
    } else if (a.dtype == NpyDtype::kInt64) {
      std::memcpy(&out[i], a.data.data() + i * 8, 8);
    } else {
      out[i] = a.data[i];
    }
  }
  return out;
}

StatusOr<NpyArray> parse_npy(const uint8_t* d, std::size_t size, const std::string& name) {
  std::size_t header_at = 0, header_len = 0;
  BIORNN_RETURN_IF_ERROR(parse_prefix(d, size, name, &header_at, &header_len));
  NpyHeader header;
  HeaderParser parser(reinterpret_cast<const char*>(d + header_at), header_len, name, header_at);
  BIORNN_RETURN_IF_ERROR(parser.parse(&header));
  NpyArray a;
  BIORNN_RETURN_IF_ERROR(dtype_from_descr(header.descr, name, &a.dtype));
  a.shape = header.shape;
  int non_trivial = 0;  // in Fortran order only dims > 1 change the layout
  for (const int64_t dim : a.shape) non_trivial += dim > 1;
  if (header.fortran_order && non_trivial > 1)
    return unsupported(name + ": the array " + a.shape_string() + " is stored in Fortran order; "
                       "only C order is supported — save np.ascontiguousarray(a) instead");
  const std::size_t data_at = header_at + header_len;
  const std::size_t available = size - data_at;
  const std::size_t item = npy_dtype_size(a.dtype);
  std::size_t bytes = 0;
  const bool fits = shape_bytes(a.shape, item, available, &bytes);
  if (!fits || bytes != available)
    return corrupt(name + ": shape " + a.shape_string() + " of " + header.descr + " needs " +
                   (fits ? std::to_string(bytes) : std::string("more")) + " bytes of data after byte " +
                   std::to_string(data_at) + ", but " + std::to_string(available) + " follow — " +
                   (!fits || bytes > available ? "the file is truncated"
                                               : "trailing bytes: wrong shape or damaged file"));
  if (a.dtype == NpyDtype::kBool) BIORNN_RETURN_IF_ERROR(check_bools(d + data_at, bytes, name, data_at));
  a.data.assign(d + data_at, d + size);
  to_or_from_little_endian(a.data.data(), a.data.size(), item);
  return a;
}

std::vector<uint8_t> encode_npy(const NpyArray& a) {
  check_consistent(a, "encode_npy");
  const std::size_t item = npy_dtype_size(a.dtype);
  const std::string dict = std::string("{'descr': '") + npy_dtype_descr(a.dtype) +
                           "', 'fortran_order': False, 'shape': " + a.shape_string() + ", }";
  int major = 1;
  std::size_t prefix = 10;
  std::size_t total = prefix + dict.size() + 1;  // + '\n'
  if (total + 63 - prefix > 65535) {
    major = 2;
    prefix = 12;
    total = prefix + dict.size() + 1;
  }
  const std::size_t padding = (64 - total % 64) % 64;
  const std::size_t header_len = dict.size() + padding + 1;
  std::vector<uint8_t> out(kMagic, kMagic + 6);
  out.push_back(uint8_t(major));
  out.push_back(0);
  for (std::size_t k = 0; k < prefix - 8; ++k) out.push_back(uint8_t(header_len >> (8 * k)));
  out.insert(out.end(), dict.begin(), dict.end());
  out.insert(out.end(), padding, uint8_t(' '));
  out.push_back('\n');
  const std::size_t data_at = out.size();
  out.insert(out.end(), a.data.begin(), a.data.end());
  to_or_from_little_endian(out.data() + data_at, a.data.size(), item);
  return out;
}

StatusOr<NpyArray> load_npy(const std::string& path, uint64_t max_bytes) {
  StatusOr<std::vector<uint8_t>> bytes = read_file(path, max_bytes);
  if (!bytes.ok()) return bytes.status();
  return parse_npy(bytes.value().data(), bytes.value().size(), path);
}

Status save_npy(const std::string& path, const NpyArray& array) {
  return write_file_atomic(path, encode_npy(array));
}

}  // namespace biornn
