// checkpoint.cpp — encoding and careful decoding of the checkpoint container (layout in
// checkpoint.hpp). The decoder treats the bytes as hostile: every length is checked against
// what remains before it is used, so a truncated or corrupted file is an error, not a crash.
#include "biornn/checkpoint.hpp"

#include <cstring>

#include "biornn/fileio.hpp"

namespace biornn {

namespace {

constexpr char kMagic[8] = {'B', 'I', 'O', 'R', 'N', 'N', 'C', 'K'};

void put_bytes(std::vector<uint8_t>& out, const void* p, std::size_t n) {
  const uint8_t* b = static_cast<const uint8_t*>(p);
  out.insert(out.end(), b, b + n);
}

template <class T>
void put_le(std::vector<uint8_t>& out, T value) {
  for (std::size_t i = 0; i < sizeof(T); ++i) out.push_back(uint8_t(uint64_t(value) >> (8 * i)));
}

// Reads little-endian values from a byte range, failing (not reading) past its end.
class Cursor {
 public:
  Cursor(const std::vector<uint8_t>& bytes, std::size_t end, const std::string& source)
      : bytes_(bytes), end_(end), source_(source) {}

  template <class T>
  Status read(T* out, const char* what) {
    if (end_ - pos_ < sizeof(T)) return truncated(what, sizeof(T));
    uint64_t v = 0;
    for (std::size_t i = 0; i < sizeof(T); ++i) v |= uint64_t(bytes_[pos_ + i]) << (8 * i);
    *out = T(v);
    pos_ += sizeof(T);
    return Status();
  }
  Status read_bytes(void* out, uint64_t n, const char* what) {
    if (uint64_t(end_ - pos_) < n) return truncated(what, n);
    if (n > 0) std::memcpy(out, bytes_.data() + pos_, std::size_t(n));
    pos_ += std::size_t(n);
    return Status();
  }
  std::size_t position() const { return pos_; }
  std::size_t remaining() const { return end_ - pos_; }

