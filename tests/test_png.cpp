// test_png.cpp — the PNG encoder, checked by decoding its output with the test's own reader
// (png_decode.hpp) and, when python3 is installed, with Python's zlib.
#include "doctest/doctest.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

#include "biornn/check.hpp"
#include "biornn/png.hpp"
#include "png_decode.hpp"

using namespace biornn;

namespace {

std::vector<uint8_t> noise_rgb(int32_t w, int32_t h, uint32_t seed) {
  std::vector<uint8_t> v(std::size_t(w) * std::size_t(h) * 3);
  for (uint8_t& b : v) {
    seed = seed * 1664525u + 1013904223u;
    b = uint8_t(seed >> 24);
  }
  return v;
}

// The system interpreter when there is one (a version-manager shim on PATH can take most of a
// second to start), else python3 from PATH.
std::string python3_command() {
  return access("/usr/bin/python3", X_OK) == 0 ? "/usr/bin/python3" : "python3";
}

}  // namespace

TEST_CASE("PNG RGB images decode to the same pixels with every deflate mode") {
  const int32_t w = 37, h = 23;
  std::vector<uint8_t> rgb = noise_rgb(w, h, 7);
  for (std::size_t i = 0; i < rgb.size() / 2; ++i) rgb[i] = 200;  // a long run, then noise
  for (PngDeflate mode : {PngDeflate::kStored, PngDeflate::kRunLength, PngDeflate::kSmallest}) {
    const png_test::Image img = png_test::decode(png_encode_rgb(w, h, rgb, mode));
    REQUIRE_MESSAGE(img.error.empty(), img.error);
    CHECK(img.width == w);
    CHECK(img.height == h);
    CHECK(img.colour_type == 2);
    CHECK(img.rgb == rgb);
  }
  const png_test::Image fixed = png_test::decode(png_encode_rgb(w, h, rgb, PngDeflate::kRunLength));
  CHECK(fixed.fixed_blocks == 1);
  CHECK(fixed.stored_blocks == 0);
}

TEST_CASE("PNG palette images decode through their palette") {
  const std::vector<uint8_t> palette = {255, 255, 255, 255, 0, 0, 0, 0, 255};
  std::vector<uint8_t> indices(5 * 4);
  for (std::size_t i = 0; i < indices.size(); ++i) indices[i] = uint8_t(i % 7 == 0 ? 1 : i % 5 == 0 ? 2 : 0);
  for (PngDeflate mode : {PngDeflate::kStored, PngDeflate::kRunLength}) {
    const png_test::Image img = png_test::decode(png_encode_indexed(5, 4, indices, palette, mode));
    REQUIRE_MESSAGE(img.error.empty(), img.error);
    CHECK(img.colour_type == 3);
    CHECK(img.palette_entries == 3);
    for (std::size_t i = 0; i < indices.size(); ++i)
      for (std::size_t c = 0; c < 3; ++c) CHECK(img.rgb[i * 3 + c] == palette[indices[i] * 3 + c]);
  }
}

TEST_CASE("PNG stored blocks split at 65535 bytes and runs compress a flat image many-fold") {
  const int32_t w = 300, h = 100;  // 90 100 raw bytes: two stored blocks
  const std::vector<uint8_t> rgb = noise_rgb(w, h, 3);
  const png_test::Image stored = png_test::decode(png_encode_rgb(w, h, rgb, PngDeflate::kStored));
  REQUIRE(stored.error.empty());
  CHECK(stored.stored_blocks == 2);
  CHECK(stored.rgb == rgb);
  // Noise does not run-length encode, so "smallest" keeps stored blocks.
  CHECK(png_encode_rgb(w, h, rgb, PngDeflate::kSmallest) == png_encode_rgb(w, h, rgb, PngDeflate::kStored));
  const std::vector<uint8_t> flat(rgb.size(), 255);
  const std::string small = png_encode_rgb(w, h, flat);
  CHECK(small.size() * 50 < flat.size());
  const png_test::Image img = png_test::decode(small);
  REQUIRE(img.error.empty());
  CHECK(img.rgb == flat);
}

