/* 16_embed_flipflop.c — a trained flip-flop network inside a plain C program (C99).
 *
 *   biornn train --task flipflop --out runs/ff          (any flip-flop run, dense or pruned)
 *   build/examples/16_embed_flipflop runs/ff/model.npz
 *
 * It loads the model through include/biornn/infer.h, feeds it a fixed sequence of pulses
 * (+1 or −1 on one channel at a time, zeros in between) one step at a time and prints, per
 * step, the inputs and the outputs. A flip-flop network should hold each channel's output at
 * the sign of that channel's last pulse; a briefly trained one only approximately does.
 * Outputs are printed with the digits that read back to the same bits (%.9g for float), so
 * tests/cli/test_embed.sh can compare them with `biornn infer --run` — the library's own
 * forward pass — as text, bit for bit.
 *
 * Built with the C compiler and linked against libbiornn.a with the C++ runtime:
 *   cc -std=c99 -Iinclude examples/16_embed_flipflop.c build/libbiornn.a -lstdc++ -lm
 * (add -fopenmp when the library was built with OpenMP).
 */
#include <stdio.h>
#include <stdlib.h>

#include "biornn/infer.h"

#define STEPS 40

/* The fixed input sequence: at step pulse_step[k], channel k mod inputs gets pulse_sign[k]. */
static const int pulse_step[] = {2, 7, 12, 18, 25, 31, 35};
static const int pulse_sign[] = {+1, -1, +1, -1, +1, -1, +1};

static double input_at(int t, int channel, int inputs) {
  size_t k;
  for (k = 0; k < sizeof pulse_step / sizeof pulse_step[0]; ++k)
    if (pulse_step[k] == t && (int)(k % (size_t)inputs) == channel) return pulse_sign[k];
  return 0.0;
}

int main(int argc, char** argv) {
  biornn_model* model = NULL;
  biornn_real *x = NULL, *y = NULL;
  const char* digits = sizeof(biornn_real) == 4 ? "%.9g" : "%.17g";
  biornn_status s;
  int inputs, outputs, t, i;

  if (argc != 2) {
    fprintf(stderr, "usage: %s MODEL.npz   (a flip-flop run's model.npz)\n", argv[0]);
    return 2;
  }
  s = biornn_model_open(argv[1], sizeof(biornn_real), &model);
  if (s != BIORNN_OK) {
    fprintf(stderr, "16_embed_flipflop: %s: %s\n", biornn_status_name(s), biornn_last_error());
    return 1;
  }
  inputs = biornn_model_inputs(model);
  outputs = biornn_model_outputs(model);
  printf("# %s: %d inputs, %d hidden units, %d outputs; %lld bytes of model memory; %s\n", argv[1], inputs,
         biornn_model_hidden(model), outputs, (long long)biornn_model_memory_bytes(model), biornn_model_kernels(model));
  printf("# step | inputs | outputs\n");

  /* All the memory the loop needs, allocated once; the steps themselves allocate nothing. */
  x = (biornn_real*)malloc(sizeof(biornn_real) * (size_t)inputs);
  y = (biornn_real*)malloc(sizeof(biornn_real) * (size_t)outputs);
  if (x == NULL || y == NULL) {
    fprintf(stderr, "16_embed_flipflop: out of memory\n");
    biornn_model_close(model);
    return 1;
  }
  s = biornn_model_reset(model);
  for (t = 0; t < STEPS && s == BIORNN_OK; ++t) {
    for (i = 0; i < inputs; ++i) x[i] = (biornn_real)input_at(t, i, inputs);
    s = biornn_model_step(model, x, (size_t)inputs, y, (size_t)outputs);
    if (s != BIORNN_OK) break;
    printf("%d |", t);
    for (i = 0; i < inputs; ++i) printf(" %g", (double)x[i]);
    printf(" |");
    for (i = 0; i < outputs; ++i) {
      printf(" ");
      printf(digits, (double)y[i]);
    }
    printf("\n");
  }
  if (s != BIORNN_OK) fprintf(stderr, "16_embed_flipflop: %s: %s\n", biornn_status_name(s), biornn_last_error());
  free(x);
  free(y);
  biornn_model_close(model);
  return s == BIORNN_OK ? 0 : 1;
}
