// shared_options.cpp — options read the same way by several commands (see shared_options.hpp).
#include "cli/shared_options.hpp"

#include "biornn/kernels.hpp"

namespace biornn::cli {

Status apply_threads_option(const Args& a) {
  if (!a.has("threads")) return Status();
  int64_t threads = 0;
  BIORNN_RETURN_IF_ERROR(a.get_int("threads", 1, 4096, &threads));
  set_threads(int(threads));
  return Status();
}

Status read_recurrent_init_option(const Args& a, RecurrentInit* init) {
  if (a.has("recurrent-init") && !parse_recurrent_init(a.get("recurrent-init"), init))
    return invalid_argument("--recurrent-init must be uniform or balanced, got '" + a.get("recurrent-init") + "'");
  return Status();
}

}  // namespace biornn::cli
