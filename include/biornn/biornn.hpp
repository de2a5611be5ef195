// biornn.hpp — everything at once. Include the individual headers when you want to see what a
// file depends on; include this for quick experiments and examples.
#pragma once

#include "biornn/config.hpp"
#include "biornn/check.hpp"
#include "biornn/status.hpp"
#include "biornn/rng.hpp"
#include "biornn/matrix.hpp"
#include "biornn/mask.hpp"
#include "biornn/csr.hpp"
#include "biornn/kernels.hpp"
#include "biornn/blas.hpp"
#include "biornn/vmath.hpp"
#include "biornn/tape.hpp"
#include "biornn/gradcheck.hpp"
