// args.cpp — the strict option parser (see args.hpp).
#include "cli/args.hpp"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace biornn::cli {

Args::Args(std::string command, std::string summary, std::vector<OptionSpec> options)
    : command_(std::move(command)), summary_(std::move(summary)), specs_(std::move(options)) {}

const OptionSpec* Args::find(const std::string& name) const {
  for (const OptionSpec& s : specs_)
    if (s.name == name) return &s;
  return nullptr;
}

Status Args::parse(int argc, char** argv, int first) {
  for (int i = first; i < argc; ++i) {
    std::string token = argv[i];
    if (token == "--help" || token == "-h") {
      help_ = true;
      continue;
    }
    if (token.rfind("--", 0) != 0) {
      positional_.push_back(token);
      continue;
    }
    std::string name = token.substr(2), value;
    bool inline_value = false;
    const std::size_t eq = name.find('=');
    if (eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      inline_value = true;
    }
    const OptionSpec* spec = find(name);
    if (spec == nullptr)
      return invalid_argument("unknown option --" + name + " (see " + command_ +
                              " --help)");
    if (spec->value_name.empty()) {
      if (inline_value)
        return invalid_argument("--" + name + " is a flag and takes no value");
      given_.emplace_back(name, "1");
      continue;
    }
    if (!inline_value) {
      if (i + 1 >= argc)
        return invalid_argument("--" + name + " needs a value (" +
                                spec->value_name + ")");
      value = argv[++i];
    }
    given_.emplace_back(name, value);
  }
  return Status();
}

bool Args::has(const std::string& name) const {
  for (const auto& kv : given_)
    if (kv.first == name) return true;
  return false;
}

std::string Args::get(const std::string& name) const {
  BIORNN_CHECK(find(name) != nullptr, command_ + ": option --" + name + " was never declared");
  for (auto it = given_.rbegin(); it != given_.rend(); ++it)
    if (it->first == name) return it->second;
  return find(name)->default_value;
}

Status Args::get_int(const std::string& name, int64_t min, int64_t max, int64_t* out) const {
  const std::string text = get(name);
  errno = 0;
  char* end = nullptr;
  const long long v = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || errno == ERANGE || v < min || v > max)
    return invalid_argument("--" + name + " expects an integer from " +
                            std::to_string(min) + " to " + std::to_string(max) + ", got '" +
                            text + "'");
  *out = v;
  return Status();
}

Status Args::get_double(const std::string& name, double* out) const {
  const std::string text = get(name);
  errno = 0;
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || errno == ERANGE || !std::isfinite(v))
    return invalid_argument("--" + name + " expects a finite number, got '" +
                            text + "'");
  *out = v;
  return Status();
}

Status Args::get_nonnegative(const std::string& name, double* out) const {
  double v = 0;
  BIORNN_RETURN_IF_ERROR(get_double(name, &v));
  if (!(v >= 0)) return invalid_argument("--" + name + " must be a finite number >= 0, got " + get(name));
  *out = v;
  return Status();
}

int exit_status_for(const Status& s) {
  switch (s.code()) {
    case StatusCode::kCancelled: return 130;
    case StatusCode::kNumericalFailure: return 1;
    default: return 2;
  }
}

int report_failure(const std::string& command, const Status& s) {
  std::fprintf(stderr, "%s: %s\n", command.c_str(), s.message().c_str());
  return exit_status_for(s);
}

int Args::fail(const Status& s) const { return report_failure(command_, s); }

std::string Args::help_text() const {
  std::string s = "usage: " + command_ + " [options]\n\n" + summary_ + "\n\noptions:\n";
  for (const OptionSpec& o : specs_) {
    std::string left = "  --" + o.name + (o.value_name.empty() ? "" : " " + o.value_name);
    if (left.size() < 26) left.resize(26, ' ');
    else left += "  ";
    // A help text of several lines continues under its first line, not at the margin.
    std::string help = o.help;
    for (std::size_t at = help.find('\n'); at != std::string::npos; at = help.find('\n', at + 1))
      help.insert(at + 1, std::string(26, ' '));
    s += left + help;
    if (!o.default_value.empty()) s += " (default: " + o.default_value + ")";
    s += "\n";
  }
  s += "  --help                  show this text\n";
  return s;
}

}  // namespace biornn::cli
