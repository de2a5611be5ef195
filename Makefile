# biornn — the primary build. Needs only a C++17 compiler and GNU make.
#
#   make                 library, program, tests, examples            -> build/
#   make test            build and run the unit tests and the examples
#   make run             the main job: flip-flop with Dale's backprop (runs/flipflop_dale)
#   make bench           GEMM and training benchmarks, one JSON object per line
#   make asan            the test suite under AddressSanitizer + UBSan (build/asan/)
#   make tsan            the unit tests on 3 threads under ThreadSanitizer (build/tsan/; clang,
#                        LLVM's libomp and its Archer tool; no allocation-counting tests)
#   make fuzz            libFuzzer on every parser, FUZZ_SECONDS each (clang; build/fuzz/)
#   make EMBED=1 test    the constrained-environment build (build/embed/): no OpenMP, no AVX2,
#                        -fno-exceptions -fno-rtti -Os; the tests that need exceptions left out
#   make CROSS=aarch64-linux-gnu- test   cross-compiled (build/aarch64-linux-gnu/), every test
#                        run under qemu-aarch64 (Debian: g++-aarch64-linux-gnu qemu-user)
#   make size            bytes of code and data: the library, the inference objects, the C example
#   make linecount       lines per file and per folder
#   make bench-openblas  optional: biornn's SGEMM side by side with OpenBLAS (needs libopenblas-dev)
#   make clean
#
# Options (the build prints what it detected and chose):
#   OMP=0|1              OpenMP threading in the kernel drivers (default: 1 if the compiler has it)
#   AVX2=0|1             compile the AVX2+FMA kernels (default: 1 on x86-64); used only if the
#                        CPU supports them at run time
#   PREC=float|double    the scalar type `real`
#   BUILD=dir            output directory (default: build); use one per configuration
#   CXX=... CC=...       the compilers (CC builds the C example only)
#   EMBED=1              see above: forces OMP=0 AVX2=0, default OPTFLAGS=-Os, BUILD=build/embed
#   CROSS=prefix-        cross tools ($(CROSS)g++, $(CROSS)gcc, $(CROSS)size), default
#                        BUILD=build/<prefix>, RUN_PREFIX=qemu-<arch> -L /usr/<prefix>
#   RUN_PREFIX=...       command that runs the built programs in `make test` (e.g. an emulator)
#
# Only files named src/kernels/*_avx2.cpp are compiled with -mavx2 -mfma. No fast-math, ever:
# results must not depend on the optimiser's licence to reorder floating point.

EMBED    ?= 0
CROSS    ?=
ifneq ($(CROSS),)
  # Command-line CXX/CC win; otherwise the cross tools (make's built-in CXX/CC are defaults).
  ifneq ($(origin CXX),command line)
    CXX := $(CROSS)g++
  endif
  ifneq ($(origin CC),command line)
    CC := $(CROSS)gcc
  endif
  CROSS_TRIPLE := $(patsubst %-,%,$(CROSS))
  BUILD      ?= build/$(CROSS_TRIPLE)
  RUN_PREFIX ?= qemu-$(firstword $(subst -, ,$(CROSS_TRIPLE))) -L /usr/$(CROSS_TRIPLE)
endif
ifeq ($(EMBED),1)
  BUILD    ?= build/embed
  OPTFLAGS ?= -Os
  override OMP  := 0
  override AVX2 := 0
endif
CXX      ?= g++
CC       ?= gcc
BUILD    ?= build
PREC     ?= float
SAN      ?=
OPTFLAGS ?= -O2
RUN_PREFIX ?=
SIZE     := $(CROSS)size

# ---- detection -------------------------------------------------------------------------------
CXX_VERSION := $(shell $(CXX) -dumpfullversion -dumpversion 2>/dev/null | head -n 1)
TARGET_ARCH := $(shell $(CXX) -dumpmachine 2>/dev/null)
HAVE_OMP    := $(shell printf 'int main(){return 0;}' | $(CXX) -fopenmp -x c++ - -o /dev/null 2>/dev/null && echo 1 || echo 0)
HAVE_AVX2   := $(shell printf 'int main(){return 0;}' | $(CXX) -mavx2 -mfma -x c++ - -o /dev/null 2>/dev/null && echo 1 || echo 0)
ifneq (,$(findstring x86_64,$(TARGET_ARCH)))
  ARCH_X86 := 1
