// toml_internal.hpp — helpers shared by toml.cpp (document, writer), toml_parse.cpp (parser)
// and toml_schema.cpp (validation). Not part of the public API.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "biornn/toml.hpp"

namespace biornn {
namespace toml_detail {

// A-Z a-z 0-9 _ - (TOML bare keys).
inline bool is_bare_key_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

// "a.b.c" -> {"a", "b", "c"}; "" -> {}. Components may come out empty ("a..b"); callers check.
std::vector<std::string> split_path(const std::string& path);

// True when `path` is one or more non-empty bare keys joined by single dots.
bool is_valid_path(const std::string& path);

// The byte offset of the first byte that is not part of a valid UTF-8 sequence (overlong forms,
// surrogates and code points above U+10FFFF are invalid), or std::string::npos.
std::size_t first_invalid_utf8(const std::string& text);

// "prefix.key", or "key" when the prefix is empty.
inline std::string join_path(const std::string& prefix, const std::string& key) {
  return prefix.empty() ? key : prefix + "." + key;
}

// "a string", "an integer", "an array", ...
std::string type_with_article(TomlType type);

}  // namespace toml_detail
}  // namespace biornn
