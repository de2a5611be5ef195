// celltype_compare.cpp — block means at three scales, across-run tests with Holm families, the
// highlighted projections, and loading the runs (see celltype_compare.hpp).
#include "biornn/celltype_compare.hpp"

#include <cmath>
#include <limits>

#include "biornn/celltype_coupling.hpp"
#include "biornn/check.hpp"
#include "biornn/fileio.hpp"
#include "biornn/json_read.hpp"
#include "biornn/npz.hpp"

namespace biornn {

namespace {

const double kNaN = std::numeric_limits<double>::quiet_NaN();

// Σ|w| and Σw per population block, (P, P) row-major, in double.
void population_sums(const CelltypeSpec& spec, ConstMatrixView w, std::vector<double>* abs_sum,
                     std::vector<double>* signed_sum) {
  const int32_t p = spec.populations();
  BIORNN_CHECK(w.rows == spec.total_units() && w.cols == spec.total_units(),
               "celltype block means: W is " + shape_string(w.rows, w.cols) + ", the spec has " +
                   std::to_string(spec.total_units()) + " units");
  abs_sum->assign(std::size_t(p) * std::size_t(p), 0.0);
  signed_sum->assign(std::size_t(p) * std::size_t(p), 0.0);
  for (int32_t q = 0; q < p; ++q) {
    const int32_t q0 = spec.population_offset(q), q1 = q0 + spec.population_size(q);
    for (int32_t r = 0; r < p; ++r) {
      const int32_t r0 = spec.population_offset(r), r1 = r0 + spec.population_size(r);
      double sa = 0, ss = 0;
      for (int32_t i = q0; i < q1; ++i)
        for (int32_t j = r0; j < r1; ++j) {
          const double v = double(w(i, j));
          sa += std::fabs(v);
          ss += v;
        }
      (*abs_sum)[std::size_t(q) * std::size_t(p) + std::size_t(r)] = sa;
      (*signed_sum)[std::size_t(q) * std::size_t(p) + std::size_t(r)] = ss;
    }
  }
}

std::vector<double> run_values(const std::vector<CelltypeBlockMeans>& runs, bool absolute, std::size_t cell) {
  std::vector<double> out;
  for (const CelltypeBlockMeans& m : runs) out.push_back(absolute ? m.mean_abs[cell] : m.mean_signed[cell]);
  return out;
}

// Population couplings (P, P) summed into the groups of a scale, (G, G) row-major.
std::vector<double> grouped_coupling(const CelltypeSpec& spec, const CelltypeGrouping& g, const std::vector<double>& pop) {
  const std::size_t n = std::size_t(g.groups()), p = std::size_t(spec.populations());
  std::vector<double> out(n * n, 0.0);
  for (std::size_t q = 0; q < p; ++q)
    for (std::size_t r = 0; r < p; ++r)
      out[std::size_t(g.group_of_population[q]) * n + std::size_t(g.group_of_population[r])] += pop[q * p + r];
  return out;
}

void holm_each(std::vector<CelltypeBlockTest>* family) {
  std::vector<CelltypeBlockTest*> members;
  for (CelltypeBlockTest& t : *family) members.push_back(&t);
  celltype_holm_family(members);
}

}  // namespace

const char* celltype_scale_name(CelltypeScale scale) {
  switch (scale) {
    case CelltypeScale::kPopulation: return "population";
    case CelltypeScale::kLayer: return "layer";
    case CelltypeScale::kArea: return "area";
  }
  return "?";
}

CelltypeGrouping celltype_grouping(const CelltypeSpec& spec, CelltypeScale scale) {
  CelltypeGrouping g;
  g.scale = scale;
  const int32_t layers = int32_t(spec.layers.size());
  for (int32_t p = 0; p < spec.populations(); ++p) {
    const int32_t a = spec.area_of(p), l = spec.layer_of(p);
    int32_t group = p;
    std::string label = spec.population_name(p);
    if (scale == CelltypeScale::kLayer) {
      group = a * layers + l;
      label = spec.areas[std::size_t(a)] + "_" + spec.layers[std::size_t(l)];
    } else if (scale == CelltypeScale::kArea) {
      group = a;
      label = spec.areas[std::size_t(a)];
    }
    if (group == g.groups()) {  // groups appear in order: spec order is area, layer, type
      g.labels.push_back(label);
      g.units.push_back(0);
    }
    g.group_of_population.push_back(group);
    g.units[std::size_t(group)] += spec.population_size(p);
  }
  return g;
}

CelltypeBlockMeans celltype_block_means(const CelltypeSpec& spec, ConstMatrixView w, CelltypeScale scale) {
  std::vector<double> abs_sum, signed_sum;
  population_sums(spec, w, &abs_sum, &signed_sum);
  const CelltypeGrouping g = celltype_grouping(spec, scale);
  const std::size_t n = std::size_t(g.groups()), p = std::size_t(spec.populations());
  CelltypeBlockMeans m;
  m.groups = g.groups();
  m.mean_abs.assign(n * n, 0.0);
  m.mean_signed.assign(n * n, 0.0);
  for (std::size_t q = 0; q < p; ++q)
    for (std::size_t r = 0; r < p; ++r) {
      const std::size_t cell = std::size_t(g.group_of_population[q]) * n + std::size_t(g.group_of_population[r]);
      m.mean_abs[cell] += abs_sum[q * p + r];
      m.mean_signed[cell] += signed_sum[q * p + r];
    }
  for (std::size_t x = 0; x < n; ++x)
    for (std::size_t y = 0; y < n; ++y) {
      const double entries = double(g.units[x]) * double(g.units[y]);
      m.mean_abs[x * n + y] /= entries;
      m.mean_signed[x * n + y] /= entries;
    }
  return m;
}

double celltype_union_mean_abs(const CelltypeSpec& spec, ConstMatrixView w, const std::vector<CelltypeProjection>& blocks) {
  double sum = 0, entries = 0;
  for (const CelltypeProjection& b : blocks) {
    const int32_t q0 = spec.population_offset(b.target), q1 = q0 + spec.population_size(b.target);
    const int32_t r0 = spec.population_offset(b.source), r1 = r0 + spec.population_size(b.source);
    for (int32_t i = q0; i < q1; ++i)
      for (int32_t j = r0; j < r1; ++j) sum += std::fabs(double(w(i, j)));
    entries += double(q1 - q0) * double(r1 - r0);
  }
  return entries > 0 ? sum / entries : kNaN;
}

CelltypeBlockTest celltype_block_test(const std::vector<double>& a, const std::vector<double>& b) {
  CelltypeBlockTest t;
  t.a = a;
  t.b = b;
  t.mean_a = mean_of(a);
  t.mean_b = mean_of(b);
  t.sd_a = sample_sd(a);
  t.sd_b = sample_sd(b);
  t.diff = t.mean_b - t.mean_a;
  bool varies = false;
  for (const std::vector<double>* s : {&a, &b})
    for (double v : *s) varies = varies || v != a.front();
  t.tested = a.size() >= 2 && b.size() >= 2 && varies;
  if (t.tested) {
    t.welch = welch_t_test(b, a);  // t > 0 when B is larger, like diff
    t.mann_whitney = mann_whitney_u(b, a);
  } else {
    t.welch = {kNaN, kNaN, kNaN};
    t.mann_whitney = {kNaN, kNaN, false, kNaN};
  }
  t.welch_p_holm = t.mann_whitney_p_holm = kNaN;
  return t;
}

void celltype_holm_family(std::vector<CelltypeBlockTest*> family) {
  std::vector<CelltypeBlockTest*> tested;
  std::vector<double> welch, mw;
  for (CelltypeBlockTest* t : family)
    if (t->tested) {
      tested.push_back(t);
      welch.push_back(t->welch.p_value);
      mw.push_back(t->mann_whitney.p_value);
    }
  if (tested.empty()) return;
  const std::vector<double> welch_adj = holm_adjust(welch), mw_adj = holm_adjust(mw);
  for (std::size_t i = 0; i < tested.size(); ++i) {
    tested[i]->welch_p_holm = welch_adj[i];
    tested[i]->mann_whitney_p_holm = mw_adj[i];
  }
}

std::vector<CelltypeHighlight> celltype_highlights(const CelltypeSpec& spec) {
  std::vector<CelltypeHighlight> out;
  // Inter-areal projections grouped by source population and target area·layer, in spec order.
  for (const CelltypeProjection& pr : spec.projections) {
    const int32_t ta = spec.area_of(pr.target), tl = spec.layer_of(pr.target);
    const std::string kind = spec.area_of(pr.source) < ta ? "feedforward" : "feedback";
    const std::string name = kind + " " + spec.population_name(pr.source) + " -> " + spec.areas[std::size_t(ta)] + "_" +
                             spec.layers[std::size_t(tl)];
    CelltypeHighlight* h = nullptr;
    for (CelltypeHighlight& e : out)
      if (e.name == name) h = &e;
    if (h == nullptr) {
      out.push_back({kind, name, {}, {}, {}});
      h = &out.back();
    }
    h->blocks.push_back(pr);
  }
  // L23 Sst → L23 Vip within each area, when the spec has those names.
  int32_t layer = -1, sst = -1, vip = -1;
  for (std::size_t l = 0; l < spec.layers.size(); ++l)
    if (spec.layers[l] == "L23") layer = int32_t(l);
  for (std::size_t t = 0; t < spec.types.size(); ++t) {
    if (spec.types[t] == "Sst") sst = int32_t(t);
    if (spec.types[t] == "Vip") vip = int32_t(t);
  }
  if (layer >= 0 && sst >= 0 && vip >= 0)
    for (std::size_t a = 0; a < spec.areas.size(); ++a) {
      const int32_t s = spec.population_index(int32_t(a), layer, sst), v = spec.population_index(int32_t(a), layer, vip);
      out.push_back({"sst_vip", "L23 Sst -> Vip " + spec.areas[a], {{s, v}}, {}, {}});
    }
  return out;
}

CelltypeComparison compare_celltype_weights(const CelltypeSpec& spec, const std::vector<Matrix>& a,
                                            const std::vector<Matrix>& b, const std::vector<std::string>& names_a,
                                            const std::vector<std::string>& names_b,
                                            const std::vector<Matrix>& readouts_a,
                                            const std::vector<Matrix>& readouts_b) {
  BIORNN_CHECK(a.size() == names_a.size() && b.size() == names_b.size() && !a.empty() && !b.empty(),
               "compare_celltype_weights: one name per run and at least one run per condition");
  BIORNN_CHECK((readouts_a.empty() && readouts_b.empty()) || (readouts_a.size() == a.size() && readouts_b.size() == b.size()),
               "compare_celltype_weights: readouts for every run of both sides, or none");
  CelltypeComparison c;
  c.runs_a = names_a;
  c.runs_b = names_b;
  c.has_coupling = !readouts_a.empty();
  // Each run's population couplings, computed once and summed into every scale's groups.
  std::vector<std::vector<double>> pop_a, pop_b;
  if (c.has_coupling) {
    for (std::size_t k = 0; k < a.size(); ++k) pop_a.push_back(celltype_coupling_matrix(spec, a[k], readouts_a[k]));
    for (std::size_t k = 0; k < b.size(); ++k) pop_b.push_back(celltype_coupling_matrix(spec, b[k], readouts_b[k]));
  }
  for (CelltypeScale scale : kCelltypeScales) {
    std::vector<CelltypeBlockMeans> ma, mb;
    for (const Matrix& w : a) ma.push_back(celltype_block_means(spec, w, scale));
    for (const Matrix& w : b) mb.push_back(celltype_block_means(spec, w, scale));
    CelltypeScaleComparison s;
    s.grouping = celltype_grouping(spec, scale);
    const std::size_t cells = std::size_t(s.grouping.groups()) * std::size_t(s.grouping.groups());
    for (std::size_t cell = 0; cell < cells; ++cell) {
      s.mean_abs.push_back(celltype_block_test(run_values(ma, true, cell), run_values(mb, true, cell)));
      s.mean_signed.push_back(celltype_block_test(run_values(ma, false, cell), run_values(mb, false, cell)));
    }
    if (c.has_coupling) {
      std::vector<std::vector<double>> ca, cb;
      for (const std::vector<double>& pop : pop_a) ca.push_back(grouped_coupling(spec, s.grouping, pop));
      for (const std::vector<double>& pop : pop_b) cb.push_back(grouped_coupling(spec, s.grouping, pop));
      for (std::size_t cell = 0; cell < cells; ++cell) {
        std::vector<double> va, vb;
        for (const std::vector<double>& m : ca) va.push_back(m[cell]);
        for (const std::vector<double>& m : cb) vb.push_back(m[cell]);
        s.coupling.push_back(celltype_block_test(va, vb));
      }
    }
    for (std::vector<CelltypeBlockTest>* family : {&s.mean_abs, &s.mean_signed, &s.coupling}) holm_each(family);
    c.scales.push_back(std::move(s));
  }
  c.highlights = celltype_highlights(spec);
  std::vector<CelltypeBlockTest*> family, coupling_family;
  for (CelltypeHighlight& h : c.highlights) {
    std::vector<double> va, vb, ka, kb;
    for (const Matrix& w : a) va.push_back(celltype_union_mean_abs(spec, w, h.blocks));
    for (const Matrix& w : b) vb.push_back(celltype_union_mean_abs(spec, w, h.blocks));
    h.test = celltype_block_test(va, vb);
    family.push_back(&h.test);
    if (!c.has_coupling) continue;
    for (std::size_t k = 0; k < a.size(); ++k) ka.push_back(celltype_union_coupling(spec, a[k], readouts_a[k], h.blocks));
    for (std::size_t k = 0; k < b.size(); ++k) kb.push_back(celltype_union_coupling(spec, b[k], readouts_b[k], h.blocks));
    h.coupling = celltype_block_test(ka, kb);
    coupling_family.push_back(&h.coupling);
  }
  celltype_holm_family(family);
  celltype_holm_family(coupling_family);
  return c;
}

StatusOr<Matrix> load_celltype_run_weights(const CelltypeSpec& spec, const std::string& run_dir, Matrix* w_out) {
  const std::string summary = join_path(run_dir, "summary.json");
  StatusOr<JsonValue> doc = read_json_file(summary);
  if (!doc.ok()) return doc.status();
  const JsonValue* r2 = nullptr;
  BIORNN_RETURN_IF_ERROR(json_get_member(doc.value(), "r2", JsonType::kObject, summary, &r2));
  bool same = int32_t(r2->members.size()) == spec.populations();
  for (int32_t p = 0; same && p < spec.populations(); ++p)
    same = r2->members[std::size_t(p)].first == spec.population_name(p);
  if (!same) {
    std::string names;
    for (const auto& m : r2->members) names += (names.empty() ? "" : ", ") + m.first;
    return invalid_argument(run_dir + ": the run has populations " + names + "; the spec has " +
                            std::to_string(spec.populations()) + " others (pass the --spec the run was fitted with)");
  }
  const std::string path = join_path(run_dir, "model.npz");
  StatusOr<NpzArrays> arrays = load_npz(path);
  if (!arrays.ok()) return arrays.status();
  // Shapes are checked against the spec: a run fitted with another spec is refused here.
  const int32_t n = spec.total_units();
  StatusOr<Matrix> w = npz_matrix(arrays.value(), path, "W", n, n);
  if (!w.ok() || w_out == nullptr) return w;
  StatusOr<Matrix> r = npz_matrix(arrays.value(), path, "W_out", spec.populations(), n);
  if (!r.ok()) return r.status();
  *w_out = std::move(r.value());
  return w;
}

StatusOr<CelltypeComparison> compare_celltype_runs(const CelltypeSpec& spec, const std::vector<std::string>& runs_a,
                                                   const std::vector<std::string>& runs_b) {
  if (runs_a.empty() || runs_b.empty()) return invalid_argument("each condition needs at least one run");
  std::vector<Matrix> a, b, readouts_a, readouts_b;
  for (const std::vector<std::string>* runs : {&runs_a, &runs_b})
    for (const std::string& dir : *runs) {
      Matrix readout;
      StatusOr<Matrix> w = load_celltype_run_weights(spec, dir, &readout);
      if (!w.ok()) {
        if (dir == runs_a.front() || w.status().code() != StatusCode::kInvalidArgument) return w.status();
        return invalid_argument("the runs were not fitted with one spec: " + runs_a.front() + " fits the spec, but " +
                                w.status().message());
      }
      (runs == &runs_a ? a : b).push_back(std::move(w.value()));
      (runs == &runs_a ? readouts_a : readouts_b).push_back(std::move(readout));
    }
  return compare_celltype_weights(spec, a, b, runs_a, runs_b, readouts_a, readouts_b);
}

}  // namespace biornn
