// celltype_synth.hpp — a synthetic ground truth for the cell-type RNN: a known teacher network
// per condition, simulated to raw trial arrays, so the whole pipeline (bootstrap → fit →
// compare) runs offline and its recovery of known condition differences can be scored
// (SPEC §7, last point; issue 6).
//
// The teacher is a CelltypeRNN built by make_celltype_model and then given documented
// parameters instead of random ones:
//   * W obeys the spec's block table: in every block (post q, pre r) with density d exactly
//     round(d·n_q·n_r) entries are nonzero (positions drawn uniformly), sign = the pre
//     population's Dale sign, magnitude G_qr·u/(d·n_r) with u ~ U[0.5, 1.5], so a unit of q
//     receives about G_qr·(mean rate of r). Population gains G: within an area each post
//     population's excitatory gains sum to 0.6 and its inhibitory gains to 0.5, shared out in
//     proportion to the table's densities; each inter-areal projection has gain 0.6. Positions
//     and u come from Rng(seed, 1) and are the same in every condition: conditions differ only
//     by the planted factors below.
//   * W_in: 1 from each population's own channel (the input mask), so channel q is the drive of
//     population q. No biases (the model has none).
//   * Readout: the mean of a population's activations a_t (weights 1/n_q, bias 0): a trace is
//     the population-average activity, what ΔF/F averaged over cells measures.
//
// Planted differences (celltype_planted_differences; every one scales mean |w| of its blocks by
// the planted factor F, 2 by default, or by 1/F):
//   feedforward  V1_L23_Pyr → LM_L4_{Pyr,Sst,Vip} ×F in change trials (familiar and novel)
//                relative to no_change and omission.
//   feedback     LM_L5_Pyr → V1_L5_{Pyr,Sst,Vip} ×F in omission trials relative to change and
//                no_change.
//   novelty      L23_Sst → L23_Vip in both areas ×1/F in novel sessions relative to familiar.
// F measures how large a difference the fits resolve (a dose–response beside the null
// control); the expected signs hold for any F > 1.
// A difference whose populations or blocks the spec lacks is left out (and truth.json says so).
//
// Stimulus (per frame k, 16 frames at 10.7 Hz, frame k covering [k, k+1)/10.7 s): on(k) = the
// fraction of the frame during which an image is shown — the previous image at 0–250 ms and the
// second image at 750–1000 ms (none in omission trials) — low-pass filtered,
// u(k) = 0.5·u(k−1) + on(k), and scaled per trial. The first area (V1) hears it in layer L4 at
// amplitude 0.8 and in its other layers at 0.4; later areas (LM) one frame later (u(k−1)) in
// their layers other than L4 at `later_area_drive` (0.4 by default) — their L4 hears the
// stimulus only through the feedforward projection, so its response carries that projection's
// strength. Inhibitory types get ×0.6. The later-area drive sets how identifiable the planted
// feedforward difference is: the fits can explain LM L4's larger response in change trials
// through LM's own stimulus-driven populations instead of the projection (README: recovered in
// 1 of 5 run pairs at 0.4, 5 of 5 at 0, where LM's other layers are too flat for R² ≥ 0.9).
// `later_area_ramp` (0 by default) adds a slow drive to those layers that is not locked to the
// stimulus — a linear rise over the trial, like the non-visual inputs a higher area gets — so
// they can vary without offering the fits a copy of the feedforward signal.
// Flash amplitudes: the first 1; the second 1 for change and no_change, 0 for omission; novel
// sessions the same as familiar ones. (Until 2026-12-02 the second image was 1.5 for change and
// 0.8 for no_change, and novel sessions ×1.3. The null control — every condition with the same
// network — then showed the planted feedforward sign in 5 of 5 run pairs: the stimulus alone
// made the fitted V1 L2/3 Pyr → LM L4 weights larger in change trials. So compared conditions
// now differ only by their planted weights, except omission, which lacks the image by
// definition.) Every population gets a tonic
// drive 0.1. In omission trials an expectation ramp 0.05·(k − 7) from frame 8 drives every Vip
// population (the Vip omission ramps of Garrett et al. 2020) and the Pyr L5 of later areas; and
// the Pyr L5 of later areas (the feedback source) gets an expectation pulse at the time the
// image was due: the omitted image's on(k), filtered like u, at amplitude 1.0, on the same
// frames as V1 would have seen it. The first area hears that pulse only through the feedback
// blocks, one frame later, so in the half window the feedback carries a transient its targets
// cannot predict from their own past. (Without the pulse, tried 2026-12-02: the half-window
// omission traces were slow ramps and decays, four populations nearly flat, every fitted weight
// smaller than in the other conditions, and the ×2 feedback was not recovered — 0 of 5.)
// That omission-only drive is itself a confound: the null control's omission fits lean harder
// on the feedback blocks with nothing planted (README). `matched_feedback_source` removes it:
// the feedback source gets its pulse (same filter and amplitude) between the images, 400–650 ms,
// in every trial of every condition, and the omission ramp reaches only Vip, so with no direct
// later-area drive the feedback source's input is the same in every condition and only what
// reaches it through the network differs.
// 10 noisy frames of tonic drive precede frame 0 so trials start from the network's baseline.
//
// Why these choices: every population gets a clear stimulus-locked time course (range ≈ 0.3–0.8
// against a per-trial noise sd ≈ 0.06, i.e. ≈ 0.006 after a 100-trial bootstrap mean), so the
// one-step-ahead traces are predictable; and each planted block carries a time-varying signal,
// so the strength of the block matters for the traces it drives.
//
// Noise (per trial): the stimulus gain 1 + 0.15·N(0,1); per population and frame, drive noise
// 0.05·N(0,1) shared by the population's units; per trace and frame, observation noise
// 0.03·N(0,1). Trials come from Rng(noise seed, 2 + condition index); the noise seed is the
// seed unless `noise_seed` is set, which draws other trials from the same teacher (a second,
// independent null control of one teacher, to measure a calibrated rule's false positives).
//
// Output files (synth_celltype): dff_<type>_<area>_<layer>_<condition>.npy, float64
// (trials, 16), for every population and the 6 conditions (familiar|novel × change|no_change|
// omission; the full/half windows are cut at fit time), and truth.json: the seed, sizes, noise
// and stimulus constants, the planted differences (blocks by population name, factor,
// conditions, the comparisons that should show them with the expected sign), and the teacher's
// mean |w| per block (zeros included; rows post, columns pre) for every condition.
//
// truth.json also gives, for every comparison of an applied planted difference, its `effect`:
// how large the planted blocks' part of B − A is in the trial means of their (observed) target
// populations, next to the part the stimulus makes on its own (see CelltypePlantedEffect).
//
// Not here: the bootstrap (celltype_data.hpp), fitting and comparison (celltype_fit.hpp).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "biornn/celltype.hpp"
#include "biornn/rnn.hpp"