TEST_CASE("PNG output is deterministic and a 1x1 image is valid") {
  const std::vector<uint8_t> rgb = noise_rgb(9, 9, 11);
  CHECK(png_encode_rgb(9, 9, rgb) == png_encode_rgb(9, 9, rgb));
  const png_test::Image one = png_test::decode(png_encode_indexed(1, 1, {0}, {1, 2, 3}));
  REQUIRE(one.error.empty());
  CHECK(one.rgb == std::vector<uint8_t>{1, 2, 3});
}

TEST_CASE("PNG data URIs hold the image in base64") {
  for (std::size_t n : {0u, 1u, 2u, 3u, 4u, 5u, 100u}) {
    std::string bytes;
    for (std::size_t i = 0; i < n; ++i) bytes += char(i * 37 + 5);
    const std::string uri = png_data_uri(bytes);
    REQUIRE(uri.rfind("data:image/png;base64,", 0) == 0);
    std::string back;
    CHECK(png_test::base64_decode(uri.substr(22), &back));
    CHECK(back == bytes);
  }
  CHECK(png_data_uri("Man") == "data:image/png;base64,TWFu");
  CHECK(png_data_uri("Ma") == "data:image/png;base64,TWE=");
  CHECK(png_data_uri("M") == "data:image/png;base64,TQ==");
}

TEST_CASE("the PNG encoder refuses sizes that do not match and palette indices out of range") {
  CHECK_THROWS_AS(png_encode_rgb(2, 2, std::vector<uint8_t>(11)), biornn::ContractViolation);
  CHECK_THROWS_AS(png_encode_rgb(0, 2, {}), biornn::ContractViolation);
  CHECK_THROWS_AS(png_encode_indexed(1, 1, {1}, {0, 0, 0}), biornn::ContractViolation);
  CHECK_THROWS_AS(png_encode_indexed(1, 1, {0}, {0, 0}), biornn::ContractViolation);
}

TEST_CASE("PNG files decode with Python's zlib when python3 is installed") {
  const std::string base = "/tmp/biornn_test_png_" + std::to_string(getpid());
  std::vector<uint8_t> rgb = noise_rgb(70, 40, 5);
  for (std::size_t i = 0; i < 3000; ++i) rgb[i] = 9;
  std::ofstream(base + "_stored.png", std::ios::binary) << png_encode_rgb(70, 40, rgb, PngDeflate::kStored);
  std::ofstream(base + "_runs.png", std::ios::binary) << png_encode_rgb(70, 40, rgb, PngDeflate::kRunLength);
  std::ofstream(base + ".py") <<
      "import struct,sys,zlib\n"
      "for f in sys.argv[1:]:\n"
      "  d=open(f,'rb').read(); p=8; idat=b''\n"
      "  while p<len(d):\n"
      "    n,t=struct.unpack('>I4s',d[p:p+8]); body=d[p+8:p+8+n]\n"
      "    assert zlib.crc32(t+body)==struct.unpack('>I',d[p+8+n:p+12+n])[0]\n"
      "    if t==b'IHDR': w,h=struct.unpack('>II',body[:8])\n"
      "    if t==b'IDAT': idat+=body\n"
      "    p+=12+n\n"
      "  raw=zlib.decompress(idat); assert len(raw)==h*(3*w+1), len(raw)\n"
      "  print(sum(sum(raw[y*(3*w+1)+1:(y+1)*(3*w+1)]) for y in range(h)))\n";
  const std::string command = python3_command() + " " + base + ".py " + base + "_stored.png " + base +
                              "_runs.png > " + base + ".out 2>/dev/null";
  const int rc = std::system(command.c_str());
  long long sum = 0, python_stored = -1, python_runs = -1;
  std::ifstream(base + ".out") >> python_stored >> python_runs;
  for (const char* suffix : {"_stored.png", "_runs.png", ".py", ".out"}) std::remove((base + suffix).c_str());
  if (rc != 0 && WIFEXITED(rc) && WEXITSTATUS(rc) == 127) {  // the shell found no python3
    MESSAGE("python3 with zlib did not run; skipping the cross-check");
    return;
  }
  CHECK(rc == 0);
  for (uint8_t b : rgb) sum += b;
  CHECK(python_stored == sum);
  CHECK(python_runs == sum);
}
