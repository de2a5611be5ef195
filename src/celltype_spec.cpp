// celltype_spec.cpp — the population spec of the cell-type RNN: defaults, the spec file, the
// block table (see celltype.hpp; SPEC §7).
#include <algorithm>
#include <cstdlib>
#include <numeric>
#include <set>
#include <utility>

#include "biornn/celltype.hpp"
#include "biornn/csv.hpp"
#include "biornn/fileio.hpp"
#include "biornn/toml.hpp"

namespace biornn {

int32_t CelltypeSpec::population_index(int32_t area, int32_t layer, int32_t type) const {
  return (area * int32_t(layers.size()) + layer) * int32_t(types.size()) + type;
}
int32_t CelltypeSpec::area_of(int32_t p) const { return p / int32_t(layers.size() * types.size()); }
int32_t CelltypeSpec::layer_of(int32_t p) const { return (p / int32_t(types.size())) % int32_t(layers.size()); }
int32_t CelltypeSpec::type_of(int32_t p) const { return p % int32_t(types.size()); }

std::string CelltypeSpec::population_name(int32_t p) const {
  return areas[std::size_t(area_of(p))] + "_" + layers[std::size_t(layer_of(p))] + "_" + types[std::size_t(type_of(p))];
}

int32_t CelltypeSpec::find_population(const std::string& name) const {
  for (int32_t p = 0; p < populations(); ++p)
    if (population_name(p) == name) return p;
  return -1;
}

int32_t CelltypeSpec::population_size(int32_t p) const { return type_ratio[std::size_t(type_of(p))] * scale; }

int32_t CelltypeSpec::population_offset(int32_t p) const {
  int32_t offset = 0;
  for (int32_t q = 0; q < p; ++q) offset += population_size(q);
  return offset;
}

int32_t CelltypeSpec::total_units() const { return population_offset(populations()); }

bool CelltypeSpec::excitatory(int32_t p) const { return type_excitatory[std::size_t(type_of(p))]; }

SignVector CelltypeSpec::unit_signs() const {
  SignVector s;
  for (int32_t p = 0; p < populations(); ++p) s.insert(s.end(), std::size_t(population_size(p)), excitatory(p) ? 1 : -1);
  return s;
}

bool CelltypeSpec::inter_areal(int32_t post, int32_t pre) const { return area_of(post) != area_of(pre); }

PopulationTable CelltypeSpec::block_table() const {
  PopulationTable t;
  const int32_t p = populations();
  t.density = Matrix(p, p);
  for (int32_t a = 0; a < p; ++a) {
    t.names.push_back(population_name(a));
    t.sizes.push_back(population_size(a));
  }
  const int32_t per_layer = int32_t(types.size());
  for (int32_t post = 0; post < p; ++post)
    for (int32_t pre = 0; pre < p; ++pre)
      if (!inter_areal(post, pre))
        t.density(post, pre) = intra_density(layer_of(post) * per_layer + type_of(post), layer_of(pre) * per_layer + type_of(pre));
  for (const CelltypeProjection& proj : projections) t.density(proj.target, proj.source) = real(inter_density);
  return t;
}

namespace {

// Reads the intra-areal table into the spec's layer × type order.
Status read_intra_table(CelltypeSpec& spec, const std::string& path) {
  CsvReadOptions o;
  o.row_labels = true;
  StatusOr<CsvTable> csv = read_csv(path, o);
  if (!csv.ok()) return csv.status();
  const CsvTable& table = csv.value();
  const int32_t n = int32_t(spec.layers.size() * spec.types.size());
  std::vector<std::string> names;
  for (const std::string& layer : spec.layers)
    for (const std::string& type : spec.types) names.push_back(layer + "_" + type);
  std::vector<std::string> missing;
  for (const std::string& name : names)
    if (table.row_index(name) < 0 || table.column_index(name) < 0) missing.push_back(name);
  if (!missing.empty()) {
    std::string list;
    for (const std::string& m : missing) list += (list.empty() ? "" : ", ") + m;
    return invalid_argument(path + ": the spec's populations need rows and columns named " + list +
                            "; the table does not have them");
  }
  if (table.rows() != n || table.cols() != n)
    return invalid_argument(path + ": the spec has " + std::to_string(n) + " layer × type populations but the table is " +
                            shape_string(table.rows(), table.cols()) + "; remove the extra rows or columns");
  spec.intra_density = Matrix(n, n);
  for (int32_t i = 0; i < n; ++i)
    for (int32_t j = 0; j < n; ++j) {
      const double d = table.at(table.row_index(names[std::size_t(i)]), table.column_index(names[std::size_t(j)]));
      if (!(d >= 0 && d <= 1))
        return invalid_argument(path + ": density " + names[std::size_t(i)] + " <- " + names[std::size_t(j)] +
                                " must lie in [0, 1], found " + std::to_string(d));
      spec.intra_density(i, j) = real(d);
    }
  spec.intra_table_path = path;
  return Status();
}

void add_projection(CelltypeSpec& spec, const std::string& source, const std::string& target) {
  spec.projections.push_back({spec.find_population(source), spec.find_population(target)});
}

}  // namespace

Status validate_celltype_spec(const CelltypeSpec& s, const std::string& source) {
  if (s.areas.empty() || s.layers.empty() || s.types.empty())
    return invalid_argument(source + ": a spec needs at least one area, one layer and one cell type");
  for (const std::vector<std::string>* names : {&s.areas, &s.layers, &s.types}) {
    std::set<std::string> unique(names->begin(), names->end());
    if (unique.size() != names->size()) return invalid_argument(source + ": area, layer and type names must be unique");
    for (const std::string& n : *names)
      if (n.empty() || n.find('_') != std::string::npos)
        return invalid_argument(source + ": names must be non-empty and free of '_' (it joins them), found '" + n + "'");
  }
  if (s.type_excitatory.size() != s.types.size() || s.type_ratio.size() != s.types.size())
    return invalid_argument(source + ": " + std::to_string(s.types.size()) + " types need as many ratios");
  for (int32_t r : s.type_ratio)
    if (r < 1) return invalid_argument(source + ": every type ratio must be at least 1, found " + std::to_string(r));
  if (s.scale < 1) return invalid_argument(source + ": scale must be at least 1");
  int64_t units = 0;  // summed in 64 bits: total_units() is int32 and would overflow first
  for (int32_t p = 0; p < s.populations(); ++p) units += int64_t(s.type_ratio[std::size_t(s.type_of(p))]) * s.scale;
  if (units > 100000) return invalid_argument(source + ": " + std::to_string(units) + " units; at most 100000 are supported");
  const int32_t lt = int32_t(s.layers.size() * s.types.size());
  if (s.intra_density.rows() != lt || s.intra_density.cols() != lt)
    return invalid_argument(source + ": the intra-areal table must be " + shape_string(lt, lt));
  if (!(s.inter_density >= 0 && s.inter_density <= 1))
    return invalid_argument(source + ": inter_areal.density must lie in [0, 1]");
  for (const CelltypeProjection& p : s.projections) {
    if (p.source < 0 || p.target < 0) return invalid_argument(source + ": a projection names an unknown population");
    if (!s.inter_areal(p.target, p.source))
      return invalid_argument(source + ": projection " + s.population_name(p.source) + " -> " + s.population_name(p.target) +
                              " stays within one area; inter_areal.projections join different areas");
    if (!s.excitatory(p.source))
      return invalid_argument(source + ": projection from " + s.population_name(p.source) +
                              " is not excitatory; inter-areal projections must come from excitatory populations");
  }
  if (int32_t(s.observed.size()) != s.populations())
    return invalid_argument(source + ": one observed flag per population is needed");
  return Status();
}

std::string default_intra_table_path() {
  const std::string file = "campagnola2022_intra_areal.csv";
  if (const char* dir = std::getenv("BIORNN_DATA_DIR"); dir != nullptr && *dir != '\0') return join_path(dir, file);
  const std::string local = join_path("data", file);
  if (file_exists(local)) return local;
#ifdef BIORNN_SOURCE_DATA_DIR
  return join_path(BIORNN_SOURCE_DATA_DIR, file);
#else
  return local;
#endif
}

StatusOr<CelltypeSpec> default_celltype_spec(const std::string& intra_table_path_or_empty) {
  const std::string intra_table_path = intra_table_path_or_empty.empty() ? default_intra_table_path() : intra_table_path_or_empty;
  CelltypeSpec s;
  s.areas = {"V1", "LM"};
  s.layers = {"L4", "L23", "L5"};
  s.types = {"Pyr", "Sst", "Vip"};
  s.type_excitatory = {true, false, false};
  s.type_ratio = {12, 2, 1};
  s.scale = 16;
  BIORNN_RETURN_IF_ERROR(read_intra_table(s, intra_table_path));
  for (const char* t : {"LM_L4_Pyr", "LM_L4_Sst", "LM_L4_Vip"}) add_projection(s, "V1_L23_Pyr", t);
  for (const char* t : {"V1_L23_Pyr", "V1_L23_Sst", "V1_L23_Vip", "V1_L5_Pyr", "V1_L5_Sst", "V1_L5_Vip"})
    add_projection(s, "LM_L5_Pyr", t);
  s.observed.assign(std::size_t(s.populations()), true);
  BIORNN_RETURN_IF_ERROR(validate_celltype_spec(s, "the default spec"));
  return s;
}

namespace {

const TomlSchema& spec_schema() {
  static const TomlSchema schema = [] {
    TomlSchema s;
    s.add_array("populations.areas", TomlType::kString);
    s.add_array("populations.layers", TomlType::kString);
    s.add_array("populations.types", TomlType::kString);
    s.add_array("populations.excitatory", TomlType::kString);
    s.add_array("populations.ratios", TomlType::kInteger).at_least(1);
    s.add("populations.scale", TomlType::kInteger).at_least(1).at_most(100000);
    s.add("populations.intra_table", TomlType::kString);
    s.add_array("populations.unobserved", TomlType::kString);
    s.add("inter_areal.density", TomlType::kFloat).at_least(0).at_most(1);
    s.add_array("inter_areal.projections", TomlType::kString);
    return s;
  }();
  return schema;
}

std::string directory_of(const std::string& path) {
  const std::size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

}  // namespace

StatusOr<CelltypeSpec> load_celltype_spec(const std::string& path) {
  StatusOr<std::vector<uint8_t>> bytes = read_file(path, 1 << 20);
  if (!bytes.ok()) return bytes.status();
  return parse_celltype_spec(std::string(bytes.value().begin(), bytes.value().end()), path);
}

StatusOr<CelltypeSpec> parse_celltype_spec(const std::string& text, const std::string& path) {
  StatusOr<TomlDocument> parsed = parse_toml(text, path);
  if (!parsed.ok()) return parsed.status();
  const TomlDocument& doc = parsed.value();
  BIORNN_RETURN_IF_ERROR(toml_validate(doc, spec_schema()));
  CelltypeSpec s;
  s.areas = {"V1", "LM"};
  s.layers = {"L4", "L23", "L5"};
  s.types = {"Pyr", "Sst", "Vip"};
  std::vector<std::string> excitatory = {"Pyr"};
  std::vector<int64_t> ratios = {12, 2, 1};
  int64_t scale = 16;
  std::string table = default_intra_table_path();
  bool table_given = false;
  if (doc.contains("populations.areas")) BIORNN_RETURN_IF_ERROR(doc.get_string_array("populations.areas", &s.areas));
  if (doc.contains("populations.layers")) BIORNN_RETURN_IF_ERROR(doc.get_string_array("populations.layers", &s.layers));
  if (doc.contains("populations.types")) BIORNN_RETURN_IF_ERROR(doc.get_string_array("populations.types", &s.types));
  if (doc.contains("populations.excitatory")) BIORNN_RETURN_IF_ERROR(doc.get_string_array("populations.excitatory", &excitatory));
  if (doc.contains("populations.ratios")) BIORNN_RETURN_IF_ERROR(doc.get_integer_array("populations.ratios", &ratios));
  if (doc.contains("populations.scale")) BIORNN_RETURN_IF_ERROR(doc.get_integer("populations.scale", &scale));
  if (doc.contains("populations.intra_table")) {
    BIORNN_RETURN_IF_ERROR(doc.get_string("populations.intra_table", &table));
    table_given = true;
  }
  // Bounds first, so that nothing below overflows int32 or allocates per population.
  constexpr std::size_t kMaxNames = 64, kMaxPopulations = 4096;
  for (const auto& [key, n] : {std::pair<const char*, std::size_t>{"areas", s.areas.size()},
                               {"layers", s.layers.size()}, {"types", s.types.size()}})
    if (n > kMaxNames)
      return invalid_argument(path + ": populations." + key + " lists " + std::to_string(n) + " names; at most " +
                              std::to_string(kMaxNames) + " are supported");
  const std::size_t populations = s.areas.size() * s.layers.size() * s.types.size();
  if (populations > kMaxPopulations)
    return invalid_argument(path + ": " + std::to_string(s.areas.size()) + " areas × " + std::to_string(s.layers.size()) +
                            " layers × " + std::to_string(s.types.size()) + " types = " + std::to_string(populations) +
                            " populations; at most " + std::to_string(kMaxPopulations) + " are supported");
  for (int64_t r : ratios)
    if (r > 100000)
      return invalid_argument(path + ": populations.ratios holds " + std::to_string(r) + "; at most 100000 units per type and scale step");
  if (ratios.size() == s.types.size()) {
    int64_t units = 0;
    for (int64_t r : ratios) units += r * scale * int64_t(s.areas.size() * s.layers.size());
    if (units > 100000)
      return invalid_argument(path + ": populations.ratios × populations.scale give " + std::to_string(units) +
                              " units; at most 100000 are supported");
  }
  if (ratios.size() != s.types.size())
    return invalid_argument(path + ": populations.ratios has " + std::to_string(ratios.size()) + " entries for " +
                            std::to_string(s.types.size()) + " types");
  for (const std::string& e : excitatory)
    if (std::find(s.types.begin(), s.types.end(), e) == s.types.end())
      return invalid_argument(path + ": populations.excitatory names '" + e + "', which is not one of the types");
  for (const std::string& t : s.types) s.type_excitatory.push_back(std::find(excitatory.begin(), excitatory.end(), t) != excitatory.end());
  for (int64_t r : ratios) s.type_ratio.push_back(int32_t(r));
  s.scale = int32_t(scale);
  const std::string table_path = table_given && !table.empty() && table[0] != '/' ? join_path(directory_of(path), table) : table;
  BIORNN_RETURN_IF_ERROR(read_intra_table(s, table_path).with_context(path + " (populations.intra_table)"));
  s.observed.assign(std::size_t(s.populations()), true);
  if (doc.contains("populations.unobserved")) {
    std::vector<std::string> unobserved;
    BIORNN_RETURN_IF_ERROR(doc.get_string_array("populations.unobserved", &unobserved));
    for (const std::string& name : unobserved) {
      const int32_t p = s.find_population(name);
      if (p < 0) return invalid_argument(path + ": populations.unobserved names '" + name + "', which is not a population");
      s.observed[std::size_t(p)] = false;
    }
  }
  if (doc.contains("inter_areal.density")) BIORNN_RETURN_IF_ERROR(doc.get_double("inter_areal.density", &s.inter_density));
  if (doc.contains("inter_areal.projections")) {
    std::vector<std::string> list;
    BIORNN_RETURN_IF_ERROR(doc.get_string_array("inter_areal.projections", &list));
    for (const std::string& item : list) {
      const std::size_t arrow = item.find("->");
      if (arrow == std::string::npos)
        return invalid_argument(path + ": inter_areal.projections entry '" + item + "' must read 'SOURCE -> TARGET'");
      auto trim = [](std::string x) {
        x.erase(0, x.find_first_not_of(' '));
        x.erase(x.find_last_not_of(' ') + 1);
        return x;
      };
      const std::string source = trim(item.substr(0, arrow)), target = trim(item.substr(arrow + 2));
      const int32_t a = s.find_population(source), b = s.find_population(target);
      if (a < 0 || b < 0)
        return invalid_argument(path + ": inter_areal.projections entry '" + item + "' names an unknown population ('" +
                                (a < 0 ? source : target) + "')");
      s.projections.push_back({a, b});
    }
  } else if (s.areas.size() == 2 && s.areas[0] == "V1" && s.areas[1] == "LM") {
    // The paper's projections, when their populations exist in this spec.
    for (const char* t : {"LM_L4_Pyr", "LM_L4_Sst", "LM_L4_Vip"})
      if (s.find_population("V1_L23_Pyr") >= 0 && s.find_population(t) >= 0) add_projection(s, "V1_L23_Pyr", t);
    for (const char* t : {"V1_L23_Pyr", "V1_L23_Sst", "V1_L23_Vip", "V1_L5_Pyr", "V1_L5_Sst", "V1_L5_Vip"})
      if (s.find_population("LM_L5_Pyr") >= 0 && s.find_population(t) >= 0) add_projection(s, "LM_L5_Pyr", t);
  }
  BIORNN_RETURN_IF_ERROR(validate_celltype_spec(s, path));
  return s;
}

}  // namespace biornn