else
  ARCH_X86 := 0
endif
# GCC vectorises at -O2 only loops whose trip count needs no scalar remainder and whose
# pointers need no run-time overlap check ("very cheap" cost model), which leaves out almost
# every elementwise loop here (tanh derivatives, bias adds, the thin products). The dynamic
# model vectorises them. It never reassociates floating point (that would take fast-math), so
# results are bit-identical with and without it; Clang vectorises at -O2 and has no such flag.
# x86-64 only: GCC 12 for aarch64 stops with an internal compiler error (vect_transform_reduction)
# on tests/test_recurrent.cpp with it.
ifeq ($(ARCH_X86),1)
  VECTFLAGS := $(shell printf 'int main(){return 0;}' | $(CXX) -Werror -fvect-cost-model=dynamic -x c++ - -o /dev/null 2>/dev/null && echo -fvect-cost-model=dynamic)
else
  VECTFLAGS :=
endif
OMP  ?= $(HAVE_OMP)
ifeq ($(ARCH_X86),1)
  AVX2 ?= $(HAVE_AVX2)
else
  AVX2 ?= 0
endif

ifneq ($(PREC),float)
  ifneq ($(PREC),double)
    $(error PREC must be float or double, got '$(PREC)')
  endif
endif
ifeq ($(OMP),1)
  ifneq ($(HAVE_OMP),1)
    $(error OMP=1 but $(CXX) does not accept -fopenmp)
  endif
endif
ifeq ($(AVX2),1)
  ifneq ($(HAVE_AVX2),1)
    $(error AVX2=1 but $(CXX) does not accept -mavx2 -mfma (target $(TARGET_ARCH)))
  endif
endif

# ---- flags -----------------------------------------------------------------------------------
WARNINGS := -Wall -Wextra -Wpedantic -Wshadow
CPPFLAGS := -Iinclude -Isrc -MMD -MP
# The shipped data files (the Campagnola table) are found from any working directory.
CPPFLAGS += -DBIORNN_SOURCE_DATA_DIR='"$(CURDIR)/data"'
CXXFLAGS := -std=c++17 $(OPTFLAGS) $(VECTFLAGS) -g $(WARNINGS) -ffp-contract=off
LDFLAGS  :=
LDLIBS   := -lm
ifeq ($(PREC),double)
  CPPFLAGS += -DBIORNN_DOUBLE
endif
# The C example: C99, the same warnings, the public headers only.
CFLAGS   := -std=c99 $(OPTFLAGS) -g -Wall -Wextra -Wpedantic -Wshadow -ffp-contract=off
# EMBED=1: a failed contract prints its message and aborts (check.cpp); doctest's exception
# assertions compile to nothing, and the test files that catch exceptions themselves are left
# out (EMBED_TEST_EXCLUDE below).
TEST_CPPFLAGS :=
ifeq ($(EMBED),1)
  CXXFLAGS += -fno-exceptions -fno-rtti
  TEST_CPPFLAGS += -DDOCTEST_CONFIG_NO_EXCEPTIONS_BUT_WITH_ALL_ASSERTS
endif
ifeq ($(OMP),1)
  CXXFLAGS += -fopenmp
  LDFLAGS  += -fopenmp
endif
ifeq ($(AVX2),1)
  CPPFLAGS += -DBIORNN_HAVE_AVX2
endif
AVX2FLAGS := -mavx2 -mfma
ifeq ($(SAN),address)
  CXXFLAGS += -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
  LDFLAGS  += -fsanitize=address,undefined
endif
# ThreadSanitizer: clang's runtime replaces global operator new/delete, and so does the tests'
# allocation counter (tests/alloc_counter.cpp), so the two cannot share a program: this build
# leaves the counter and test_tape_alloc.cpp out (ALLOC_COUNTER_TEST_SRCS below) and compiles
# out the other tests that count allocations (BIORNN_NO_ALLOC_COUNTER).
ifeq ($(SAN),thread)
  CXXFLAGS += -fsanitize=thread -fno-omit-frame-pointer
  LDFLAGS  += -fsanitize=thread
  TEST_CPPFLAGS += -DBIORNN_NO_ALLOC_COUNTER
