// test_bad_inputs.cpp — the corpus of hostile inputs (issue 7): for every file format the
// library reads, files that are empty, truncated, of the wrong magic or dtype, in Fortran
// order, with sizes that overflow or would exhaust memory, NaN/Inf, negative or zero sizes,
// duplicate or unknown keys, and paths that cannot be read. Each must give a Status (never a
// crash, an abort or a huge allocation) whose message names the file, the position (byte
// offset, line, column or key) and what was expected. Also the regression inputs of every bug
// the fuzzers (fuzz/) found, replayed through the same entry points.
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "biornn/celltype.hpp"
#include "biornn/checkpoint.hpp"
#include "biornn/csv.hpp"
#include "biornn/fileio.hpp"
#include "biornn/idx.hpp"
#include "biornn/inflate.hpp"
#include "biornn/npy.hpp"
#include "biornn/npz.hpp"
#include "biornn/population.hpp"
#include "biornn/toml.hpp"
#include "biornn/train_config.hpp"
#include "doctest/doctest.h"
#include "io_test_util.hpp"

using namespace biornn;
using Bytes = std::vector<uint8_t>;

namespace {

struct BadFile {
  const char* what;                 // the defect, as the test reports it
  Bytes bytes;
  std::vector<const char*> expect;  // substrings the message must contain (position, expectation)
};

Bytes text_bytes(const std::string& s) { return Bytes(s.begin(), s.end()); }
Bytes cut(Bytes b, std::size_t n) { b.resize(std::min(n, b.size())); return b; }
Bytes with(Bytes b, std::size_t at, uint8_t v) { b.at(at) = v; return b; }
// A checkpoint whose CRC-32 (the last four bytes) is recomputed after an edit, so that the
// check the edit targets is the one that fails.
Bytes fix_crc(Bytes b) {
  const uint32_t crc = crc32(b.data(), b.size() - 4);
  for (int i = 0; i < 4; ++i) b[b.size() - 4 + std::size_t(i)] = uint8_t(crc >> (8 * i));
  return b;
}
Bytes replace(const Bytes& b, const std::string& from, const std::string& to) {
  std::string s(b.begin(), b.end());
  const std::size_t at = s.find(from);
  REQUIRE(at != std::string::npos);
  s.replace(at, from.size(), to);
  return text_bytes(s);
}

// Writes each file to a temporary directory, loads it with `load`, and checks the message.
template <typename Load>
void check_all(const char* format, const std::vector<BadFile>& files, Load load) {
  io_test::TempDir dir;
  REQUIRE(dir.ok());
  int n = 0;
  for (const BadFile& f : files) {
    const std::string label = std::string(format) + ": " + f.what;
    CAPTURE(label);
    const std::string path = dir.file("bad" + std::to_string(n++) + "." + format);
    REQUIRE(write_file_atomic(path, f.bytes).ok());
    const Status s = load(path);
    CAPTURE(s.message());
    REQUIRE(!s.ok());
    CHECK(s.message().find(path) != std::string::npos);
    for (const char* e : f.expect) CHECK(s.message().find(e) != std::string::npos);
  }
}

}  // namespace

TEST_CASE("bad IDX files name the file, the byte offset and what an IDX header must hold") {
  IdxArray a;
  a.dims = {2, 2, 2};
  a.data = {1, 2, 3, 4, 5, 6, 7, 8};
  const Bytes ok = encode_idx(a);
  Bytes overflow = ok;  // 2^31-1 × 2^31-1 × 2: more than any file
  for (std::size_t i : {4, 8}) { overflow[i] = 0x7f; overflow[i + 1] = overflow[i + 2] = overflow[i + 3] = 0xff; }
  check_all("idx",
            {{"empty", {}, {"4-byte magic"}},
             {"truncated", cut(ok, ok.size() - 1), {"truncated"}},
             {"header cut short", cut(ok, 9), {"header", "truncated"}},
             {"wrong magic", with(ok, 0, 0x50), {"at byte 0", "not an IDX file"}},
             {"wrong type code", with(ok, 2, 0x07), {"at byte 0", "type code"}},
             {"negative dimension", with(ok, 8, 0x80), {"dimension 1", "at byte 8", "non-negative"}},
             {"dimensions overflowing a size", overflow, {"promises", "truncated"}}},
            [](const std::string& p) { return load_idx(p).status(); });
  check_all("idx", {{"labels read as images", encode_idx(IdxArray{IdxType::kUInt8, {8}, a.data}), {"0x00000803", "labels file"}}},
            [](const std::string& p) { return load_idx_images(p).status(); });
}

