#include "suites/clause_list.hpp"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

namespace svh::suites {

std::filesystem::path defaultClauseList() {
  return SVH_CLAUSE_LIST;
}
std::filesystem::path defaultMesosTestList() {
  return SVH_MESOS_TEST_LIST;
}

namespace {

// {"<list>": [{"<key>": "...", "summary": "...", "not_black_box": "..."}]}
std::vector<Clause> loadList(const std::filesystem::path& file, const std::string& list,
                             const std::string& key) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error("cannot read " + file.string());
  auto json = nlohmann::json::parse(in, nullptr, false);
  if (json.is_discarded() || !json.contains(list) || !json[list].is_array()) {
    throw std::runtime_error(file.string() + ": expected an object with a \"" + list + "\" array");
  }
  std::vector<Clause> entries;
  std::set<std::string> seen;
  for (std::size_t i = 0; i < json[list].size(); ++i) {
    const auto& entry = json[list][i];
    std::string where = file.string() + ": $." + list + "[" + std::to_string(i) + "]";
    if (!entry.is_object() || !entry.contains(key) || !entry[key].is_string()) {
      throw std::runtime_error(where + ": expected an object with a string \"" + key + "\"");
    }
    Clause clause;
    clause.id = entry[key];
    clause.summary = entry.value("summary", "");
    clause.not_black_box = entry.value("not_black_box", "");
    if (!seen.insert(clause.id).second) {
      throw std::runtime_error(where + ": " + clause.id + " again");
    }
    entries.push_back(std::move(clause));
  }
  return entries;
}

}  // namespace

std::vector<Clause> loadClauses(const std::filesystem::path& file) {
  return loadList(file, "clauses", "id");
}

std::vector<Clause> loadMesosTests(const std::filesystem::path& file) {
  return loadList(file, "tests", "test");
}

namespace {

std::vector<std::string> words(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> out;
  for (std::string word; in >> word;) out.push_back(word);
  return out;
}

}  // namespace

Coverage coverage(const std::vector<Clause>& clauses,
                  const std::map<std::string, std::string>& registry) {
  Coverage out;
  std::set<std::string> known;
  for (const auto& clause : clauses) known.insert(clause.id);
  for (const auto& [check, ids] : registry) {
    for (const auto& id : words(ids)) {
      if (known.count(id)) {
        out.checks_of[id].push_back(check);
      } else {
        out.unknown[check].insert(id);
      }
    }
  }
  for (const auto& clause : clauses) {
    if (clause.not_black_box.empty() && out.checks_of.count(clause.id) == 0) {
      out.unchecked.push_back(clause.id);
    }
  }
  return out;
}

namespace {

void describeEach(std::ostringstream& out, const std::vector<Clause>& entries,
                  const std::map<std::string, std::string>& registry) {
  auto cover = coverage(entries, registry);
  for (const auto& entry : entries) {
    out << "  " << entry.id << "  ";
    auto it = cover.checks_of.find(entry.id);
    if (it != cover.checks_of.end()) {
      for (std::size_t i = 0; i < it->second.size(); ++i) out << (i ? ", " : "") << it->second[i];
    } else if (!entry.not_black_box.empty()) {
      out << "not black-box: " << entry.not_black_box;
    } else {
      out << "NOT CHECKED";
    }
    out << "\n";
  }
}

}  // namespace

std::string describeCoverage(const std::vector<Clause>& clauses,
                             const std::map<std::string, std::string>& clause_registry,
                             const std::vector<Clause>& mesos_tests,
                             const std::map<std::string, std::string>& mirror_registry) {
  std::ostringstream out;
  out << clause_registry.size() << " checks:\n";
  for (const auto& [check, ids] : clause_registry) out << "  " << check << "  [" << ids << "]\n";
  out << "\n" << clauses.size() << " clauses of SPEC.md, and the checks naming them:\n";
  describeEach(out, clauses, clause_registry);
  out << "\n"
      << mesos_tests.size() << " Mesos tests SPEC.md names, and the checks mirroring them:\n";
  describeEach(out, mesos_tests, mirror_registry);
  return out.str();
}

}  // namespace svh::suites
