// test_celltype.cpp — the cortical model's population spec and model: sizes, order, signs,
// block densities from the shipped table, inter-areal projections, spec files and their errors.
#include "doctest/doctest.h"

#include <cstdio>
#include <fstream>

#include "biornn/celltype_model.hpp"

using namespace biornn;

namespace {

std::string write_temp(const std::string& name, const std::string& text) {
  const std::string path = "/tmp/biornn_celltype_" + name;
  std::ofstream(path) << text;
  return path;
}

}  // namespace

TEST_CASE("the default spec is the paper's 1440-unit, 18-population CelltypeRNN") {
  StatusOr<CelltypeSpec> loaded = default_celltype_spec();
  REQUIRE(loaded.ok());
  const CelltypeSpec& s = loaded.value();
  CHECK(s.populations() == 18);
  CHECK(s.total_units() == 1440);
  int32_t excitatory_units = 0;
  for (int8_t sign : s.unit_signs()) excitatory_units += sign > 0;
  CHECK(excitatory_units == 1152);
  // Order: area, then layer (L4, L2/3, L5), then type.
  CHECK(s.population_name(0) == "V1_L4_Pyr");
  CHECK(s.population_name(4) == "V1_L23_Sst");
  CHECK(s.population_name(17) == "LM_L5_Vip");
  CHECK(s.population_size(0) == 192);
  CHECK(s.population_size(1) == 32);
  CHECK(s.population_size(2) == 16);
  CHECK(s.population_offset(9) == 720);
}

TEST_CASE("block densities follow the Campagnola table within areas and the projections between them") {
  StatusOr<CelltypeSpec> loaded = default_celltype_spec();
  REQUIRE(loaded.ok());
  const CelltypeSpec& s = loaded.value();
  const PopulationTable t = s.block_table();
  auto at = [&](const char* post, const char* pre) { return double(t.density(s.find_population(post), s.find_population(pre))); };
  // SPEC §7's table: row L23 Pyr, column L4 Sst = 0.33; row L4 Sst, column L5 Vip = 0.20.
  CHECK(at("V1_L23_Pyr", "V1_L4_Sst") == doctest::Approx(0.33));
  CHECK(at("LM_L23_Pyr", "LM_L4_Sst") == doctest::Approx(0.33));  // the same in both areas
  CHECK(at("V1_L4_Sst", "V1_L5_Vip") == doctest::Approx(0.20));
  CHECK(at("V1_L5_Vip", "V1_L4_Pyr") == doctest::Approx(0.11));
  CHECK(at("LM_L4_Pyr", "V1_L23_Pyr") == doctest::Approx(0.3));   // feedforward
  CHECK(at("V1_L5_Vip", "LM_L5_Pyr") == doctest::Approx(0.3));    // feedback
  CHECK(at("V1_L23_Sst", "LM_L5_Pyr") == doctest::Approx(0.3));
  CHECK(at("LM_L4_Pyr", "V1_L4_Pyr") == 0.0);                      // not a projection
  CHECK(at("LM_L4_Sst", "V1_L23_Sst") == 0.0);                     // inhibitory source
  int inter_nonzero = 0;
  for (int32_t a = 0; a < 18; ++a)
    for (int32_t b = 0; b < 18; ++b) inter_nonzero += s.inter_areal(a, b) && t.density(a, b) > 0;
  CHECK(inter_nonzero == 9);
}

TEST_CASE("the cell-type model masks inputs and readouts per population and freezes the readout") {
  StatusOr<CelltypeSpec> loaded = default_celltype_spec();
  REQUIRE(loaded.ok());
  Rng rng(1);
  std::unique_ptr<SignedRnn> m = make_celltype_model(loaded.value(), rng);
  CHECK(m->hidden() == 1440);
  CHECK(m->w_in.value.shape() == "(1440, 18)");
  CHECK(m->w_in.value(0, 0) != 0);     // V1_L4_Pyr unit hears channel 0 ...
  CHECK(m->w_in.value(0, 1) == 0);     // ... and no other
  CHECK(m->w_out.value(1, 0) == 0);    // readout 1 (V1_L4_Sst) ignores Pyr units
  CHECK(m->w_out.value(1, 192) != 0);
  CHECK(m->sign_violations() == 0);
  CHECK(m->column_signs()[192] == -1);  // the first Sst unit
  Optimizer opt{OptimizerOptions{}};
  m->register_parameters(opt);
  for (const Optimizer::Slot& slot : opt.slots()) CHECK(slot.parameter->name != "W_out");
}

TEST_CASE("a spec file can shrink the model and mark populations unobserved") {
  const std::string table = write_temp("table.csv",
                                       "post,L1_E,L1_I\nL1_E,0.2,0.5\nL1_I,0.4,0.1\n");
  const std::string spec = write_temp("small.toml",
                                      "[populations]\nareas = [\"A\", \"B\"]\nlayers = [\"L1\"]\ntypes = [\"E\", \"I\"]\n"
                                      "excitatory = [\"E\"]\nratios = [4, 1]\nscale = 2\nintra_table = \"biornn_celltype_table.csv\"\n"
                                      "unobserved = [\"B_L1_I\"]\n[inter_areal]\ndensity = 0.25\nprojections = [\"A_L1_E -> B_L1_I\"]\n");
  StatusOr<CelltypeSpec> loaded = load_celltype_spec(spec);
  REQUIRE(loaded.ok());
  const CelltypeSpec& s = loaded.value();
  CHECK(s.total_units() == 20);
  CHECK_FALSE(s.observed[3]);
  CHECK(s.block_table().density(3, 0) == real(0.25));
  CHECK(s.block_table().density(1, 0) == real(0.4));
}