TEST_CASE("an IDX array with a zero dimension counts zero elements however large the others are") {
  // Found by fuzz_idx: element_count() multiplied (0, 2^31-1, 2^31-1, …) in order and overflowed
  // int64 before it reached the zero (undefined behaviour, reported by UBSan).
  IdxArray a;
  a.type = IdxType::kFloat64;
  a.dims = {0x1fffff62, 0x10048448, 0x1c000000, 0, 0x3e000000, 0x7fffffff};
  CHECK(a.element_count() == 0);
  StatusOr<std::vector<uint8_t>> fuzz = read_file(io_test::fixture("../bad/idx/fuzz_zero_dim_overflow.idx"));
  REQUIRE(fuzz.ok());
  StatusOr<IdxArray> parsed = parse_idx(fuzz.value().data(), fuzz.value().size(), "fuzz.idx");
  if (parsed.ok()) CHECK(parsed.value().element_count() * idx_type_size(parsed.value().type) == int64_t(parsed.value().data.size()));
}

TEST_CASE("an .npy array with a zero dimension counts zero elements however large the others are") {
  // Found by fuzz_npy: shape (615, 1, 42910, 1000000001, 40500, 105, 0, 5000, 42914967286)
  // passed the size check (zero bytes) and element_count() then overflowed int64 multiplying
  // in order (undefined behaviour, reported by UBSan).
  NpyArray a;
  a.dtype = NpyDtype::kFloat32;
  a.shape = {615, 1, 42910, 1000000001, 40500, 105, 0, 5000, 42914967286};
  CHECK(a.element_count() == 0);
  StatusOr<std::vector<uint8_t>> fuzz = read_file(io_test::fixture("../bad/npy/fuzz_zero_dim_overflow.npy"));
  REQUIRE(fuzz.ok());
  StatusOr<NpyArray> parsed = parse_npy(fuzz.value().data(), fuzz.value().size(), "fuzz.npy");
  if (parsed.ok()) CHECK(parsed.value().element_count() == 0);
}

TEST_CASE("bad gzip streams name the file and the byte offset") {
  const Bytes gz = io_test::gzip_stored(text_bytes("hello, hello, hello"));
  check_all("gz",
            {{"truncated", cut(gz, gz.size() - 3), {"byte"}},
             {"CRC mismatch", with(gz, gz.size() - 8, uint8_t(gz[gz.size() - 8] ^ 1)), {"CRC"}},
             {"not deflate (so not gzip)", with(gz, 2, 7), {"at byte 0", "not an IDX file"}}},
            [](const std::string& p) { return load_idx(p).status(); });
  // A bomb: 10 MiB of zeros does not fit a 1 MiB limit and stops cleanly.
  const Bytes bomb = io_test::gzip_stored(Bytes(std::size_t(10) << 20, 0));
  StatusOr<Bytes> out = gunzip(bomb.data(), bomb.size(), std::size_t(1) << 20, "bomb.gz");
  REQUIRE(!out.ok());
  CHECK(out.status().code() == StatusCode::kResourceExhausted);
}

TEST_CASE("bad .npy files name the file, the header and what numpy would have written") {
  const Bytes ok = encode_npy(npy_from_floats({1, 2, 3, 4, 5, 6}, {2, 3}));
  check_all("npy",
            {{"empty", {}, {"magic"}},
             {"truncated data", cut(ok, ok.size() - 2), {"(2, 3)"}},
             {"truncated header", cut(ok, 20), {"header"}},
             {"wrong magic", with(ok, 1, 'X'), {"magic"}},
             {"unknown version", with(ok, 6, 9), {"version"}},
             {"wrong dtype", replace(ok, "'<f4'", "'|O8'"), {"|O8"}},
             {"big-endian dtype", replace(ok, "'<f4'", "'>f4'"), {">f4"}},
             {"Fortran order", replace(ok, "False", "True "), {"Fortran order", "ascontiguousarray"}},
             {"negative size", replace(ok, "(2, 3)", "(-2, 3)"), {"at byte 61", "non-negative integer"}},
             {"size overflowing 64 bits", replace(ok, "(2, 3), ", "(99999999999, 999999999999)"), {"shape"}},
             {"unterminated dict", replace(ok, "}", " "), {"header"}}},
            [](const std::string& p) { return load_npy(p).status(); });
  // NaN/Inf: parsing is fine (numpy writes them), converting to a Matrix is not.
  const NpyArray nan = npy_from_floats({1.0f, std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity()});
  StatusOr<Matrix> m = npy_to_matrix(nan, "w.npy");
  REQUIRE(!m.ok());
  CHECK(m.status().message().find("w.npy") != std::string::npos);
  CHECK(m.status().message().find("NaN") != std::string::npos);
}

