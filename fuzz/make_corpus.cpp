// make_corpus.cpp — writes the seed corpora of the fuzz targets (fuzz/corpus/<target>/).
//
// Small valid files made by the library's own writers, and invalid ones derived from them by
// one deliberate defect each (truncation, a wrong magic, an overflowing dimension, ...), so
// that libFuzzer starts from every branch the parsers have. Run from the repository root:
//   make fuzz-corpus        (builds this program and rewrites fuzz/corpus/)
// The output is deterministic: the same library writes the same bytes.
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <string>
#include <vector>

#include "biornn/checkpoint.hpp"
#include "biornn/fileio.hpp"
#include "biornn/idx.hpp"
#include "biornn/inflate.hpp"
#include "biornn/npy.hpp"
#include "biornn/npz.hpp"

using namespace biornn;
using Bytes = std::vector<uint8_t>;

namespace {

void put(const std::string& target, const std::string& name, const Bytes& bytes) {
  const std::string dir = "fuzz/corpus/" + target;
  Status s = make_directories(dir);
  if (s.ok()) s = write_file_atomic(dir + "/" + name, bytes);
  if (!s.ok()) {
    std::fprintf(stderr, "make_corpus: %s\n", s.message().c_str());
    std::exit(1);
  }
}
void put(const std::string& target, const std::string& name, const std::string& text) {
  put(target, name, Bytes(text.begin(), text.end()));
}
// A literal with its embedded NUL bytes (the CSV seeds start with an options byte that may be 0).
template <std::size_t N>
void put(const std::string& target, const std::string& name, const char (&text)[N]) {
  put(target, name, std::string(text, N - 1));
}
Bytes cut(Bytes b, std::size_t n) {
  b.resize(std::min(n, b.size()));
  return b;
}
Bytes with(Bytes b, std::size_t at, uint8_t value) {
  if (at < b.size()) b[at] = value;
  return b;
}
Bytes prefixed(uint8_t first, const Bytes& b) {
  Bytes out{first};
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

// gzip of `plain` with stored (uncompressed) DEFLATE blocks — a valid member every decoder
// reads; the seeds with compressed blocks (system_gzip9.gz, dynamic.deflate, images_gzip9.idx.gz)
// were made once with gzip -9 and Python's zlib and are kept as they are.
Bytes gzip_stored(const Bytes& plain) {
  Bytes out = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3};
  std::size_t at = 0;
  do {
    const std::size_t n = std::min<std::size_t>(plain.size() - at, 65535);
    const bool last = at + n == plain.size();
    out.push_back(last ? 1 : 0);
    out.push_back(uint8_t(n));
    out.push_back(uint8_t(n >> 8));
    out.push_back(uint8_t(~n));
    out.push_back(uint8_t(~n >> 8));
    out.insert(out.end(), plain.begin() + long(at), plain.begin() + long(at + n));
    at += n;
  } while (at < plain.size());
  const uint32_t crc = crc32(plain.data(), plain.size());
  for (int i = 0; i < 4; ++i) out.push_back(uint8_t(crc >> (8 * i)));
  for (int i = 0; i < 4; ++i) out.push_back(uint8_t(plain.size() >> (8 * i)));
  return out;
}

void idx_corpus() {
  IdxArray images;
  images.type = IdxType::kUInt8;
  images.dims = {2, 3, 3};
  images.data = {0, 1, 2, 3, 4, 5, 6, 7, 8, 255, 254, 253, 252, 251, 250, 249, 248, 247};
  const Bytes ok = encode_idx(images);
  put("idx", "images_ok.idx", ok);
  put("idx", "images_ok.idx.gz", gzip_stored(ok));
  IdxArray labels;
  labels.dims = {4};
  labels.data = {0, 9, 3, 7};
  put("idx", "labels_ok.idx", encode_idx(labels));
  IdxArray floats;
  floats.type = IdxType::kFloat64;
  floats.dims = {2};
  floats.data.assign(16, 0x3f);
  put("idx", "float64_ok.idx", encode_idx(floats));
  put("idx", "empty.idx", Bytes{});
  put("idx", "truncated.idx", cut(ok, ok.size() - 3));
  put("idx", "header_only.idx", cut(ok, 6));
  put("idx", "bad_magic.idx", with(ok, 0, 0x42));
  put("idx", "bad_type.idx", with(ok, 2, 0x07));
  put("idx", "negative_dim.idx", with(ok, 4, 0x80));
  Bytes huge = ok;  // 0x7fffffff × 0x7fffffff × 3: the product overflows 32 bits
  for (std::size_t i : {4, 8}) { huge[i] = 0x7f; huge[i + 1] = huge[i + 2] = huge[i + 3] = 0xff; }
  put("idx", "overflow_dims.idx", huge);
  Bytes trailing = ok;
  trailing.push_back(0);
  put("idx", "trailing.idx", trailing);
}

void inflate_corpus() {
  const std::string text = "hello hello hello hello, biornn! 0123456789 0123456789";
  const Bytes plain(text.begin(), text.end());
  const Bytes gz = gzip_stored(plain);
  put("inflate", "stored.gz", prefixed(0, gz));
  put("inflate", "truncated.gz", prefixed(0, cut(gz, gz.size() - 5)));
  put("inflate", "bad_crc.gz", prefixed(0, with(gz, gz.size() - 6, 0)));
  Bytes raw(gz.begin() + 10, gz.end() - 8);
  put("inflate", "stored.deflate", prefixed(2, raw));
  put("inflate", "stored_consumed.deflate", prefixed(3, raw));
  // Fixed-Huffman block: "a" then end of block (bytes from RFC 1951's fixed code).
  put("inflate", "fixed.deflate", prefixed(2, Bytes{0x4b, 0x04, 0x00}));
  // Reserved block type 3.
  put("inflate", "reserved_btype.deflate", prefixed(2, Bytes{0x07}));
  // zlib: header 78 01, the stored block, Adler-32 big-endian.
  Bytes z = {0x78, 0x01};
  z.insert(z.end(), raw.begin(), raw.end());
  const uint32_t a = adler32(plain.data(), plain.size());
  for (int i = 3; i >= 0; --i) z.push_back(uint8_t(a >> (8 * i)));
  put("inflate", "stored.zlib", prefixed(1, z));
  put("inflate", "bad_header.zlib", prefixed(1, with(z, 1, 0x02)));
  put("inflate", "empty", Bytes{});
}

NpyArray float_array() { return npy_from_floats({1.5f, -2.0f, 0.25f, 8.0f, 0.0f, -0.0f}, {2, 3}); }

void npy_corpus() {
  const Bytes f4 = encode_npy(float_array());
  put("npy", "f4_2x3.npy", f4);
  put("npy", "f8_vec.npy", encode_npy(npy_from_doubles({1, 2, 3})));
  put("npy", "i8.npy", encode_npy(npy_from_int64({-1, 0, 1 << 30}, {3, 1})));
  put("npy", "i4_0d.npy", encode_npy(npy_from_int32({7}, std::vector<int64_t>{})));
  put("npy", "u1.npy", encode_npy(npy_from_uint8({0, 1, 255})));
  put("npy", "b1.npy", encode_npy(npy_from_bools({0, 1, 1, 0}, {2, 2})));
  put("npy", "nan.npy", encode_npy(npy_from_floats({1.0f, std::numeric_limits<float>::quiet_NaN()})));
  put("npy", "empty.npy", Bytes{});
  put("npy", "truncated.npy", cut(f4, f4.size() - 4));
  put("npy", "bad_magic.npy", with(f4, 1, 'X'));
  put("npy", "version9.npy", with(f4, 6, 9));
  auto header_edit = [&](const std::string& from, const std::string& to) {
    std::string s(f4.begin(), f4.end());
    const std::size_t at = s.find(from);
    if (at != std::string::npos) s.replace(at, from.size(), to);
    return Bytes(s.begin(), s.end());
  };
  put("npy", "fortran.npy", header_edit("'fortran_order': False", "'fortran_order': True "));
  put("npy", "big_endian.npy", header_edit("'<f4'", "'>f4'"));
  put("npy", "object.npy", header_edit("'<f4'", "'|O8'"));
  put("npy", "negative_shape.npy", header_edit("(2, 3)", "(-2, 3)"));
  put("npy", "overflow_shape.npy", header_edit("(2, 3)", "(4294967296, 4294967296)"));
  put("npy", "unterminated.npy", header_edit("}", " "));
}

void npz_corpus() {
  std::vector<std::pair<std::string, NpyArray>> arrays = {
      {"W", float_array()}, {"signs", npy_from_int32({1, -1, 1})}, {"mask", npy_from_bools({1, 0, 1, 1}, {2, 2})}};
  const Bytes z = encode_npz(arrays).value();
  put("npz", "three.npz", z);
  put("npz", "one.npz", encode_npz({{"x", npy_from_doubles({0.5})}}).value());
  put("npz", "empty_archive.npz", encode_npz({}).value());
  put("npz", "empty.npz", Bytes{});
  put("npz", "truncated.npz", cut(z, z.size() - 10));
  put("npz", "no_end_record.npz", cut(z, z.size() - 22));
  put("npz", "bad_local_magic.npz", with(z, 0, 'Q'));
  put("npz", "bad_crc.npz", with(z, 14, uint8_t(z[14] ^ 1)));
  put("npz", "bad_method.npz", with(z, 8, 99));
  put("npz", "bad_member.npz", with(z, 40, 'X'));
}

void checkpoint_corpus() {
  Checkpoint cp;
  cp.set_text("config", "task = \"flipflop\"\n");
  cp.set_u64("epochs_done", 3);
  cp.set_matrix("param/W", Matrix::from_rows({{1, 2}, {3, 4}}));
  const Bytes ok = cp.encode();
  put("checkpoint", "small.ck", ok);
  Checkpoint empty;
  put("checkpoint", "no_entries.ck", empty.encode());
  put("checkpoint", "empty.ck", Bytes{});
  put("checkpoint", "truncated.ck", cut(ok, ok.size() - 9));
  put("checkpoint", "bad_magic.ck", with(ok, 0, 'X'));
  put("checkpoint", "bad_version.ck", with(ok, 8, 7));
  put("checkpoint", "bad_precision.ck", with(ok, 12, 2));
  put("checkpoint", "bad_crc.ck", with(ok, ok.size() - 1, uint8_t(ok.back() ^ 0xff)));
  put("checkpoint", "many_entries.ck", with(ok, 19, 0x7f));
}

void text_corpora() {
  put("csv", "labels.csv", "\x01" "population,E,I\nE,0.2,0.35\nI,0.4,0.1\n");
  put("csv", "plain.csv", "\x00" "a,b,c\n1,2,3\n4.5,-6e-3,7\n");
  put("csv", "nan_allowed.csv", "\x02" "x,y\nnan,inf\n-inf,1\n");
  put("csv", "quoted_crlf_bom.csv", "\x01" "\xef\xbb\xbf\"name, with comma\",\"q\"\"uote\"\r\nrow,1,2\r\n");
  put("csv", "comments.csv", "\x00" "# comment\na,b\n\n# another\n1,2\n");
  put("csv", "ragged.csv", "\x00" "a,b\n1,2,3\n");
  put("csv", "not_a_number.csv", "\x00" "a,b\n1,O.2\n");
  put("csv", "duplicate_column.csv", "\x00" "a,a\n1,2\n");
  put("csv", "duplicate_label.csv", "\x01" "p,a\nx,1\nx,2\n");
  put("csv", "unterminated_quote.csv", "\x00" "a,\"b\n1,2\n");
  put("csv", "empty.csv", "\x00");

  put("toml", "config.toml",
      "# biornn run\ntask = \"flipflop\"\nrule = \"dale\"\nepochs = 3\nseed = 7\n\n[model]\nhidden = 16\n"
      "exc_frac = 0.8\nactivation = \"tanh\"\n\n[train]\nlr = 1e-3\nbatch = 20\noptimizer = \"adam\"\n");
  put("toml", "values.toml",
      "a = 'literal'\nb = \"esc \\t \\u00e9 \\U0001F600\"\nc = -1_000\nd = +inf\ne = nan\nf = 1.5e-3\n"
      "g = true\nh = [1, 2,\n  3, # comment\n]\n[x.y]\nz = [\"p\", 'q']\n");
  put("toml", "duplicate_key.toml", "a = 1\na = 2\n");
  put("toml", "duplicate_table.toml", "[t]\na = 1\n[t]\nb = 2\n");
  put("toml", "unknown_key.toml", "task = \"flipflop\"\n[train]\nlrate = 0.1\n");
  put("toml", "wrong_type.toml", "task = \"wave\"\nepochs = \"ten\"\n");
  put("toml", "negative_epochs.toml", "task = \"wave\"\nepochs = -5\n");
  put("toml", "inline_table.toml", "a = { b = 1 }\n");
  put("toml", "unterminated.toml", "a = \"abc\n");
  put("toml", "bad_utf8.toml", "a = \"\xc3\x28\"\n");
  put("toml", "empty.toml", "");

  put("celltype_spec", "paper.toml",
      "[populations]\nareas = [\"V1\", \"LM\"]\nlayers = [\"L4\", \"L23\", \"L5\"]\ntypes = [\"Pyr\", \"Sst\", \"Vip\"]\n"
      "excitatory = [\"Pyr\"]\nratios = [12, 2, 1]\nscale = 2\nunobserved = [\"LM_L4_Vip\"]\n\n[inter_areal]\n"
      "density = 0.1\nprojections = [\"V1_L23_Pyr -> LM_L4_Pyr\", \"LM_L5_Pyr -> V1_L5_Sst\"]\n");
  put("celltype_spec", "defaults.toml", "[populations]\nscale = 1\n");
  put("celltype_spec", "one_area.toml", "[populations]\nareas = [\"V1\"]\nscale = 3\n");
  put("celltype_spec", "bad_projection.toml",
      "[inter_areal]\nprojections = [\"V1_L23_Sst -> LM_L4_Pyr\"]\n");
  put("celltype_spec", "ratio_count.toml", "[populations]\nratios = [1, 2]\n");
  put("celltype_spec", "huge_ratio.toml", "[populations]\nratios = [2147483648, 1, 1]\nscale = 100000\n");
  put("celltype_spec", "unknown_key.toml", "[populations]\nareaz = [\"V1\"]\n");
  put("celltype_spec", "empty.toml", "");

  put("population", "two.csv", "population,size,E,I\nE,102,0.20,0.35\nI,26,0.40,0.10\n");
  put("population", "one.csv", "population,size,A\nA,5,1\n");
  put("population", "bad_size.csv", "population,size,E\nE,-3,0.5\n");
  put("population", "zero_size.csv", "population,size,E\nE,0,0.5\n");
  put("population", "huge_size.csv", "population,size,E,I\nE,2147483647,0.5,0.5\nI,2147483647,0.5,0.5\n");
  put("population", "density_range.csv", "population,size,E\nE,3,1.5\n");
  put("population", "order.csv", "population,size,I,E\nE,3,0.5,0.5\nI,3,0.5,0.5\n");
  put("population", "nan.csv", "population,size,E\nE,3,nan\n");
  put("population", "empty.csv", "");
}

}  // namespace

int main() {
  idx_corpus();
  inflate_corpus();
  npy_corpus();
  npz_corpus();
  checkpoint_corpus();
  text_corpora();
  std::printf("make_corpus: wrote fuzz/corpus/\n");
  return 0;
}
