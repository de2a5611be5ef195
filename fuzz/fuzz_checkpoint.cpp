// fuzz_checkpoint.cpp — libFuzzer target: the BIORNNCK checkpoint container.
//
// The CRC would stop almost every mutation at the last check, so the target fixes it up: the
// last four bytes are replaced by the CRC-32 of the rest before decoding (the unmodified input
// is decoded too). A decoded checkpoint must encode to bytes that decode again.
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "biornn/checkpoint.hpp"
#include "biornn/fileio.hpp"

using namespace biornn;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  std::vector<uint8_t> bytes(data, data + size);
  (void)Checkpoint::decode(bytes, "fuzz.ck");
  if (bytes.size() < 4) return 0;
  const uint32_t crc = crc32(bytes.data(), bytes.size() - 4);
  for (int i = 0; i < 4; ++i) bytes[bytes.size() - 4 + std::size_t(i)] = uint8_t(crc >> (8 * i));
  StatusOr<Checkpoint> decoded = Checkpoint::decode(bytes, "fuzz.ck");
  if (!decoded.ok()) return 0;
  StatusOr<Checkpoint> again = Checkpoint::decode(decoded.value().encode(), "fuzz.ck (re-encoded)");
  if (!again.ok()) std::abort();
  return 0;
}
