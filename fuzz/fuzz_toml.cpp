// fuzz_toml.cpp — libFuzzer target: the TOML subset of configs, and the training config
// validation on top of it (what `biornn train --config FILE` does with a file).
//
// A parsed document must write back (to_toml_string) to text that parses to an equal
// document; then the document goes through peek_task_and_rule and apply_train_config.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "biornn/toml.hpp"
#include "biornn/train_config.hpp"

using namespace biornn;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  StatusOr<TomlDocument> parsed = parse_toml(text, "fuzz.toml");
  if (!parsed.ok()) return 0;
  const TomlDocument& doc = parsed.value();
  const std::string written = to_toml_string(doc, "header\nline two");
  StatusOr<TomlDocument> reparsed = parse_toml(written, "fuzz.toml (re-written)");
  if (!reparsed.ok() || !(reparsed.value() == doc)) std::abort();
  TaskKind task = TaskKind::kFlipFlop;
  LearningRule rule = LearningRule::kDale;
  if (!peek_task_and_rule(doc, &task, &rule).ok()) return 0;
  TrainConfig config = default_train_config(task, rule);
  (void)apply_train_config(doc, &config);
  return 0;
}
