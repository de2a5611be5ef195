// celltype_fixtures.hpp — what the cell-type fitting tests share: a tiny population spec, a
// one-step-ahead sinusoid data set a small network can learn, short fit options, and per-process
// temporary paths under /tmp named by the test file (so two suites never touch each other's).
#pragma once

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <string>
#include <unistd.h>

#include "biornn/celltype.hpp"
#include "biornn/celltype_fit.hpp"
#include "biornn/fileio.hpp"
#include "biornn/rng.hpp"
#include "biornn/tasks.hpp"
#include "doctest/doctest.h"

namespace celltype_fixtures {

using namespace biornn;

constexpr double kPi = 3.14159265358979323846;

// "/tmp/biornn_<suite>_<pid>_<name>".
inline std::string temp_path(const std::string& suite, const std::string& name) {
  return "/tmp/biornn_" + suite + "_" + std::to_string(long(::getpid())) + "_" + name;
}

// temp_path, emptied first.
inline std::string clean_dir(const std::string& suite, const std::string& name) {
  const std::string dir = temp_path(suite, name);
  const std::string cmd = "rm -rf '" + dir + "'";
  REQUIRE(std::system(cmd.c_str()) == 0);
  return dir;
}

// Removes everything this process wrote under /tmp for `suite` (directories and spec files).
inline void remove_temp_files(const std::string& suite) {
  const std::string cmd = "rm -rf " + temp_path(suite, "") + "*";
  CHECK(std::system(cmd.c_str()) == 0);
}

// 2 areas (A, B) × 2 layers × 2 types (E 4·2 = 8 units, I 1·2 = 2): 40 units, 8 populations;
// two feedforward projections A_L1_E → B_L2_{E, I}; with `with_unobserved`, B_L2_I unobserved.
inline CelltypeSpec tiny_spec(const std::string& suite, bool with_unobserved) {
  const std::string table = temp_path(suite, "table.csv");
  std::ofstream(table) << "post,L1_E,L1_I,L2_E,L2_I\n"
                          "L1_E,0.5,0.5,0.25,0\n"
                          "L1_I,0.5,0.5,0,0.5\n"
                          "L2_E,0.25,0.5,0.5,0.5\n"
                          "L2_I,0,0.5,0.5,0.25\n";
  const std::string spec = temp_path(suite, "spec.toml");
  std::ofstream(spec) << "[populations]\nareas = [\"A\", \"B\"]\nlayers = [\"L1\", \"L2\"]\ntypes = [\"E\", \"I\"]\n"
                         "excitatory = [\"E\"]\nratios = [4, 1]\nscale = 2\nintra_table = \""
                      << path_basename(table) << "\"\n"
                      << (with_unobserved ? "unobserved = [\"B_L2_I\"]\n" : "")
                      << "[inter_areal]\ndensity = 0.5\nprojections = [\"A_L1_E -> B_L2_E\", \"A_L1_E -> B_L2_I\"]\n";
  StatusOr<CelltypeSpec> s = load_celltype_spec(spec);
  REQUIRE(s.ok());
  return s.value();
}

// The paper's areas, layers, types and table with 2:1:1 units per layer: 24 units, 18 populations.
inline CelltypeSpec small_paper_spec() {
  StatusOr<CelltypeSpec> spec = default_celltype_spec();
  REQUIRE(spec.ok());
  CelltypeSpec s = spec.value();
  s.type_ratio = {2, 1, 1};
  s.scale = 1;
  REQUIRE(validate_celltype_spec(s, "small spec").ok());
  return s;
}

// Noise-free sinusoids, one per population and sample (random phase); input = frames 0..T−1,
// target = frames 1..T: a one-step-ahead problem a small network can learn.
inline TaskData sine_data(int32_t populations, int32_t samples, int32_t steps, uint64_t seed) {
  TaskData d;
  d.kind = TaskKind::kCelltype;
  Rng rng(seed);
  for (SequenceData* s : {&d.train, &d.test}) {
    s->steps = steps;
    s->inputs = s->outputs = populations;
    s->x = Matrix(samples, steps * populations);
    s->y = Matrix(samples, steps * populations);
    for (int32_t i = 0; i < samples; ++i) {
      for (int32_t p = 0; p < populations; ++p) {
        const double phase = rng.uniform(0, 2 * kPi), freq = 0.4 + 0.05 * p;
        for (int32_t t = 0; t < steps; ++t) {
          s->x(i, t * populations + p) = real(0.5 * std::sin(freq * t + phase));
          s->y(i, t * populations + p) = real(0.5 * std::sin(freq * (t + 1) + phase));
        }
      }
    }
  }
  d.description = "sinusoids";
  return d;
}

// 8 dense and 4 fine-tuning epochs at a high rate: enough to learn the sinusoids, a second or so.
inline CelltypeFitOptions tiny_options() {
  CelltypeFitOptions o;
  o.dense_epochs = 8;
  o.finetune_epochs = 4;
  o.lr = 3e-2;
  o.cosine_min_lr = 3e-3;
  o.cosine_t_max = 4;
  o.batch = 10;
  o.seed = 3;
  o.checkpoint_every = 2;
  return o;
}

}  // namespace celltype_fixtures
