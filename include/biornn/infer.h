/* infer.h — the C interface to a trained biornn network: load a model.npz, step it one input
 * at a time, read its outputs. Plain C99; link with libbiornn.a and the C++ runtime
 * (e.g. `cc prog.c libbiornn.a -lstdc++ -lm`).
 *
 *   biornn_model* model = NULL;
 *   if (biornn_model_open("run/model.npz", sizeof(biornn_real), &model) != BIORNN_OK) {
 *     fprintf(stderr, "%s\n", biornn_last_error());      // file, key, expected vs found
 *     return 1;
 *   }
 *   biornn_model_reset(model);                             // h = 0
 *   for (t = 0; t < T; ++t)
 *     biornn_model_step(model, x[t], n_in, y[t], n_out);   // no heap allocation here
 *   biornn_model_close(model);
 *
 * Every function returns a status code and never lets a C++ exception or a crash through for
 * bad files or bad arguments: a malformed, truncated or inconsistent model.npz, NaN weights,
 * NULL pointers and wrong lengths all give a code and a message. Messages are per thread: the
 * message of the last call that failed on this thread (a successful call leaves it alone, so
 * the step path never allocates).
 *
 * Outputs are bit-identical to the library's own forward pass (the tape's fused recurrent op
 * and readout) with the same build and kernel choice; include/biornn/inference.hpp says how.
 * A model is not thread-safe: one thread steps it at a time (different models are independent).
 *
 * Not here: training, batches, choosing kernels (BIORNN_GEMM / BIORNN_MATH in the environment,
 * read once, choose them; biornn_kernels() says which run).
 */
#ifndef BIORNN_INFER_H
#define BIORNN_INFER_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The library's scalar: float, or double in a PREC=double build (compile with -DBIORNN_DOUBLE
 * then). biornn_model_open checks that the caller and the library agree. */
#ifdef BIORNN_DOUBLE
typedef double biornn_real;
#else
typedef float biornn_real;
#endif

typedef enum biornn_status {
  BIORNN_OK = 0,
  BIORNN_ERR_INVALID_ARGUMENT = 1, /* NULL pointer, wrong length, values out of their domain */
  BIORNN_ERR_NOT_FOUND = 2,        /* no such file, or a key the model needs is missing */
  BIORNN_ERR_IO = 3,               /* the operating system refused the read */
  BIORNN_ERR_CORRUPT = 4,          /* not a valid .npz / .npy, truncated, bad checksum */
  BIORNN_ERR_UNSUPPORTED = 5,      /* well-formed but not readable by this build (old format) */
  BIORNN_ERR_RESOURCE = 6,         /* out of memory, or sizes too large */
  BIORNN_ERR_INTERNAL = 7          /* a bug in biornn (a broken contract); the message says where */
} biornn_status;

/* An opaque loaded network with its state. */
typedef struct biornn_model biornn_model;

/* "ok", "invalid_argument", … — never NULL. */
const char* biornn_status_name(biornn_status status);

/* The message of the last failed call on this thread ("" if none). Valid until the next
 * failing call on this thread. */
const char* biornn_last_error(void);

/* Loads and checks `path`; on success *out is a model in its reset state. real_size must be
 * sizeof(biornn_real) as the caller compiled it. On failure *out is NULL. */
biornn_status biornn_model_open(const char* path, size_t real_size, biornn_model** out);

/* Frees the model (NULL is allowed). */
void biornn_model_close(biornn_model* model);

/* Sizes: inputs per step, hidden units, outputs per step; 0 for NULL. */
int32_t biornn_model_inputs(const biornn_model* model);
int32_t biornn_model_hidden(const biornn_model* model);
int32_t biornn_model_outputs(const biornn_model* model);
/* Heap bytes the model holds (weights, packed copies, state); 0 for NULL. */
int64_t biornn_model_memory_bytes(const biornn_model* model);

/* h = 0: the next step is the first of a sequence. */
biornn_status biornn_model_reset(biornn_model* model);

/* One step: x holds n_x = inputs values, y receives n_y = outputs values. */
biornn_status biornn_model_step(biornn_model* model, const biornn_real* x, size_t n_x, biornn_real* y, size_t n_y);

/* Copies h_t (hidden values) into `state` (n_state = hidden). */
biornn_status biornn_model_state(const biornn_model* model, biornn_real* state, size_t n_state);

/* The GEMM and math kernels this model's steps use, e.g. "gemm=packed_scalar math=portable"
 * ("" for NULL). Valid while the model is open. */
const char* biornn_model_kernels(const biornn_model* model);

#ifdef __cplusplus
}
#endif

#endif /* BIORNN_INFER_H */
