// celltype.hpp — the population spec of a cell-type RNN: areas × layers × cell types, how many
// units each, which are excitatory, and the block connectivity the pruning enforces (paper §4,
// SPEC §7).
//
// The default spec is the paper's CelltypeRNN: 2 areas (V1, LM) × 3 layers (L4, L2/3, L5) ×
// 3 types (Pyr, Sst, Vip) = 18 populations; per layer 12:2:1 × 16 = 192 Pyr, 32 Sst, 16 Vip
// units (1440 in all, 1152 E, 288 I); units ordered area, then layer, then type. Pyr is
// excitatory, Sst and Vip inhibitory. Intra-areal block densities come from a table file —
// Campagnola et al. 2022 as printed in the paper's Table 1, shipped as
// data/campagnola2022_intra_areal.csv — the same in both areas. Inter-areal blocks are zero
// except the projections listed, each excitatory only and at density 0.3: feedforward
// V1 L2/3 Pyr → LM L4 (Pyr, Sst, Vip); feedback LM L5 Pyr → V1 L2/3 (all types) and
// LM L5 Pyr → V1 L5 (all types).
//
// A spec file (TOML, `--spec FILE`) describes another network; every key is optional and
// defaults to the paper's:
//   [populations]
//   areas = ["V1", "LM"]
//   layers = ["L4", "L23", "L5"]
//   types = ["Pyr", "Sst", "Vip"]
//   excitatory = ["Pyr"]            # the other types are inhibitory
//   ratios = [12, 2, 1]             # units per type = ratio × scale, in every layer and area
//   scale = 16
//   intra_table = "data/campagnola2022_intra_areal.csv"   # relative to the spec file
//   unobserved = []                 # populations the loss does not score ("LM_L5_Vip")
//   [inter_areal]
//   density = 0.3
//   projections = ["V1_L23_Pyr -> LM_L4_Pyr", ...]    # source -> target, excitatory sources only
// The intra table is a CSV with row labels: rows = post "<layer>_<type>", columns = pre, each
// density in [0, 1]; every layer × type of the spec must appear (extra rows are an error too).
// Population names are "<area>_<layer>_<type>".
//
// Not here: the model built from a spec (celltype_model.hpp), data (celltype_data.hpp).
#pragma once

#include <string>
#include <vector>

#include "biornn/constraint.hpp"
#include "biornn/matrix.hpp"
#include "biornn/prune.hpp"
#include "biornn/status.hpp"

namespace biornn {

struct CelltypeProjection {
  int32_t source = 0;  // population index (presynaptic)
  int32_t target = 0;  // population index (postsynaptic)
};

struct CelltypeSpec {
  std::vector<std::string> areas, layers, types;
  std::vector<bool> type_excitatory;   // per type
  std::vector<int32_t> type_ratio;     // per type
  int32_t scale = 16;
  std::string intra_table_path;        // recorded in runs; the table itself is below
  Matrix intra_density;                // (layers·types)², rows = post, in this spec's layer × type order
  double inter_density = 0.3;
  std::vector<CelltypeProjection> projections;
  std::vector<bool> observed;          // per population

  int32_t populations() const { return int32_t(areas.size() * layers.size() * types.size()); }
  int32_t population_index(int32_t area, int32_t layer, int32_t type) const;
  int32_t area_of(int32_t population) const;
  int32_t layer_of(int32_t population) const;
  int32_t type_of(int32_t population) const;
  std::string population_name(int32_t population) const;  // "V1_L23_Pyr"
  int32_t find_population(const std::string& name) const;  // −1 when unknown
  int32_t population_size(int32_t population) const;
  int32_t population_offset(int32_t population) const;   // first unit
  int32_t total_units() const;
  bool excitatory(int32_t population) const;
  // Per-unit Dale signs in unit order.
  SignVector unit_signs() const;
  // The block densities the pruning enforces: intra-areal from the table, the listed
  // projections at inter_density, every other inter-areal block 0.
  PopulationTable block_table() const;
  // True for blocks between different areas (pruned at inter_density, excitatory only).
  bool inter_areal(int32_t post, int32_t pre) const;
};

// Where the shipped intra-areal table is found when no path is given: $BIORNN_DATA_DIR if set,
// else ./data if it holds the file, else the data/ folder of the source tree the library was
// built from (so tests and programs work from any directory, e.g. CMake's build folder).
std::string default_intra_table_path();
// The paper's spec, reading the intra-areal table from `intra_table_path` (empty: the default
// location above).
StatusOr<CelltypeSpec> default_celltype_spec(const std::string& intra_table_path = "");
// A spec from a TOML file (see above); relative table paths are resolved against the file's
// directory. Errors name the file, the key and what is wrong.
StatusOr<CelltypeSpec> load_celltype_spec(const std::string& path);
// The same from the file's text; `path` names it in messages and anchors relative table paths.
StatusOr<CelltypeSpec> parse_celltype_spec(const std::string& text, const std::string& path);
// Checks a spec for consistency (sizes positive, names unique, the table complete, projections
// from excitatory populations between different areas); used by both loaders.
Status validate_celltype_spec(const CelltypeSpec& spec, const std::string& source);

}  // namespace biornn