namespace biornn {

// The default direct stimulus drive of later areas' layers other than L4 (see above).
constexpr double kCelltypeLaterAreaDrive = 0.4;
// The default planted factor F (see above).
constexpr double kCelltypePlantedFactor = 2;

struct CelltypeSynthOptions {
  int32_t trials = 200;  // rows per raw array
  uint64_t seed = 1;     // the teacher's structure, and the trials unless noise_seed is set
  // The trial stream's seed alone (see above); unset = seed, so the default output is unchanged.
  std::optional<uint64_t> noise_seed;
  double trial_gain_sd = 0.15;
  double drive_noise = 0.05;
  double observation_noise = 0.03;
  // A null control: every condition gets the same teacher network (no planted factor applied);
  // only the stimulus differs between conditions. truth.json says "control": true and lists
  // the differences as not applied, and `celltype recovery` then counts how often the fits
  // show each difference's sign anyway — false positives of the recovery, e.g. from the
  // activity differences the stimulus alone makes.
  bool control = false;
  // The direct stimulus drive of later areas' layers other than L4 (see above); ≥ 0.
  double later_area_drive = kCelltypeLaterAreaDrive;
  // A slow non-visual drive into the same layers (every cell type), rising linearly from 0 at
  // frame 0 to this value at frame 15, the same in every condition and trial; ≥ 0, 0 = none.
  // It lets LM's L2/3 and L5 vary over the trial without copying the stimulus (see above).
  double later_area_ramp = 0;
  // A feedback source driven alike in every condition (see above): its expectation pulse moves
  // from the omitted image's time in omission trials to a pulse between the two images
  // (400-650 ms) in every trial, and the omission ramp no longer reaches it. Off by default.
  bool matched_feedback_source = false;
  // The planted factor F (see above); > 1. With `control` it is only recorded in truth.json.
  double planted_factor = kCelltypePlantedFactor;
};

// One planted condition difference.
struct CelltypePlanted {
  std::string name;         // "feedforward", "feedback", "novelty"
  std::string description;
  std::vector<CelltypeProjection> blocks;  // (source → target) population pairs scaled
  double factor = 1;                       // |w| multiplier in `conditions`; ×1 elsewhere
  std::vector<std::string> conditions;
  // Pairs (a, b) of conditions where b − a of the blocks' mean |w| has sign `expected_sign`.
  std::vector<std::pair<std::string, std::string>> comparisons;
  int expected_sign = 1;
  std::string missing;  // non-empty: why this spec cannot carry the difference (left out)
};

// A planted difference's size in the data, for one comparison (a, b), over its observed target
// populations' trial means (mean over the trials of each frame). The teacher is simulated twice
// per condition from the same trial stream: with the planted factors (P) and without (U), so
// P − U is the planted effect with the noise draws shared. Over targets and frames:
//   planted_rms        RMS of (P_b − U_b) − (P_a − U_a): the planted part of B − A;
//   planted_step_rms   RMS of that part's frame-to-frame change;
//   unplanted_step_rms RMS of the frame-to-frame change of U_b − U_a: what the stimulus alone
//                      makes B and A differ by, with nothing planted.
// Why the steps: a fit predicts every frame from the previous frame of every population, and each
// population's units hear their own trace, so a level shift of a target is explained by its own
// input; what only the planted blocks can explain is how the difference changes from frame to
// frame, and the stimulus-only difference competes with it (README: the matched teacher).
struct CelltypePlantedEffect {
  int32_t targets = 0;  // observed target populations (0: none, not reported)
  double planted_rms = 0, planted_step_rms = 0, unplanted_step_rms = 0;
};

// The three differences above with factor F = `factor` (> 1; checked), resolved against `spec`
// (blocks by index).
std::vector<CelltypePlanted> celltype_planted_differences(const CelltypeSpec& spec,
                                                          double factor = kCelltypePlantedFactor);

// The 6 raw conditions the teacher knows: "familiar_change", …, "novel_omission".
bool celltype_synth_condition(const std::string& condition, bool* novel, int* trial_type);  // 0 change, 1 no_change, 2 omission

// The teacher for one condition (see above); with `planted` false, the network without any
// planted difference (the same for every condition). Errors: an unknown condition, a factor
// that is not > 1.
StatusOr<std::unique_ptr<SignedRnn>> make_celltype_teacher(const CelltypeSpec& spec, const std::string& condition,
                                                           uint64_t seed, bool planted = true,
                                                           double factor = kCelltypePlantedFactor);

// The noise-free drive of every population, (16, P): row k = frame k, column p = channel p.
// Of `options` only the later-area drive and ramp matter here.
Matrix celltype_stimulus(const CelltypeSpec& spec, const std::string& condition, const CelltypeSynthOptions& options = {});

// Simulates `options.trials` trials of `teacher` under `condition`; returns one (trials, 16)
// C-order array per population.
std::vector<std::vector<double>> simulate_celltype_teacher(const CelltypeSpec& spec, const SignedRnn& teacher,
                                                           const std::string& condition,
                                                           const CelltypeSynthOptions& options, Rng& rng);

// Mean |w| per (post, pre) population block, zeros included: (P, P).
Matrix celltype_block_mean_abs(const CelltypeSpec& spec, const Matrix& w);

// Writes the raw arrays of the 6 conditions and truth.json into `out_dir` (created if needed).
// Returns the files written. `log`, if given, receives one line per condition.
StatusOr<std::vector<std::string>> synth_celltype(const CelltypeSpec& spec, const std::string& out_dir,
                                                  const CelltypeSynthOptions& options,
                                                  const std::function<void(const std::string&)>& log = nullptr);

}  // namespace biornn
