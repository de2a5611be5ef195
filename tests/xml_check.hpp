// xml_check.hpp — a tiny XML well-formedness checker for the tests of plot and report, plus
// an optional second opinion from xmllint when it is installed.
//
// Checks what a browser's XML parser would reject in our output: valid UTF-8 without forbidden
// control characters; balanced, properly nested tags with legal names; quoted attributes without
// '<', no attribute twice on one element; every '&' starting a known entity or a character
// reference; exactly one root element, with only whitespace, comments, <?...?> and <!DOCTYPE>
// outside it. Not a validator (no DTD, no namespaces), and no CDATA support (we emit none).
#pragma once

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include <unistd.h>

namespace xml_test {

inline bool is_name_start(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c == ':';
}
inline bool is_name_char(char c) {
  return is_name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

// Length of the entity or character reference at s[i] == '&', or 0 when it is not one.
inline std::size_t entity_length(const std::string& s, std::size_t i) {
  for (const char* e : {"&amp;", "&lt;", "&gt;", "&quot;", "&apos;"})
    if (s.compare(i, std::string(e).size(), e) == 0) return std::string(e).size();
  std::size_t k = i + 1;
  if (k >= s.size() || s[k] != '#') return 0;
  ++k;
  const bool hex = k < s.size() && s[k] == 'x';
  if (hex) ++k;
  const std::size_t digits = k;
  while (k < s.size() && (std::isdigit(static_cast<unsigned char>(s[k])) ||
                          (hex && std::isxdigit(static_cast<unsigned char>(s[k])))))
    ++k;
  return k > digits && k < s.size() && s[k] == ';' ? k + 1 - i : 0;
}

inline std::string check_characters(const std::string& s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
        return "control character at byte " + std::to_string(i);
      ++i;
      continue;
    }
    const int len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
    if (len == 0 || i + std::size_t(len) > s.size()) return "invalid UTF-8 at byte " + std::to_string(i);
    for (int k = 1; k < len; ++k)
      if ((static_cast<unsigned char>(s[i + std::size_t(k)]) & 0xC0) != 0x80)
        return "invalid UTF-8 at byte " + std::to_string(i);
    i += std::size_t(len);
  }
  return "";
}

// "" when `doc` is well-formed, else what is wrong and where (byte offset).
inline std::string check_well_formed(const std::string& doc) {
  const std::string chars = check_characters(doc);
  if (!chars.empty()) return chars;
  std::vector<std::string> open;
  bool root_done = false;
  std::size_t i = 0;
  auto at = [&](std::size_t p) { return " at byte " + std::to_string(p); };
  while (i < doc.size()) {
    if (doc[i] != '<') {
      if (doc[i] == '&') {
        const std::size_t n = entity_length(doc, i);
        if (n == 0) return "bare '&'" + at(i);
        i += n;
        continue;
      }
      if (open.empty() && !std::isspace(static_cast<unsigned char>(doc[i]))) return "text outside the root" + at(i);
      ++i;
      continue;
    }
    if (doc.compare(i, 4, "<!--") == 0) {
      const std::size_t end = doc.find("-->", i + 4);
      if (end == std::string::npos || doc.substr(i + 4, end - i - 4).find("--") != std::string::npos)
        return "bad comment" + at(i);
      i = end + 3;
      continue;
    }
    if (doc.compare(i, 2, "<?") == 0 || doc.compare(i, 9, "<!DOCTYPE") == 0) {
      if (!open.empty() || root_done) return "declaration inside or after the root" + at(i);
      const std::size_t end = doc.find(doc[i + 1] == '?' ? "?>" : ">", i);
      if (end == std::string::npos) return "unterminated declaration" + at(i);
      i = end + (doc[i + 1] == '?' ? 2 : 1);
      continue;
    }
    const bool closing = doc.compare(i, 2, "</") == 0;
    std::size_t k = i + (closing ? 2 : 1);
    if (k >= doc.size() || !is_name_start(doc[k])) return "bad tag name" + at(i);
    const std::size_t name_start = k;
    while (k < doc.size() && is_name_char(doc[k])) ++k;
    const std::string name = doc.substr(name_start, k - name_start);
    if (closing) {
      while (k < doc.size() && std::isspace(static_cast<unsigned char>(doc[k]))) ++k;
      if (k >= doc.size() || doc[k] != '>') return "bad closing tag" + at(i);
      if (open.empty() || open.back() != name)
        return "closing </" + name + "> does not match <" + (open.empty() ? "" : open.back()) + ">" + at(i);
      open.pop_back();
      if (open.empty()) root_done = true;
      i = k + 1;
      continue;
    }
    if (open.empty() && root_done) return "second root element" + at(i);
    std::set<std::string> attributes;
    while (true) {
      const std::size_t before = k;
      while (k < doc.size() && std::isspace(static_cast<unsigned char>(doc[k]))) ++k;
      if (k >= doc.size()) return "unterminated tag <" + name + ">" + at(i);
      if (doc[k] == '>' || doc.compare(k, 2, "/>") == 0) break;
      if (k == before || !is_name_start(doc[k])) return "bad attribute in <" + name + ">" + at(k);
      const std::size_t a = k;
      while (k < doc.size() && is_name_char(doc[k])) ++k;
      const std::string attr = doc.substr(a, k - a);
      if (!attributes.insert(attr).second) return "attribute " + attr + " twice" + at(a);
      if (k + 1 >= doc.size() || doc[k] != '=' || (doc[k + 1] != '"' && doc[k + 1] != '\''))
        return "attribute " + attr + " without a quoted value" + at(a);
      const char quote = doc[k + 1];
      const std::size_t end = doc.find(quote, k + 2);
      if (end == std::string::npos) return "unterminated attribute value" + at(a);
      for (std::size_t v = k + 2; v < end; ++v) {
        if (doc[v] == '<') return "'<' in an attribute value" + at(v);
        if (doc[v] == '&' && entity_length(doc, v) == 0) return "bare '&' in an attribute value" + at(v);
      }
      k = end + 1;
    }
    if (doc[k] == '/') {
      if (open.empty()) root_done = true;
      i = k + 2;
    } else {
      open.push_back(name);
      i = k + 1;
    }
  }
  if (!open.empty()) return "<" + open.back() + "> is never closed";
  if (!root_done) return "no root element";
  return "";
}

// xmllint's verdict: 1 well-formed, 0 not, -1 when xmllint is not installed.
inline int xmllint_verdict(const std::string& doc) {
  static const int available = std::system("xmllint --version >/dev/null 2>&1") == 0 ? 1 : 0;
  if (!available) return -1;
  const std::string path = "/tmp/biornn_test_xml_" + std::to_string(getpid()) + ".xml";
  std::ofstream(path, std::ios::binary) << doc;
  const int rc = std::system(("xmllint --noout --nonet " + path + " 2>/dev/null").c_str());
  std::remove(path.c_str());
  return rc == 0 ? 1 : 0;
}

}  // namespace xml_test
