// celltype_data_internal.hpp — what celltype_data.cpp shares with celltype_bootstrap.cpp.
// Not a public header.
#pragma once

#include <string>
#include <vector>

#include "biornn/status.hpp"

namespace biornn::celltype_detail {

// A 2-D float64/float32 .npy file as doubles in C order. Checks: 2-D, at least one row,
// `cols` columns (0: any), every value finite. `what` names the content in messages ("the
// trials of V1_L23_Pyr"); every message starts with the path.
StatusOr<std::vector<double>> read_trace_array(const std::string& path, int32_t cols, const std::string& what,
                                               int32_t* rows_out);

}  // namespace biornn::celltype_detail