endif
# libFuzzer (clang): the library is instrumented for coverage; only the fuzz targets link the
# fuzzer's main (make fuzz).
ifeq ($(SAN),fuzzer)
  CXXFLAGS += -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
  LDFLAGS  += -fsanitize=fuzzer,address,undefined
endif

ifneq ($(QUIET),1)
$(info biornn build: $(CXX) $(CXX_VERSION) for $(TARGET_ARCH) | OMP=$(OMP) (compiler supports: $(HAVE_OMP)) | AVX2=$(AVX2) (compiler supports: $(HAVE_AVX2)) | PREC=$(PREC) | $(OPTFLAGS) $(VECTFLAGS) | BUILD=$(BUILD)$(if $(SAN), | SAN=$(SAN))$(if $(filter 1,$(EMBED)), | EMBED=1 (-fno-exceptions -fno-rtti $(OPTFLAGS)))$(if $(RUN_PREFIX), | run with: $(RUN_PREFIX)))
endif

# ---- sources (CMakeLists.txt mirrors these lists; .ci/check-sources compares them) -------------
LIB_SRCS := \
  src/check.cpp \
  src/status.cpp \
  src/matrix.cpp \
  src/mask.cpp \
  src/fileio.cpp \
  src/inflate.cpp \
  src/idx.cpp \
  src/npy.cpp \
  src/npz.cpp \
  src/csv.cpp \
  src/toml.cpp \
  src/toml_parse.cpp \
  src/toml_schema.cpp \
  src/png.cpp \
  src/plot_common.cpp \
  src/plot_lines.cpp \
  src/plot_heatmap.cpp \
  src/plot_bars.cpp \
  src/plot_network.cpp \
  src/report.cpp \
  src/csr.cpp \
  src/rng.cpp \
  src/kernels.cpp \
  src/vmath.cpp \
  src/blas.cpp \
  src/tape.cpp \
  src/tape_ops.cpp \
  src/gradcheck.cpp \
  src/rnn_op.cpp \
  src/constraint.cpp \
  src/optim.cpp \
  src/rnn.cpp \
  src/tasks.cpp \
  src/train.cpp \
  src/train_config.cpp \
  src/tasks_mnist.cpp \
  src/checkpoint.cpp \
  src/json.cpp \
  src/run.cpp \
  src/run_outputs.cpp \
  src/inference.cpp \
  src/inference_load.cpp \
  src/infer_c.cpp \
  src/histogram.cpp \
  src/graph.cpp \
  src/stats.cpp \
  src/stats_hypergeom.cpp \
  src/stats_tests.cpp \
  src/prune.cpp \
  src/population.cpp \
  src/prune_run.cpp \
  src/celltype_spec.cpp \
  src/celltype_model.cpp \
  src/schedule.cpp \
  src/celltype_fit.cpp \
  src/celltype_fit_analysis.cpp \
  src/celltype_fit_outputs.cpp \
  src/celltype_data.cpp \
  src/celltype_ablation.cpp \
  src/celltype_bootstrap.cpp \
  src/celltype_synth.cpp \
  src/celltype_summary.cpp \
  src/json_read.cpp \
  src/celltype_compare.cpp \
  src/celltype_coupling.cpp \
  src/celltype_compare_outputs.cpp \
  src/celltype_recovery.cpp \
  src/fig2.cpp \
  src/fig2_outputs.cpp \
  src/fig3.cpp \
  src/fig3_outputs.cpp \
  src/verify_common.cpp \
  src/verify_projection.cpp \
  src/verify_convergence.cpp \
  src/verify_rnn.cpp \
  src/verify_pruning.cpp \
  src/kernels/cpu_features.cpp \
  src/kernels/gemm_ref.cpp \
  src/kernels/csr_kernels.cpp \
  src/kernels/recurrent_driver.cpp \
  src/kernels/gemm_packed.cpp \
  src/kernels/gemm_thin.cpp \
  src/kernels/gemm_microkernel_scalar.cpp