 private:
  Status truncated(const char* what, uint64_t needed) const {
    return corrupt(source_ + ": truncated at byte " + std::to_string(pos_) + ": expected " +
                   std::to_string(needed) + " bytes of " + what + ", only " +
                   std::to_string(end_ - pos_) + " remain");
  }
  const std::vector<uint8_t>& bytes_;
  std::size_t end_;
  std::size_t pos_ = 0;
  const std::string& source_;
};

bool valid_name(const std::string& name) {
  if (name.empty() || name.size() > 255) return false;
  for (char c : name)
    if (c < 0x21 || c > 0x7e) return false;
  return true;
}

}  // namespace

Checkpoint::Entry& Checkpoint::slot(const std::string& name, Kind kind) {
  BIORNN_CHECK(valid_name(name), "checkpoint entry names are 1–255 printable ASCII characters "
                                 "without spaces, got '" + name + "'");
  for (Entry& e : entries_) {
    if (e.name == name) {
      e.kind = kind;
      return e;
    }
  }
  entries_.push_back(Entry());
  entries_.back().name = name;
  entries_.back().kind = kind;
  return entries_.back();
}

const Checkpoint::Entry* Checkpoint::find(const std::string& name) const {
  for (const Entry& e : entries_)
    if (e.name == name) return &e;
  return nullptr;
}

void Checkpoint::set_text(const std::string& name, const std::string& text) { slot(name, Kind::kText).text = text; }
void Checkpoint::set_u64(const std::string& name, uint64_t value) { slot(name, Kind::kU64).u64 = value; }
void Checkpoint::set_matrix(const std::string& name, ConstMatrixView m) {
  slot(name, Kind::kMatrix).matrix = Matrix::copy_of(m);
}

bool Checkpoint::has(const std::string& name) const { return find(name) != nullptr; }

Status Checkpoint::get_text(const std::string& name, std::string* out) const {
  const Entry* e = find(name);
  if (e == nullptr) return not_found(source_ + ": no entry '" + name + "'");
  if (e->kind != Kind::kText) return corrupt(source_ + ": entry '" + name + "' is not text");
  *out = e->text;
  return Status();
}

Status Checkpoint::get_u64(const std::string& name, uint64_t* out) const {
  const Entry* e = find(name);
  if (e == nullptr) return not_found(source_ + ": no entry '" + name + "'");
  if (e->kind != Kind::kU64) return corrupt(source_ + ": entry '" + name + "' is not an integer");
  *out = e->u64;
  return Status();
}

Status Checkpoint::get_matrix(const std::string& name, Matrix* out, int32_t rows, int32_t cols) const {
  const Entry* e = find(name);
  if (e == nullptr) return not_found(source_ + ": no entry '" + name + "'");
  if (e->kind != Kind::kMatrix) return corrupt(source_ + ": entry '" + name + "' is not a matrix");
  if ((rows >= 0 && e->matrix.rows() != rows) || (cols >= 0 && e->matrix.cols() != cols))
    return invalid_argument(source_ + ": entry '" + name + "' is " + e->matrix.shape() +
                            " but the model needs " + shape_string(rows, cols));
  *out = e->matrix;
  return Status();
}

std::vector<uint8_t> Checkpoint::encode() const {
  std::vector<uint8_t> out;
  put_bytes(out, kMagic, sizeof kMagic);
  put_le<uint32_t>(out, kCheckpointVersion);
  put_le<uint32_t>(out, uint32_t(sizeof(real)));
  put_le<uint32_t>(out, uint32_t(entries_.size()));
  for (const Entry& e : entries_) {
    put_le<uint16_t>(out, uint16_t(e.name.size()));
    put_bytes(out, e.name.data(), e.name.size());
    put_le<uint8_t>(out, uint8_t(e.kind));
    switch (e.kind) {
      case Kind::kText:
        put_le<uint64_t>(out, e.text.size());
        put_bytes(out, e.text.data(), e.text.size());
        break;
      case Kind::kU64:
        put_le<uint64_t>(out, 8);
        put_le<uint64_t>(out, e.u64);
        break;
      case Kind::kMatrix:
        put_le<uint64_t>(out, 8 + uint64_t(e.matrix.size()) * sizeof(real));
        put_le<int32_t>(out, e.matrix.rows());
        put_le<int32_t>(out, e.matrix.cols());
        // Reals are stored in the host's byte order, which the library requires to be
        // little-endian (checked at compile time in the decoder below).
        put_bytes(out, e.matrix.data(), std::size_t(e.matrix.size()) * sizeof(real));
        break;
    }
  }
  put_le<uint32_t>(out, crc32(out.data(), out.size()));
  return out;
}

StatusOr<Checkpoint> Checkpoint::decode(const std::vector<uint8_t>& bytes, const std::string& source) {
  static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "checkpoints assume a little-endian host");
  if (bytes.size() < sizeof kMagic + 16 || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0)
    return corrupt(source + ": not a biornn checkpoint (expected the magic bytes \"BIORNNCK\" at byte 0)");
  const std::size_t body = bytes.size() - 4;
  uint32_t stored_crc = 0;
  for (int i = 0; i < 4; ++i) stored_crc |= uint32_t(bytes[body + std::size_t(i)]) << (8 * i);
  const uint32_t actual_crc = crc32(bytes.data(), body);
  if (stored_crc != actual_crc)
    return corrupt(source + ": checksum mismatch (stored " + std::to_string(stored_crc) + ", computed " +
                   std::to_string(actual_crc) + "): the file is damaged or was cut short");
  Cursor in(bytes, body, source);
  char magic[8];
  uint32_t version = 0, real_size = 0, count = 0;
  BIORNN_RETURN_IF_ERROR(in.read_bytes(magic, 8, "magic"));
  BIORNN_RETURN_IF_ERROR(in.read(&version, "the format version"));
  if (version != kCheckpointVersion)
    return unsupported(source + ": checkpoint format version " + std::to_string(version) +
                       ", this build reads version " + std::to_string(kCheckpointVersion));
  BIORNN_RETURN_IF_ERROR(in.read(&real_size, "the precision"));
  if (real_size != 4 && real_size != 8)
    return corrupt(source + " byte 12: expected 4 or 8 bytes per real (a float or a double build), found " +
                   std::to_string(real_size));
  if (real_size != sizeof(real))
    return unsupported(source + ": written by a " + (real_size == 8 ? "double" : "float") +
                       " build; this is a " + kPrecisionName + " build (make PREC=...)");
  BIORNN_RETURN_IF_ERROR(in.read(&count, "the entry count"));
  Checkpoint cp;
  cp.source_ = source;
  for (uint32_t k = 0; k < count; ++k) {
    uint16_t name_length = 0;
    BIORNN_RETURN_IF_ERROR(in.read(&name_length, "an entry name length"));
    std::string name(name_length, '\0');
    BIORNN_RETURN_IF_ERROR(in.read_bytes(&name[0], name_length, "an entry name"));
    if (!valid_name(name))
      return corrupt(source + ": entry " + std::to_string(k) + " has an invalid name at byte " +
                     std::to_string(in.position()));
    if (cp.has(name)) return corrupt(source + ": entry '" + name + "' appears twice");
    uint8_t kind = 0;
    uint64_t length = 0;
    BIORNN_RETURN_IF_ERROR(in.read(&kind, "an entry kind"));
    BIORNN_RETURN_IF_ERROR(in.read(&length, "an entry length"));
    if (length > in.remaining())
      return corrupt(source + ": entry '" + name + "' claims " + std::to_string(length) +
                     " bytes but only " + std::to_string(in.remaining()) + " remain");
    Entry e;
    e.name = name;
    if (kind == uint8_t(Kind::kText)) {
      e.kind = Kind::kText;
      e.text.resize(std::size_t(length));
      BIORNN_RETURN_IF_ERROR(in.read_bytes(length ? &e.text[0] : nullptr, length, "text"));
    } else if (kind == uint8_t(Kind::kU64)) {
      e.kind = Kind::kU64;
      if (length != 8) return corrupt(source + ": integer entry '" + name + "' is not 8 bytes");
      BIORNN_RETURN_IF_ERROR(in.read(&e.u64, "an integer"));
    } else if (kind == uint8_t(Kind::kMatrix)) {
      e.kind = Kind::kMatrix;
      int32_t rows = 0, cols = 0;
      if (length < 8) return corrupt(source + ": matrix entry '" + name + "' is too short");
      BIORNN_RETURN_IF_ERROR(in.read(&rows, "matrix rows"));
      BIORNN_RETURN_IF_ERROR(in.read(&cols, "matrix columns"));
      if (rows < 0 || cols < 0 || uint64_t(rows) * uint64_t(cols) * sizeof(real) != length - 8)
        return corrupt(source + ": matrix entry '" + name + "' says " + shape_string(rows, cols) +
                       " but holds " + std::to_string(length - 8) + " bytes");
      e.matrix = Matrix(rows, cols);
      BIORNN_RETURN_IF_ERROR(in.read_bytes(e.matrix.data(), length - 8, "matrix values"));
    } else {
      return corrupt(source + ": entry '" + name + "' has unknown kind " + std::to_string(kind));
    }
    cp.entries_.push_back(std::move(e));
  }
  if (in.remaining() != 0)
    return corrupt(source + ": " + std::to_string(in.remaining()) + " unexpected bytes after the last entry");
  return cp;
}

Status Checkpoint::save(const std::string& path) const { return write_file_atomic(path, encode()); }

StatusOr<Checkpoint> Checkpoint::load(const std::string& path) {
  StatusOr<std::vector<uint8_t>> bytes = read_file(path);
  if (!bytes.ok()) return bytes.status();
  return decode(bytes.value(), path);
}

}  // namespace biornn