TEST_CASE("bad .npz archives name the file and the member") {
  const Bytes ok = encode_npz({{"W", npy_from_floats({1, 2}, {1, 2})}, {"b", npy_from_doubles({3})}}).value();
  Bytes duplicate = encode_npz({{"W", npy_from_floats({1, 2}, {1, 2})}, {"X", npy_from_doubles({3})}}).value();
  duplicate = replace(replace(duplicate, "X.npy", "W.npy"), "X.npy", "W.npy");
  check_all("npz",
            {{"empty", {}, {"zip end record"}},
             {"truncated", cut(ok, ok.size() - 30), {"end-of-central-directory"}},
             {"wrong local magic", with(ok, 0, 'Q'), {"local header"}},
             {"member CRC mismatch", with(ok, 140, uint8_t(ok[140] ^ 0x10)), {"CRC"}},
             {"duplicate key", duplicate, {"appears twice", "'W'"}}},
            [](const std::string& p) { return load_npz(p).status(); });
}

TEST_CASE("bad CSV tables name the file, the line and the column") {
  CsvReadOptions labels;
  labels.row_labels = true;
  check_all("csv",
            {{"empty", {}, {"empty"}},
             {"ragged row", text_bytes("a,b\n1,2,3\n"), {"line 2"}},
             {"not a number", text_bytes("a,b\n1,O.2\n"), {"line 2, column 2", "expected a number", "'O.2'"}},
             {"NaN not allowed", text_bytes("a,b\n1,nan\n"), {"line 2, column 2"}},
             {"Inf not allowed", text_bytes("a,b\n-inf,1\n"), {"line 2, column 1"}},
             {"duplicate column", text_bytes("a,a\n1,2\n"), {"line 1, column 2", "appears twice"}},
             {"unterminated quote", text_bytes("a,\"b\n1,2\n"), {"line 1", "quote"}}},
            [](const std::string& p) { return read_csv(p).status(); });
  check_all("csv", {{"duplicate row label", text_bytes("p,a\nx,1\nx,2\n"), {"line 3", "'x'"}}},
            [&](const std::string& p) { return read_csv(p, labels).status(); });
}

TEST_CASE("bad configs name the file, the line and the key, and list every problem") {
  auto load_config = [](const std::string& p) {
    StatusOr<std::vector<uint8_t>> bytes = read_file(p);
    if (!bytes.ok()) return bytes.status();
    StatusOr<TomlDocument> doc = parse_toml(std::string(bytes.value().begin(), bytes.value().end()), p);
    if (!doc.ok()) return doc.status();
    TaskKind task;
    LearningRule rule;
    BIORNN_RETURN_IF_ERROR(peek_task_and_rule(doc.value(), &task, &rule));
    TrainConfig c = default_train_config(task, rule);
    return apply_train_config(doc.value(), &c);
  };
  check_all("toml",
            {{"duplicate key", text_bytes("task = \"wave\"\ntask = \"wave\"\n"), {"line 2", "task"}},
             {"duplicate table", text_bytes("[run]\n[run]\n"), {"line 2", "run"}},
             {"unknown key", text_bytes("[optimizer]\nlrate = 0.1\n"), {"line 2", "unknown key 'optimizer.lrate'"}},
             {"negative size", text_bytes("[run]\nepochs = -3\n"), {"line 2", "'run.epochs' must be an integer"}},
             {"zero size", text_bytes("[model]\nhidden = 0\n"), {"line 2", "model.hidden"}},
             {"NaN learning rate", text_bytes("[optimizer]\nlr = nan\n"), {"line 2", "optimizer.lr"}},
             {"Inf learning rate", text_bytes("[optimizer]\nlr = inf\n"), {"line 2", "optimizer.lr"}},
             {"wrong type", text_bytes("[run]\nepochs = \"ten\"\n"), {"line 2", "run.epochs"}},
             {"integer overflow", text_bytes("[run]\nepochs = 99999999999999999999\n"), {"line 2"}},
             {"unterminated string", text_bytes("task = \"wave\n"), {"line 1"}},
             {"invalid UTF-8", text_bytes("task = \"\xc3\x28\"\n"), {"line 1", "UTF-8"}}},
            load_config);
}

