// test_toml_schema.cpp — validating a TOML document against declared keys, types and ranges,
// with "did you mean" suggestions from the edit distance.
#include "doctest/doctest.h"

#include <string>

#include "biornn/toml.hpp"

using namespace biornn;

namespace {

TomlSchema run_schema() {
  TomlSchema s;
  s.add("task", TomlType::kString).one_of({"flipflop", "wave", "seqmnist"}).required();
  s.add("train.lr", TomlType::kFloat).greater_than(0).at_most(1);
  s.add("train.epochs", TomlType::kInteger).at_least(1);
  s.add("train.dale", TomlType::kBoolean);
  s.add("train.clip", TomlType::kFloat).finite();
  s.add_array("model.sizes", TomlType::kInteger).at_least(1).less_than(100000);
  s.add_array("model.rules", TomlType::kString).one_of({"dale", "conventional"});
  return s;
}

std::string validate(const std::string& text) {
  StatusOr<TomlDocument> doc = parse_toml(text, "run.toml");
  REQUIRE_MESSAGE(doc.ok(), doc.status().to_string());
  const Status s = toml_validate(doc.value(), run_schema());
  if (s.ok()) return "ok";
  CHECK(s.code() == StatusCode::kInvalidArgument);
  return s.message();
}

}  // namespace

TEST_CASE("a TOML document that follows its schema validates, integers standing in for floats") {
  CHECK(validate("task = \"wave\"\n[train]\nlr = 1\nepochs = 3\ndale = true\nclip = 5.0\n"
                 "[model]\nsizes = [1, 99999]\nrules = [\"dale\"]\n") == "ok");
}

TEST_CASE("TOML schema validation suggests the closest declared key for an unknown one") {
  CHECK(validate("task = \"wave\"\n\n[train]\nlr = 0.1\n\n\nlrate = 0.1\n") ==
        "run.toml line 7: unknown key 'train.lrate' (did you mean 'train.lr'?)");
  CHECK(validate("task = \"wave\"\n[trian]\nepochs = 2\n") ==
        "run.toml line 3: unknown key 'trian.epochs' (did you mean 'train.epochs'?)");
  CHECK(validate("task = \"wave\"\n[model]\nlr = 2\n") ==
        "run.toml line 3: unknown key 'model.lr' (did you mean 'train.lr'?)");
  CHECK(validate("task = \"wave\"\ncompletely_different = 1\n") ==
        "run.toml line 2: unknown key 'completely_different'");
  CHECK(validate("task = \"wave\"\n[trainn]\n") == "run.toml line 2: unknown table [trainn] (did you mean [train]?)");
}

TEST_CASE("TOML schema validation names the rule and the value that broke it") {
  CHECK(validate("task = \"wave\"\n[train]\nepochs = -5\n") ==
        "run.toml line 3: 'train.epochs' must be an integer ≥ 1, found -5");
  CHECK(validate("task = \"wave\"\n[train]\nepochs = 2.0\n") ==
        "run.toml line 3: 'train.epochs' must be an integer ≥ 1, found a float 2.0");
  CHECK(validate("task = \"wave\"\n[train]\nlr = 0\n") ==
        "run.toml line 3: 'train.lr' must be a number > 0 and ≤ 1, found 0");
  CHECK(validate("task = \"wave\"\n[train]\nlr = nan\n") ==
        "run.toml line 3: 'train.lr' must be a number > 0 and ≤ 1, found nan");
  CHECK(validate("task = \"wave\"\n[train]\nlr = \"0.1\"\n") ==
        "run.toml line 3: 'train.lr' must be a number > 0 and ≤ 1, found a string \"0.1\"");
  CHECK(validate("task = \"wave\"\n[train]\nclip = inf\n") ==
        "run.toml line 3: 'train.clip' must be a finite number, found inf");
  CHECK(validate("task = \"wave\"\n[train]\ndale = 1\n") ==
        "run.toml line 3: 'train.dale' must be a boolean (true or false), found an integer 1");
  CHECK(validate("task = \"flipflpo\"\n") ==
        "run.toml line 1: 'task' must be a string, one of \"flipflop\", \"wave\" or \"seqmnist\", "
        "found \"flipflpo\" (did you mean \"flipflop\"?)");
  CHECK(validate("task = \"wave\"\n[model]\nsizes = [3, 0]\n") ==
        "run.toml line 3: 'model.sizes' must be an array of integers, each ≥ 1 and < 100000, found 0 at index 1");
  CHECK(validate("task = \"wave\"\n[model]\nsizes = 3\n") ==
        "run.toml line 3: 'model.sizes' must be an array of integers, each ≥ 1 and < 100000, found an integer 3");
  CHECK(validate("task = \"wave\"\n[model]\nrules = [\"dael\"]\n") ==
        "run.toml line 3: 'model.rules' must be an array of strings, each one of \"dale\" or "
        "\"conventional\", found \"dael\" (did you mean \"dale\"?) at index 0");
}

TEST_CASE("TOML schema validation lists every problem in file order, missing required keys last") {
  CHECK(validate("[train]\nepochs = 0\nlr = 2\nspeed = 1\n") ==
        "run.toml line 2: 'train.epochs' must be an integer ≥ 1, found 0\n"
        "run.toml line 3: 'train.lr' must be a number > 0 and ≤ 1, found 2\n"
        "run.toml line 4: unknown key 'train.speed'\n"
        "run.toml: missing required key 'task' (a string, one of \"flipflop\", \"wave\" or \"seqmnist\")");
}

TEST_CASE("a TOML schema describes itself one key per line") {
  TomlSchema s;
  s.add("train.lr", TomlType::kFloat).greater_than(0).at_most(1).required();
  s.add("seed", TomlType::kInteger);
  CHECK(s.describe() == "train.lr = a number > 0 and ≤ 1 (required)\nseed = an integer\n");
  CHECK_THROWS_AS(s.add("seed", TomlType::kInteger), ContractViolation);
  CHECK_THROWS_AS(s.add("bad key", TomlType::kInteger), ContractViolation);
}

TEST_CASE("the TOML edit distance counts insertions, deletions, substitutions and transpositions") {
  CHECK(toml_edit_distance("", "") == 0);
  CHECK(toml_edit_distance("abc", "") == 3);
  CHECK(toml_edit_distance("lr", "lrate") == 3);
  CHECK(toml_edit_distance("train", "trian") == 1);
  CHECK(toml_edit_distance("kitten", "sitting") == 3);
  CHECK(toml_edit_distance("ca", "abc") == 3);  // OSA, not full Damerau (which gives 2)
}
