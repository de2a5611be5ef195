// args.hpp — a small, strict command-line parser shared by every sub-command.
//
// Each command declares its options (name, value or flag, help text, default) and parses
// argv with them. Unknown options, a missing value, or a value of the wrong type are errors
// that name the option and what was expected; `--help` prints the generated help text.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "biornn/status.hpp"

namespace biornn::cli {

struct OptionSpec {
  std::string name;           // without the leading "--"
  std::string value_name;     // e.g. "N"; empty for a flag
  std::string help;
  std::string default_value;  // shown in help; empty for none
};

class Args {
 public:
  Args(std::string command, std::string summary, std::vector<OptionSpec> options);

  // Parses argv[first..argc). Returns an error for unknown options and malformed values.
  Status parse(int argc, char** argv, int first);

  bool help_requested() const { return help_; }
  std::string help_text() const;
  // report_failure(command, s): prints "biornn train: <message>" (the Status messages of
  // parse, get_int and get_double do not carry the command's name) and returns the exit status.
  int fail(const Status& s) const;

  bool has(const std::string& name) const;  // given on the command line (or flag set)
  std::string get(const std::string& name) const;  // value or default
  // Typed getters: an unparsable value returns an error naming the option.
  Status get_int(const std::string& name, int64_t min, int64_t max, int64_t* out) const;
  Status get_double(const std::string& name, double* out) const;  // refuses NaN and infinities
  // get_double, and a value below 0 is refused too ("--name must be a finite number >= 0, got V").
  Status get_nonnegative(const std::string& name, double* out) const;
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  const OptionSpec* find(const std::string& name) const;

  std::string command_;
  std::string summary_;
  std::vector<OptionSpec> specs_;
  std::vector<std::pair<std::string, std::string>> given_;
  std::vector<std::string> positional_;
  bool help_ = false;
};

// The exit status of a command that failed with `s`, the same for every command:
//   1    the computation failed (a loss or weight became NaN or infinite); what had been
//        finished is kept and the message says where;
//   130  interrupted (Ctrl-C); the state was saved for --resume;
//   2    anything else: a bad option or value, a missing, unreadable or malformed file, an
//        output path that cannot be written, a size that does not fit.
int exit_status_for(const Status& s);
// Prints "<command>: <message>" on stderr and returns exit_status_for(s).
int report_failure(const std::string& command, const Status& s);

}  // namespace biornn::cli
