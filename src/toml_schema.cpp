// toml_schema.cpp — declaring the keys a configuration may hold, and checking a document
// against that declaration with messages a user can act on.
//
// Every problem is collected (not just the first), each naming the file and line, what the
// rule asks for and what was found. Unknown names get a suggestion: the declared key (or, for
// strings restricted by one_of, the allowed value) with the smallest optimal-string-alignment
// distance, when that distance is at most max(1, longer length / 3); failing that, a declared
// key with the same last component in another table ("lr" under [model] → 'train.lr').
//
// Not here: parsing (toml_parse.cpp), the document model (toml.cpp).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>

#include "biornn/toml.hpp"
#include "toml_internal.hpp"

namespace biornn {

using namespace toml_detail;

int toml_edit_distance(const std::string& a, const std::string& b) {
  const std::size_t n = a.size(), m = b.size();
  std::vector<std::vector<int>> d(n + 1, std::vector<int>(m + 1, 0));
  for (std::size_t i = 0; i <= n; ++i) d[i][0] = int(i);
  for (std::size_t j = 0; j <= m; ++j) d[0][j] = int(j);
  for (std::size_t i = 1; i <= n; ++i) {
    for (std::size_t j = 1; j <= m; ++j) {
      const int cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[n][m];
}

// ---- rules ------------------------------------------------------------------------------------

TomlRule& TomlRule::at_least(double v) {
  has_min = true, min = v, min_exclusive = false;
  return *this;
}
TomlRule& TomlRule::greater_than(double v) {
  has_min = true, min = v, min_exclusive = true;
  return *this;
}
TomlRule& TomlRule::at_most(double v) {
  has_max = true, max = v, max_exclusive = false;
  return *this;
}
TomlRule& TomlRule::less_than(double v) {
  has_max = true, max = v, max_exclusive = true;
  return *this;
}
TomlRule& TomlRule::finite() {
  must_be_finite = true;
  return *this;
}
TomlRule& TomlRule::one_of(std::vector<std::string> values) {
  allowed = std::move(values);
  return *this;
}
TomlRule& TomlRule::required() {
  is_required = true;
  return *this;
}

namespace {

std::string format_bound(double v) {
  if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 1e15) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0f", v);
    return buf;
  }
  return toml_value_string(TomlValue::of_float(v));
}

const char* plural_noun(TomlType t) {
  switch (t) {
    case TomlType::kString: return "strings";
    case TomlType::kInteger: return "integers";
    case TomlType::kFloat: return "numbers";
    case TomlType::kBoolean: return "booleans";
    case TomlType::kArray: return "arrays";
  }
  return "values";
}

std::string quoted_list(const std::vector<std::string>& words) {
  std::string out;
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (i > 0) out += i + 1 == words.size() ? " or " : ", ";
    out += toml_value_string(TomlValue::of_string(words[i]));
  }
  return out;
}

// The closest candidate within the suggestion threshold, or "".
std::string closest(const std::string& word, const std::vector<std::string>& candidates) {
  std::string best;
  int best_distance = 1 << 30;
  for (const std::string& c : candidates) {
    const int d = toml_edit_distance(word, c);
    const int limit = std::max<int>(1, int(std::max(word.size(), c.size())) / 3);
    if (d <= limit && d < best_distance) best = c, best_distance = d;
  }
  return best;
}

bool type_matches(TomlType want, TomlType have) {
  return want == have || (want == TomlType::kFloat && have == TomlType::kInteger);
}

// Empty when `v` satisfies the scalar part of `rule` with type `type`; otherwise what was found,
// possibly with a suggestion.
std::string scalar_problem(const TomlRule& rule, TomlType type, const TomlValue& v) {
  if (!type_matches(type, v.type)) return type_with_article(v.type) + " " + toml_value_string(v);
  const std::string found = toml_value_string(v);
  if (type == TomlType::kInteger || type == TomlType::kFloat) {
    const double x = v.type == TomlType::kInteger ? double(v.integer_value) : v.float_value;
    const bool below = rule.has_min && !(rule.min_exclusive ? x > rule.min : x >= rule.min);
    const bool above = rule.has_max && !(rule.max_exclusive ? x < rule.max : x <= rule.max);
    if (below || above || (rule.must_be_finite && !std::isfinite(x))) return found;
  }
  if (type == TomlType::kString && !rule.allowed.empty() &&
      std::find(rule.allowed.begin(), rule.allowed.end(), v.string_value) == rule.allowed.end()) {
    const std::string hint = closest(v.string_value, rule.allowed);
    return hint.empty() ? found
                        : found + " (did you mean " + toml_value_string(TomlValue::of_string(hint)) + "?)";
  }
  return "";
}

std::string value_problem(const TomlRule& rule, const TomlValue& v) {
  const std::string must = "'" + rule.path + "' must be " + rule.description() + ", found ";
  if (rule.type != TomlType::kArray) {
    const std::string p = scalar_problem(rule, rule.type, v);
    return p.empty() ? "" : must + p;
  }
  if (v.type != TomlType::kArray) return must + type_with_article(v.type) + " " + toml_value_string(v);
  for (std::size_t i = 0; i < v.array_value.size(); ++i) {
    const std::string p = scalar_problem(rule, rule.element_type, v.array_value[i]);
    if (!p.empty()) return must + p + " at index " + std::to_string(i);
  }
  return "";
}

}  // namespace

