// population.hpp — block connectivity tables as files: which populations a network has, how
// many units each, and the density of every (post, pre) block.
//
// The file format is CSV with row labels (csv.hpp):
//   population,size,E,I          ← header: a label cell, "size", then the pre populations
//   E,102,0.20,0.35              ← one row per post population: name, units, densities
//   I,26,0.40,0.10
// Rows are postsynaptic (targets), density columns presynaptic (sources), as in W. The density
// columns must name the same populations as the rows, in the same order. Sizes are positive
// integers; densities lie in [0, 1].
//
// Not here: pruning to the table (prune.hpp); the cortical model's spec (celltype.hpp).
#pragma once

#include <string>

#include "biornn/prune.hpp"

namespace biornn {

// Parses a table from CSV text; `source` names it in messages ("cortex.csv line 3, ...").
StatusOr<PopulationTable> parse_population_table(const std::string& text, const std::string& source);
StatusOr<PopulationTable> read_population_table(const std::string& path);
// The CSV text of a table (parse_population_table reads it back equal).
std::string format_population_table(const PopulationTable& table);

}  // namespace biornn