TEST_CASE("bad checkpoints name the file and the check that failed") {
  Checkpoint cp;
  cp.set_u64("epochs_done", 2);
  cp.set_matrix("W", Matrix::from_rows({{1, 2}, {3, 4}}));
  const Bytes ok = cp.encode();
  check_all("ck",
            {{"empty", {}, {"BIORNNCK"}},
             {"truncated", cut(ok, ok.size() - 5), {}},
             {"wrong magic", with(ok, 0, 'X'), {"BIORNNCK"}},
             {"wrong version", fix_crc(with(ok, 8, 9)), {"version"}},
             {"impossible precision", fix_crc(with(ok, 12, 2)), {"byte 12", "4 or 8 bytes per real"}},
             {"other precision", fix_crc(with(ok, 12, sizeof(real) == 4 ? 8 : 4)), {"build (make PREC=...)"}},
             {"checksum", with(ok, 30, uint8_t(ok[30] ^ 1)), {"checksum"}}},
            [](const std::string& p) { return Checkpoint::load(p).status(); });
}

TEST_CASE("bad population specs and block tables name the file and the key or line") {
  check_all("toml",
            {{"unknown key", text_bytes("[populations]\nareaz = [\"V1\"]\n"), {"line 2", "populations.areaz"}},
             {"zero scale", text_bytes("[populations]\nscale = 0\n"), {"line 2", "populations.scale"}},
             {"ratio overflowing int32", text_bytes("[populations]\nratios = [4294967296, 1, 1]\n"), {"ratios"}},
             {"units overflowing int32", text_bytes("[populations]\nratios = [2147483647, 1, 1]\nscale = 100000\n"), {"units"}},
             {"too many populations", text_bytes("[populations]\nareas = [" + [] {
                std::string s;
                for (int i = 0; i < 300; ++i) s += (i ? ", \"A" : "\"A") + std::to_string(i) + "\"";
                return s;
              }() + "]\nlayers = [\"L4\"]\ntypes = [\"Pyr\"]\nratios = [1]\nscale = 1\n"),
              {"populations"}},
             {"unknown population", text_bytes("[inter_areal]\nprojections = [\"V1_L9_Pyr -> LM_L4_Pyr\"]\n"), {"V1_L9_Pyr"}}},
            [](const std::string& p) { return load_celltype_spec(p).status(); });
  check_all("csv",
            {{"empty", {}, {}},
             {"negative size", text_bytes("population,size,E\nE,-3,0.5\n"), {"data row 1", "positive integer"}},
             {"zero size", text_bytes("population,size,E\nE,0,0.5\n"), {"data row 1", "positive integer"}},
             {"sizes overflowing int32", text_bytes("population,size,E,I\nE,2147483647,0.5,0.5\nI,2147483647,0.5,0.5\n"), {"size"}},
             {"density out of range", text_bytes("population,size,E\nE,3,1.5\n"), {"[0, 1]"}},
             {"NaN density", text_bytes("population,size,E\nE,3,nan\n"), {"line 2"}}},
            [](const std::string& p) { return read_population_table(p).status(); });
}

TEST_CASE("unreadable paths name the path and the reason") {
  io_test::TempDir dir;
  REQUIRE(dir.ok());
  const std::string missing = dir.file("nope.npy");
  StatusOr<NpyArray> a = load_npy(missing);
  REQUIRE(!a.ok());
  CHECK(a.status().message().find(missing) != std::string::npos);
  CHECK(a.status().message().find("no such file") != std::string::npos);
  StatusOr<CsvTable> b = read_csv(dir.path());  // a directory where a file is expected
  REQUIRE(!b.ok());
  CHECK(b.status().message().find("directory") != std::string::npos);
  StatusOr<Checkpoint> c = Checkpoint::load(dir.file("x/y/checkpoint.bin"));
  REQUIRE(!c.ok());
  CHECK(c.status().message().find("checkpoint.bin") != std::string::npos);
}