std::string TomlRule::description() const {
  std::string s;
  if (type == TomlType::kArray) s = std::string("an array of ") + plural_noun(element_type);
  else if (type == TomlType::kFloat) s = must_be_finite ? "a finite number" : "a number";
  else if (type == TomlType::kBoolean) s = "a boolean (true or false)";
  else s = type_with_article(type);
  const TomlType scalar = type == TomlType::kArray ? element_type : type;
  const std::string each = type == TomlType::kArray ? ", each" : "";
  if (type == TomlType::kArray && must_be_finite && scalar == TomlType::kFloat) s += ", each finite";
  std::string range;
  if (has_min) range += std::string(min_exclusive ? "> " : "≥ ") + format_bound(min);
  if (has_max) range += std::string(has_min ? " and " : "") + (max_exclusive ? "< " : "≤ ") + format_bound(max);
  if (!range.empty() && (scalar == TomlType::kInteger || scalar == TomlType::kFloat))
    s += (type == TomlType::kArray ? each + " " : " ") + range;
  if (!allowed.empty() && scalar == TomlType::kString)
    s += (type == TomlType::kArray ? ", each one of " : ", one of ") + quoted_list(allowed);
  return s;
}

TomlRule& TomlSchema::add(const std::string& path, TomlType type) {
  BIORNN_CHECK(type != TomlType::kArray, "TomlSchema::add: use add_array for '" + path + "'");
  BIORNN_CHECK(is_valid_path(path), "TomlSchema::add: '" + path + "' is not a dotted path of bare keys");
  for (const TomlRule& r : rules_)
    BIORNN_CHECK(r.path != path, "TomlSchema::add: '" + path + "' is declared twice");
  TomlRule rule;
  rule.path = path;
  rule.type = type;
  rules_.push_back(std::move(rule));
  return rules_.back();
}

TomlRule& TomlSchema::add_array(const std::string& path, TomlType element_type) {
  BIORNN_CHECK(element_type != TomlType::kArray, "TomlSchema::add_array: nested arrays for '" + path + "'");
  TomlRule& rule = add(path, TomlType::kString);
  rule.type = TomlType::kArray;
  rule.element_type = element_type;
  return rule;
}

std::string TomlSchema::describe() const {
  std::string out;
  for (const TomlRule& r : rules_)
    out += r.path + " = " + r.description() + (r.is_required ? " (required)" : "") + "\n";
  return out;
}

// ---- validation -------------------------------------------------------------------------------

namespace {

struct Problem {
  int32_t line;  // 0: not tied to a line (listed last)
  std::string message;
};

std::string unknown_key_message(const std::string& path, const std::vector<std::string>& known) {
  std::string hint = closest(path, known);
  if (hint.empty()) {
    const std::string last = path.substr(path.rfind('.') == std::string::npos ? 0 : path.rfind('.') + 1);
    for (const std::string& k : known) {
      const std::size_t dot = k.rfind('.');
      if ((dot == std::string::npos ? k : k.substr(dot + 1)) == last) {
        hint = k;
        break;
      }
    }
  }
  return "unknown key '" + path + "'" + (hint.empty() ? "" : " (did you mean '" + hint + "'?)");
}

// Every table a declared key lives in, and all their prefixes.
std::vector<std::string> declared_tables(const std::vector<std::string>& known) {
  std::vector<std::string> tables;
  for (const std::string& k : known)
    for (std::size_t dot = k.find('.'); dot != std::string::npos; dot = k.find('.', dot + 1))
      if (std::find(tables.begin(), tables.end(), k.substr(0, dot)) == tables.end())
        tables.push_back(k.substr(0, dot));
  return tables;
}

}  // namespace

Status toml_validate(const TomlDocument& doc, const TomlSchema& schema) {
  std::vector<std::string> known;
  for (const TomlRule& r : schema.rules()) known.push_back(r.path);
  const std::vector<std::string> tables = declared_tables(known);
  std::vector<Problem> problems;
  for (const TomlTable& t : doc.tables()) {
    if (!t.name.empty() && t.entries.empty() &&
        std::find(tables.begin(), tables.end(), t.name) == tables.end()) {
      const std::string hint = closest(t.name, tables);
      problems.push_back({t.line, "unknown table [" + t.name + "]" +
                                      (hint.empty() ? "" : " (did you mean [" + hint + "]?)")});
    }
    for (const TomlEntry& e : t.entries) {
      const std::string path = join_path(t.name, e.key);
      const auto rule = std::find_if(schema.rules().begin(), schema.rules().end(),
                                     [&](const TomlRule& r) { return r.path == path; });
      if (rule == schema.rules().end()) {
        problems.push_back({e.line, unknown_key_message(path, known)});
        continue;
      }
      const std::string p = value_problem(*rule, e.value);
      if (!p.empty()) problems.push_back({e.line, p});
    }
  }
  for (const TomlRule& r : schema.rules())
    if (r.is_required && !doc.contains(r.path))
      problems.push_back({0, "missing required key '" + r.path + "' (" + r.description() + ")"});
  if (problems.empty()) return Status();
  std::stable_sort(problems.begin(), problems.end(), [](const Problem& a, const Problem& b) {
    return (a.line == 0 ? INT32_MAX : a.line) < (b.line == 0 ? INT32_MAX : b.line);
  });
  const std::string source = doc.source_name().empty() ? "config" : doc.source_name();
  std::string message;
  for (const Problem& p : problems) {
    if (!message.empty()) message += "\n";
    message += source + (p.line > 0 ? " line " + std::to_string(p.line) : std::string()) + ": " + p.message;
  }
  return invalid_argument(message);
}

}  // namespace biornn
