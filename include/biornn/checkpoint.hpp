// checkpoint.hpp — a small, checksummed container for named matrices, integers and text.
//
// Training writes its complete state (parameters, optimiser moments, random generator states,
// progress) into one of these after every epoch, through write_file_atomic, so a crash or a
// kill at any moment leaves either the previous checkpoint or the new one, never a mix.
//
// Layout (all integers little-endian):
//   "BIORNNCK"                 8-byte magic
//   u32 format version         currently 1
//   u32 bytes per real         4 (float build) or 8 (double build)
//   u32 entry count
//   entries, each:             u16 name length (1..255), name (printable ASCII),
//                              u8 kind (1 text, 2 u64, 3 matrix), u64 payload length, payload
//                              matrix payload: i32 rows, i32 cols, rows·cols reals
//   u32 CRC-32 of every byte before it
// Reading checks the magic, the version, the precision, every length against the bytes that
// remain, duplicate names and the checksum, and says which check failed and where.
//
// Not here: what a training run stores (run.hpp).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "biornn/matrix.hpp"
#include "biornn/status.hpp"

namespace biornn {

inline constexpr uint32_t kCheckpointVersion = 1;

class Checkpoint {
 public:
  void set_text(const std::string& name, const std::string& text);
  void set_u64(const std::string& name, uint64_t value);
  void set_matrix(const std::string& name, ConstMatrixView m);

  bool has(const std::string& name) const;
  // Typed reads; a missing entry or a different kind is an error naming the entry and `source`.
  Status get_text(const std::string& name, std::string* out) const;
  Status get_u64(const std::string& name, uint64_t* out) const;
  // When `rows`/`cols` are >= 0 the stored shape must match them.
  Status get_matrix(const std::string& name, Matrix* out, int32_t rows = -1, int32_t cols = -1) const;

  std::vector<uint8_t> encode() const;
  // `source` names the bytes in messages (usually the file path).
  static StatusOr<Checkpoint> decode(const std::vector<uint8_t>& bytes, const std::string& source);

  Status save(const std::string& path) const;  // atomic
  static StatusOr<Checkpoint> load(const std::string& path);

 private:
  enum class Kind : uint8_t { kText = 1, kU64 = 2, kMatrix = 3 };
  struct Entry {
    std::string name;
    Kind kind = Kind::kText;
    std::string text;
    uint64_t u64 = 0;
    Matrix matrix;
  };
  Entry& slot(const std::string& name, Kind kind);
  const Entry* find(const std::string& name) const;

  std::vector<Entry> entries_;
  std::string source_ = "checkpoint";
};

}  // namespace biornn