TEST_CASE("spec files that do not add up are rejected with what is missing") {
  const std::string table = write_temp("table2.csv", "post,L1_E\nL1_E,0.2\n");
  struct Bad {
    const char* text;
    const char* expect;
  };
  const Bad cases[] = {
      {"[populations]\nlayers = [\"L1\"]\ntypes = [\"E\", \"I\"]\nratios = [1, 1]\nexcitatory = [\"E\"]\n"
       "intra_table = \"biornn_celltype_table2.csv\"\n",
       "L1_I"},
      {"[populations]\nlayers = [\"L1\"]\ntypes = [\"E\"]\nratios = [1, 2]\nexcitatory = [\"E\"]\n"
       "intra_table = \"biornn_celltype_table2.csv\"\n",
       "ratios has 2 entries"},
      {"[populations]\nlayers = [\"L1\"]\ntypes = [\"E\"]\nratios = [1]\nexcitatory = [\"X\"]\n"
       "intra_table = \"biornn_celltype_table2.csv\"\n",
       "'X'"},
      {"[populations]\nlayers = [\"L1\"]\ntypes = [\"E\"]\nratios = [1]\nexcitatory = []\n"
       "intra_table = \"biornn_celltype_table2.csv\"\n[inter_areal]\nprojections = [\"V1_L1_E -> LM_L1_E\"]\n",
       "not excitatory"},
      {"[populations]\nlayers = [\"L1\"]\ntypes = [\"E\"]\nratios = [1]\nexcitatory = [\"E\"]\n"
       "intra_table = \"biornn_celltype_table2.csv\"\n[inter_areal]\nprojections = [\"V1_L1_E -> V1_L1_E\"]\n",
       "stays within one area"},
      {"[populations]\nlayers = [\"L1\"]\ntypes = [\"E\"]\nratios = [1]\nexcitatory = [\"E\"]\n"
       "intra_table = \"biornn_celltype_table2.csv\"\nunobserved = [\"V1_L9_E\"]\n",
       "'V1_L9_E'"},
      {"[populations]\nlayer = [\"L1\"]\n", "unknown key 'populations.layer'"},
  };
  for (const Bad& b : cases) {
    CAPTURE(b.text);
    StatusOr<CelltypeSpec> s = load_celltype_spec(write_temp("bad.toml", b.text));
    REQUIRE_FALSE(s.ok());
    CAPTURE(s.status().message());
    CHECK(s.status().message().find(b.expect) != std::string::npos);
  }
}

TEST_CASE("a frozen readout gets no gradient and leaves every other gradient's bits alone") {
  // The frozen readout enters the tape as a constant (rnn.cpp), which skips its gradient
  // product; the gradients that do reach the optimiser must be exactly those of the same
  // network with the readout trainable.
  StatusOr<CelltypeSpec> loaded = default_celltype_spec();
  REQUIRE(loaded.ok());
  Rng rng_frozen(5), rng_free(5), data_rng(6);
  std::unique_ptr<SignedRnn> frozen = make_celltype_model(loaded.value(), rng_frozen);
  std::unique_ptr<SignedRnn> free = make_celltype_model(loaded.value(), rng_free);
  free->freeze_readout(false);
  constexpr int32_t kSteps = 3, kBatch = 4;
  Matrix x(kSteps * kBatch, 18), r(kSteps * kBatch, 18);
  for (Matrix* m : {&x, &r})
    for (int64_t k = 0; k < m->size(); ++k) m->data()[k] = real(data_rng.uniform(-1, 1));
  for (SignedRnn* m : {frozen.get(), free.get()}) {
    Tape t;
    Var y = m->record_readout(t, m->record_hidden(t, x, kSteps));
    t.backward(sum(mul(y, t.constant(r))));
  }
  const Matrix zero_w_out(frozen->w_out.grad.rows(), frozen->w_out.grad.cols());
  const Matrix zero_b_out(frozen->b_out.grad.rows(), frozen->b_out.grad.cols());
  const Matrix zero_w_in(frozen->w_in.grad.rows(), frozen->w_in.grad.cols());
  CHECK(max_abs_diff(frozen->w_out.grad, zero_w_out) == 0);
  CHECK(max_abs_diff(frozen->b_out.grad, zero_b_out) == 0);
  CHECK(max_abs_diff(free->w_out.grad, zero_w_out) > 0);
  CHECK(max_abs_diff(frozen->w_in.grad, zero_w_in) > 0);
  CHECK(bitwise_equal(frozen->w_in.grad, free->w_in.grad));
  CHECK(bitwise_equal(frozen->w.grad, free->w.grad));
}