# Files compiled with AVX2 flags; left out of the build when AVX2=0.
LIB_AVX2_SRCS := \
  src/kernels/csr_lanes_avx2.cpp \
  src/kernels/gemm_microkernel_avx2.cpp \
  src/kernels/vmath_avx2.cpp

CLI_SRCS := \
  src/cli/main.cpp \
  src/cli/args.cpp \
  src/cli/cmd_info.cpp \
  src/cli/cmd_mst.cpp \
  src/cli/cmd_train.cpp \
  src/cli/progress.cpp \
  src/cli/shared_options.cpp \
  src/cli/cmd_reproduce.cpp \
  src/cli/bench_train.cpp \
  src/cli/cmd_prune.cpp \
  src/cli/cmd_stats.cpp \
  src/cli/cmd_verify.cpp \
  src/cli/cmd_infer.cpp \
  src/cli/cmd_celltype.cpp \
  src/cli/cmd_celltype_data.cpp \
  src/cli/cmd_celltype_fit.cpp \
  src/cli/cmd_celltype_compare.cpp \
  src/cli/cmd_sweep.cpp \
  src/cli/bench_celltype.cpp \
  src/cli/cmd_bench.cpp

TEST_SRCS := \
  tests/main.cpp \
  tests/test_check_status.cpp \
  tests/test_fileio.cpp \
  tests/test_inflate.cpp \
  tests/test_idx.cpp \
  tests/test_npy.cpp \
  tests/test_npz.cpp \
  tests/test_bad_inputs.cpp \
  tests/test_csv.cpp \
  tests/test_toml.cpp \
  tests/test_toml_schema.cpp \
  tests/test_png.cpp \
  tests/test_plot.cpp \
  tests/test_report.cpp \
  tests/test_matrix.cpp \
  tests/test_mask.cpp \
  tests/test_csr.cpp \
  tests/test_csr_kernels.cpp \
  tests/test_rng.cpp \
  tests/test_kernels_select.cpp \
  tests/test_vmath.cpp \
  tests/alloc_counter.cpp \
  tests/test_tape.cpp \
  tests/test_tape_gradcheck.cpp \
  tests/test_tape_alloc.cpp \
  tests/test_gradcheck.cpp \
  tests/test_recurrent.cpp \
  tests/test_rnn_init.cpp \
  tests/test_optim.cpp \
  tests/test_json.cpp \
  tests/test_json_read.cpp \
  tests/test_train.cpp \
  tests/test_histogram.cpp \
  tests/test_stats.cpp \
  tests/test_stats_hypergeom.cpp \
  tests/test_stats_tests.cpp \
  tests/test_graph.cpp \
  tests/test_prune.cpp \
  tests/test_fig3.cpp \
  tests/test_celltype.cpp \
  tests/test_celltype_ablation.cpp \
  tests/test_celltype_data.cpp \
  tests/test_celltype_fit.cpp \
  tests/test_celltype_compare.cpp \
  tests/test_celltype_coupling.cpp \
  tests/test_population.cpp \
  tests/test_verify.cpp \
  tests/test_verify_convergence.cpp \
  tests/test_verify_rnn_pruning.cpp \
  tests/test_gemm.cpp \
  tests/test_gemv.cpp \
  tests/test_inference.cpp

EXAMPLES := \
  01_scalar_autodiff \
  02_gradcheck_tour \
  03_gemm_kernels \
  04_flipflop_dale \
  05_prune_retrain \
  06_mst_hypergeom \
  07_theorem5_projection \
  08_corollary6_rectified \
  09_lemma1_sign_preservation \
  10_theorem2_linear_rate \
  11_lemma3_weight_distance \
  12_theorem4_error_bound \
  13_appendix7_hebbian \
  14_appendix9_sparsity \
  15_appendix10_mst

# Examples written in C (examples/<name>.c): compiled with $(CC), linked with the C++ runtime.
# They take arguments, so tests/cli/ runs them (test_embed.sh), not the loop in `make test`.
C_EXAMPLES := \
  16_embed_flipflop

