// infer_c.cpp — the C interface of infer.h over InferenceModel (inference.hpp).
//
// Nothing thrown may cross into C: with exceptions enabled every entry point runs its body
// inside a catch-all that turns std::bad_alloc into BIORNN_ERR_RESOURCE and anything else (a
// broken contract — a bug, since arguments are checked here first) into BIORNN_ERR_INTERNAL.
// Built with -fno-exceptions there is nothing to catch: allocation failure and broken
// contracts abort with a message, as the rest of the library does in that build.
//
// Bad files and bad arguments never reach a contract: InferenceModel::load returns a Status
// for every problem in a file, and the lengths and pointers are checked below.
#include "biornn/infer.h"

#include <cstdio>
#include <cstring>
#include <new>
#include <string>

#include "biornn/inference.hpp"

struct biornn_model {
  biornn::InferenceModel model;
  char kernels[64];
};

namespace {

// The last failure's message on this thread; assigned only on failure.
thread_local std::string t_last_error;

biornn_status fail(biornn_status code, const std::string& message) {
  t_last_error = message;
  return code;
}

biornn_status from_status(const biornn::Status& s) {
  using biornn::StatusCode;
  biornn_status code = BIORNN_ERR_INTERNAL;
  switch (s.code()) {
    case StatusCode::kOk: return BIORNN_OK;
    case StatusCode::kInvalidArgument: code = BIORNN_ERR_INVALID_ARGUMENT; break;
    case StatusCode::kNotFound: code = BIORNN_ERR_NOT_FOUND; break;
    case StatusCode::kIoError: code = BIORNN_ERR_IO; break;
    case StatusCode::kCorrupt: code = BIORNN_ERR_CORRUPT; break;
    case StatusCode::kUnsupported: code = BIORNN_ERR_UNSUPPORTED; break;
    case StatusCode::kResourceExhausted: code = BIORNN_ERR_RESOURCE; break;
    case StatusCode::kCancelled:
    case StatusCode::kNumericalFailure: code = BIORNN_ERR_INTERNAL; break;
  }
  return fail(code, s.message());
}

// Runs `body` (returning biornn_status) so that no exception escapes.
template <class Body>
biornn_status guarded(const char* function, Body body) {
#if defined(__cpp_exceptions) || defined(__EXCEPTIONS)
  try {
    return body();
  } catch (const std::bad_alloc&) {
    return fail(BIORNN_ERR_RESOURCE, std::string(function) + ": out of memory");
  } catch (const std::exception& e) {
    return fail(BIORNN_ERR_INTERNAL, std::string(function) + ": " + e.what());
  } catch (...) {
    return fail(BIORNN_ERR_INTERNAL, std::string(function) + ": unknown exception");
  }
#else
  (void)function;
  return body();
#endif
}

biornn_status check_length(const char* function, const char* what, size_t given, int32_t expected) {
  if (given == size_t(expected)) return BIORNN_OK;
  return fail(BIORNN_ERR_INVALID_ARGUMENT, std::string(function) + ": " + what + " has " + std::to_string(given) +
                                               " values but the model needs " + std::to_string(expected));
}

}  // namespace

extern "C" {

const char* biornn_status_name(biornn_status status) {
  switch (status) {
    case BIORNN_OK: return "ok";
    case BIORNN_ERR_INVALID_ARGUMENT: return "invalid_argument";
    case BIORNN_ERR_NOT_FOUND: return "not_found";
    case BIORNN_ERR_IO: return "io_error";
    case BIORNN_ERR_CORRUPT: return "corrupt";
    case BIORNN_ERR_UNSUPPORTED: return "unsupported";
    case BIORNN_ERR_RESOURCE: return "resource_exhausted";
    case BIORNN_ERR_INTERNAL: return "internal";
  }
  return "unknown_status";
}

const char* biornn_last_error(void) { return t_last_error.c_str(); }

biornn_status biornn_model_open(const char* path, size_t real_size, biornn_model** out) {
  if (out == nullptr) return fail(BIORNN_ERR_INVALID_ARGUMENT, "biornn_model_open: out must not be NULL");
  *out = nullptr;
  if (path == nullptr) return fail(BIORNN_ERR_INVALID_ARGUMENT, "biornn_model_open: path must not be NULL");
  if (real_size != sizeof(biornn::real))
    return fail(BIORNN_ERR_INVALID_ARGUMENT,
                "biornn_model_open: the caller's biornn_real has " + std::to_string(real_size) + " bytes but this library's has " +
                    std::to_string(sizeof(biornn::real)) + " (define BIORNN_DOUBLE exactly when the library is PREC=double)");
  return guarded("biornn_model_open", [&]() {
    biornn::StatusOr<biornn::InferenceModel> loaded = biornn::InferenceModel::load(path);
    if (!loaded.ok()) return from_status(loaded.status());
    biornn_model* m = new biornn_model;
    m->model = std::move(loaded).value();
    std::snprintf(m->kernels, sizeof m->kernels, "gemm=%s math=%s", biornn::gemm_kernel_name(m->model.gemm_kernel()),
                  biornn::math_kernel_name(m->model.math_kernel()));
    *out = m;
    return BIORNN_OK;
  });
}

void biornn_model_close(biornn_model* model) { delete model; }

int32_t biornn_model_inputs(const biornn_model* model) { return model != nullptr ? model->model.inputs() : 0; }
int32_t biornn_model_hidden(const biornn_model* model) { return model != nullptr ? model->model.hidden() : 0; }
int32_t biornn_model_outputs(const biornn_model* model) { return model != nullptr ? model->model.outputs() : 0; }

int64_t biornn_model_memory_bytes(const biornn_model* model) {
  return model != nullptr ? model->model.memory_bytes() + int64_t(sizeof(biornn_model)) : 0;
}

biornn_status biornn_model_reset(biornn_model* model) {
  if (model == nullptr) return fail(BIORNN_ERR_INVALID_ARGUMENT, "biornn_model_reset: model must not be NULL");
  return guarded("biornn_model_reset", [&]() {
    model->model.reset();
    return BIORNN_OK;
  });
}

biornn_status biornn_model_step(biornn_model* model, const biornn_real* x, size_t n_x, biornn_real* y, size_t n_y) {
  const char* f = "biornn_model_step";
  if (model == nullptr || x == nullptr || y == nullptr)
    return fail(BIORNN_ERR_INVALID_ARGUMENT, std::string(f) + ": model, x and y must not be NULL");
  if (check_length(f, "x", n_x, model->model.inputs()) != BIORNN_OK) return BIORNN_ERR_INVALID_ARGUMENT;
  if (check_length(f, "y", n_y, model->model.outputs()) != BIORNN_OK) return BIORNN_ERR_INVALID_ARGUMENT;
  return guarded(f, [&]() {
    model->model.step(x, y);
    return BIORNN_OK;
  });
}

biornn_status biornn_model_state(const biornn_model* model, biornn_real* state, size_t n_state) {
  const char* f = "biornn_model_state";
  if (model == nullptr || state == nullptr)
    return fail(BIORNN_ERR_INVALID_ARGUMENT, std::string(f) + ": model and state must not be NULL");
  if (check_length(f, "state", n_state, model->model.hidden()) != BIORNN_OK) return BIORNN_ERR_INVALID_ARGUMENT;
  std::memcpy(state, model->model.state(), sizeof(biornn_real) * n_state);
  return BIORNN_OK;
}

const char* biornn_model_kernels(const biornn_model* model) { return model != nullptr ? model->kernels : ""; }

}  // extern "C"