# Test files that catch exceptions themselves (try/catch on ContractViolation): they cannot be
# compiled with -fno-exceptions, so EMBED=1 leaves them out. Every other test file runs there.
EMBED_TEST_EXCLUDE := \
  tests/test_check_status.cpp \
  tests/test_matrix.cpp \
  tests/test_mask.cpp \
  tests/test_csr.cpp \
  tests/test_csr_kernels.cpp \
  tests/test_tape.cpp \
  tests/test_recurrent.cpp \
  tests/test_graph.cpp \
  tests/test_stats_hypergeom.cpp \
  tests/test_gemm.cpp

# The allocation counter and the test file that is nothing but allocation counts; the TSan
# build leaves them out (see SAN=thread above).
ALLOC_COUNTER_TEST_SRCS := \
  tests/alloc_counter.cpp \
  tests/test_tape_alloc.cpp

# ---- rules -----------------------------------------------------------------------------------
ifeq ($(AVX2),1)
  ALL_LIB_SRCS := $(LIB_SRCS) $(LIB_AVX2_SRCS)
else
  ALL_LIB_SRCS := $(LIB_SRCS)
endif
ifeq ($(EMBED),1)
  BUILT_TEST_SRCS := $(filter-out $(EMBED_TEST_EXCLUDE),$(TEST_SRCS))
else
  BUILT_TEST_SRCS := $(TEST_SRCS)
endif
ifeq ($(SAN),thread)
  BUILT_TEST_SRCS := $(filter-out $(ALLOC_COUNTER_TEST_SRCS),$(BUILT_TEST_SRCS))
endif
LIB_OBJS  := $(ALL_LIB_SRCS:%.cpp=$(BUILD)/obj/%.o)
CLI_OBJS  := $(CLI_SRCS:%.cpp=$(BUILD)/obj/%.o)
TEST_OBJS := $(BUILT_TEST_SRCS:%.cpp=$(BUILD)/obj/%.o)
EXAMPLE_BINS := $(EXAMPLES:%=$(BUILD)/examples/%)
C_EXAMPLE_BINS := $(C_EXAMPLES:%=$(BUILD)/examples/%)
LIB      := $(BUILD)/libbiornn.a
PROGRAM  := $(BUILD)/biornn
TEST_BIN := $(BUILD)/tests/biornn_tests

# Rebuild everything when the flags change (e.g. make PREC=double after make PREC=float).
FLAGS_STAMP := $(BUILD)/.flags
FLAGS_NOW := $(CXX) $(CC) $(CPPFLAGS) $(CXXFLAGS) $(CFLAGS) $(TEST_CPPFLAGS) $(LDFLAGS) AVX2=$(AVX2)
$(shell mkdir -p $(BUILD) && (echo '$(FLAGS_NOW)' | cmp -s - $(FLAGS_STAMP) || echo '$(FLAGS_NOW)' > $(FLAGS_STAMP)))

.PHONY: all lib test run bench asan linecount clean examples bench-openblas size
all: $(LIB) $(PROGRAM) $(TEST_BIN) $(EXAMPLE_BINS) $(C_EXAMPLE_BINS)
lib: $(LIB)
examples: $(EXAMPLE_BINS) $(C_EXAMPLE_BINS)

$(BUILD)/obj/%_avx2.o: %_avx2.cpp $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(CXX) $(CPPFLAGS) $(CXXFLAGS) $(AVX2FLAGS) -c $< -o $@

$(BUILD)/obj/tests/%.o: tests/%.cpp $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(CXX) $(CPPFLAGS) $(TEST_CPPFLAGS) -Ithird_party $(CXXFLAGS) -c $< -o $@

$(BUILD)/obj/examples/%.o: examples/%.c $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(filter-out -Isrc,$(CPPFLAGS)) $(CFLAGS) -c $< -o $@

$(BUILD)/obj/%.o: %.cpp $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(CXX) $(CPPFLAGS) $(CXXFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(PROGRAM): $(CLI_OBJS) $(LIB)
	$(CXX) $(LDFLAGS) $(CLI_OBJS) $(LIB) $(LDLIBS) -o $@

$(TEST_BIN): $(TEST_OBJS) $(LIB)
	@mkdir -p $(dir $@)
	$(CXX) $(LDFLAGS) $(TEST_OBJS) $(LIB) $(LDLIBS) -o $@

$(EXAMPLE_BINS): $(BUILD)/examples/%: $(BUILD)/obj/examples/%.o $(LIB)
	@mkdir -p $(dir $@)
	$(CXX) $(LDFLAGS) $< $(LIB) $(LDLIBS) -o $@

# A C program's link line: the C compiler, the library, the C++ runtime.
$(C_EXAMPLE_BINS): $(BUILD)/examples/%: $(BUILD)/obj/examples/%.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $< $(LIB) -lstdc++ $(LDLIBS) -o $@

# With RUN_PREFIX (an emulator), the command-line checks get a wrapper that runs the program
# through it; test scripts run other built programs with $$BIORNN_RUN_PREFIX.
ifneq ($(RUN_PREFIX),)
SCRIPT_PROGRAM := $(BUILD)/biornn-run
$(SCRIPT_PROGRAM): $(PROGRAM)
	printf '#!/bin/sh\nexec %s %s "$$@"\n' '$(RUN_PREFIX)' '$(abspath $(PROGRAM))' > $@
	chmod +x $@
else
SCRIPT_PROGRAM := $(PROGRAM)
endif

# The unit tests, the command-line checks (tests/cli/*.sh, given the program's path), then
# every example (each exits non-zero if what it demonstrates fails).
test: $(TEST_BIN) $(EXAMPLE_BINS) $(C_EXAMPLE_BINS) $(PROGRAM) $(SCRIPT_PROGRAM)
	$(RUN_PREFIX) $(TEST_BIN)
	@for s in $(or $(CLI_TESTS),tests/cli/*.sh); do echo "== $$s"; BIORNN_RUN_PREFIX='$(RUN_PREFIX)' $$s $(SCRIPT_PROGRAM) || exit 1; done
	@for e in $(EXAMPLE_BINS); do echo "== $$e"; $(RUN_PREFIX) $$e > $(BUILD)/examples/$$(basename $$e).out || { cat $(BUILD)/examples/$$(basename $$e).out; echo "example $$e failed"; exit 1; }; done
	@echo "examples: all $(words $(EXAMPLE_BINS)) ran cleanly"

# The main job: Dale's backprop on the flip-flop task at the paper's sizes (128 units, 6000
# sequences, 100 epochs); the run directory (metrics, model.npz, pictures, report.html) is
# runs/flipflop_dale and is replaced on every `make run`.
run: $(PROGRAM)
	$(PROGRAM) train --task flipflop --rule dale --out runs/flipflop_dale --force

bench: $(PROGRAM)
	$(PROGRAM) bench gemm --json
	$(PROGRAM) bench train --json

asan:
	$(MAKE) BUILD=$(BUILD)/asan SAN=address OPTFLAGS=-O1 test

# ThreadSanitizer over everything that runs threads: the whole unit-test suite, instrumented,
# with BIORNN_THREADS=3 (on 2 cores about 3 min to build from scratch, 35 s to run). It covers
# the packed GEMM driver and the thin products (gemm_thin.cpp) on 1, 2 and 3 threads, gemm
# from two std::threads at once (test_gemm), gemv (test_gemv), the CSR kernels
# (test_csr_kernels), the recurrent driver (test_recurrent, batch 3 on 3 threads) and the
# training and fitting runs built on them.
# GCC's libgomp is not instrumented, so TSan cannot see its barriers and reports races that
# are not there. The standard remedy, used here: clang with LLVM's libomp and Archer
# (libarcher.so, LLVM's OpenMP tool that tells TSan about every OpenMP barrier, lock and task
# dependency). libomp 14 loads Archer by itself when it finds it; OMP_TOOL_LIBRARIES names it
# so that the run cannot quietly go without it (with OMP_TOOL=disabled TSan reports the main
# thread's writes after a parallel region as racing with the region's reads). Debian packages:
# clang, libomp-dev. TSAN_CXX/ARCHER override the compiler and the Archer library; TSAN_ARGS
# passes doctest options (e.g. TSAN_ARGS='-sf=*test_gemm*' for one file).
# TSAN_OPTIONS, each for a reason, and no suppressions:
#   halt_on_error=1 exitcode=66  the first report fails the run; none can scroll by unnoticed.
#   ignore_noninstrumented_modules=1  libomp itself is not instrumented: without this TSan
#     reports libomp's own pthread_mutex_init (on a worker) against its pthread_mutex_lock
#     (on the main thread), both called inside libomp. It makes TSan ignore what its
#     interceptors (pthread_*, memcpy, ...) see when uninstrumented libraries call them
#     (libomp, libstdc++.so); every load and store of biornn's code, standard-library
#     templates compiled into it included, is still checked.
# The allocation-counting tests are not in this build (see SAN=thread above).
TSAN_CXX   ?= clang++
# Archer from the same LLVM as TSAN_CXX (<llvm>/lib/clang/<version> is its resource dir).
ARCHER     ?= $(abspath $(wildcard $(shell $(TSAN_CXX) -print-resource-dir 2>/dev/null)/../../libarcher.so))
TSAN_ARGS  ?=
tsan:
	@test -n "$(ARCHER)" || { echo "make tsan: libarcher.so not found (apt-get install libomp-dev); set ARCHER=path"; exit 1; }
	$(MAKE) BUILD=$(BUILD)/tsan CXX=$(TSAN_CXX) SAN=thread OMP=1 OPTFLAGS=-O1 $(BUILD)/tsan/tests/biornn_tests
	OMP_TOOL_LIBRARIES=$(ARCHER) TSAN_OPTIONS="halt_on_error=1 exitcode=66 ignore_noninstrumented_modules=1" \
	  BIORNN_THREADS=3 $(BUILD)/tsan/tests/biornn_tests $(TSAN_ARGS)

# ---- fuzzing (clang's libFuzzer; not part of the library build) ------------------------------
# make fuzz builds one target per parser under $(BUILD)/fuzz and runs each for FUZZ_SECONDS
# seconds on a copy of its seed corpus (fuzz/corpus/<target>/, kept in the repository; what
# libFuzzer discovers goes to $(BUILD)/fuzz/corpus/<target>/). Crash, hang (FUZZ_TIMEOUT
# seconds per input), leak or sanitizer report: the input is saved in $(BUILD)/fuzz/artifacts/
# and make fails. make fuzz-regress replays the seed corpora only (seconds). Needs clang++.
# FUZZ_SEED fixes libFuzzer's random seed (default 1), so a run's mutations are the same from
# one CI run to the next and a failure can be replayed with the same seed; FUZZ_SEED=0 lets
# libFuzzer pick one (it prints it) for wider exploration.
FUZZ_CXX     ?= clang++
FUZZ_SECONDS ?= 60
FUZZ_TIMEOUT ?= 10
FUZZ_SEED    ?= 1
FUZZ_TARGETS := idx inflate npy npz csv toml checkpoint celltype_spec population
FUZZ_BINS    := $(FUZZ_TARGETS:%=$(BUILD)/fuzz-bin/fuzz_%)
FUZZ_FLAGS    = -timeout=$(FUZZ_TIMEOUT) -rss_limit_mb=2048 -malloc_limit_mb=1024 -print_final_stats=0 -seed=$(FUZZ_SEED)

.PHONY: fuzz fuzz-build fuzz-bins fuzz-regress fuzz-corpus tsan
fuzz-build:
	$(MAKE) BUILD=$(BUILD)/fuzz CXX=$(FUZZ_CXX) SAN=fuzzer OMP=0 OPTFLAGS=-O1 fuzz-bins
fuzz-bins: $(FUZZ_BINS)
.PRECIOUS: $(BUILD)/obj/fuzz/%.o
$(BUILD)/fuzz-bin/fuzz_%: $(BUILD)/obj/fuzz/fuzz_%.o $(LIB)
	@mkdir -p $(dir $@)
	$(CXX) $(LDFLAGS) $< $(LIB) $(LDLIBS) -o $@
fuzz: fuzz-build
	@mkdir -p $(BUILD)/fuzz/artifacts
	@for t in $(FUZZ_TARGETS); do mkdir -p $(BUILD)/fuzz/corpus/$$t; \
	  echo "== fuzz_$$t for $(FUZZ_SECONDS) s, seed $(FUZZ_SEED)"; \
	  $(BUILD)/fuzz/fuzz-bin/fuzz_$$t $(FUZZ_FLAGS) -max_total_time=$(FUZZ_SECONDS) \
	    -artifact_prefix=$(BUILD)/fuzz/artifacts/$$t- $(BUILD)/fuzz/corpus/$$t fuzz/corpus/$$t \
	    > $(BUILD)/fuzz/$$t.log 2>&1 || { tail -n 60 $(BUILD)/fuzz/$$t.log; echo "fuzz_$$t FAILED (log: $(BUILD)/fuzz/$$t.log)"; exit 1; }; \
	  grep -E '^(Done|#[0-9]+ *DONE)' $(BUILD)/fuzz/$$t.log | tail -n 1; done
	@echo "fuzz: $(words $(FUZZ_TARGETS)) targets, $(FUZZ_SECONDS) s each, no crash, hang, leak or sanitizer report"
# Rewrites the seed corpora from fuzz/make_corpus.cpp (built with the ordinary compiler).
fuzz-corpus: $(LIB)
	@mkdir -p $(BUILD)/fuzz-tools
	$(CXX) $(CPPFLAGS) $(CXXFLAGS) fuzz/make_corpus.cpp $(LIB) $(LDFLAGS) $(LDLIBS) -o $(BUILD)/fuzz-tools/make_corpus
	$(BUILD)/fuzz-tools/make_corpus
fuzz-regress: fuzz-build
	@for t in $(FUZZ_TARGETS); do $(BUILD)/fuzz/fuzz-bin/fuzz_$$t $(FUZZ_FLAGS) -runs=0 fuzz/corpus/$$t 2>&1 | tail -n 1 || exit 1; done

# Optional comparison against OpenBLAS; not part of the library or its tests.
bench-openblas: $(LIB)
	@mkdir -p $(BUILD)/bench
	$(CXX) $(CPPFLAGS) $(CXXFLAGS) bench/bench_openblas.cpp $(LIB) $(LDFLAGS) -lopenblas $(LDLIBS) -o $(BUILD)/bench/bench_openblas
	$(BUILD)/bench/bench_openblas $(BENCH_ARGS)

# Code and data bytes (`size`, Berkeley format): the whole library, the inference objects, and
# the C example — a complete program that loads a model.npz and steps it, i.e. what an embedding
# program links (the linker keeps only the archive members it needs).
size: $(LIB) $(C_EXAMPLE_BINS)
	@echo "== $(LIB): all objects (text data bss dec)"
	@$(SIZE) -t $(LIB) | tail -n 1
	@echo "== inference objects"
	@$(SIZE) $(BUILD)/obj/src/inference.o $(BUILD)/obj/src/inference_load.o $(BUILD)/obj/src/infer_c.o
	@echo "== linked C example (whole program: inference, npz/npy/inflate, kernels, libstdc++ parts)"
	@$(SIZE) $(C_EXAMPLE_BINS)
	@ls -l $(LIB) | awk '{print "archive file: " $$5 " bytes"}'

linecount:
	@for d in include/biornn src src/kernels src/cli tests examples bench; do \
	  [ -d $$d ] || continue; \
	  files=$$(ls $$d/*.hpp $$d/*.cpp $$d/*.c 2>/dev/null); [ -n "$$files" ] || continue; \
	  wc -l $$files | sort -n | sed 's/^/  /'; done
	@printf 'per folder:\n'; for d in include/biornn src src/kernels src/cli tests examples bench; do \
	  [ -d $$d ] || continue; n=$$(cat $$d/*.hpp $$d/*.cpp $$d/*.c 2>/dev/null | wc -l); printf '  %-16s %6d\n' $$d $$n; done

clean:
	rm -rf $(BUILD)

-include $(LIB_OBJS:.o=.d) $(CLI_OBJS:.o=.d) $(TEST_OBJS:.o=.d) $(EXAMPLES:%=$(BUILD)/obj/examples/%.d) $(C_EXAMPLES:%=$(BUILD)/obj/examples/%.d)
-include $(FUZZ_TARGETS:%=$(BUILD)/obj/fuzz/fuzz_%.d)
