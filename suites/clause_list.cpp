#include "suites/clause_list.hpp"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

namespace svh::suites {

std::filesystem::path defaultClauseList() {
  return SVH_CLAUSE_LIST;
}

std::vector<Clause> loadClauses(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error("cannot read the clause list " + file.string());
  auto json = nlohmann::json::parse(in, nullptr, false);
  if (json.is_discarded() || !json.contains("clauses") || !json["clauses"].is_array()) {
    throw std::runtime_error(file.string() + ": expected an object with a \"clauses\" array");
  }
  std::vector<Clause> clauses;
  std::set<std::string> seen;
  for (std::size_t i = 0; i < json["clauses"].size(); ++i) {
    const auto& entry = json["clauses"][i];
    std::string where = file.string() + ": $.clauses[" + std::to_string(i) + "]";
    if (!entry.is_object() || !entry.contains("id") || !entry["id"].is_string()) {
      throw std::runtime_error(where + ": expected an object with a string \"id\"");
    }
    Clause clause;
    clause.id = entry["id"];
    clause.summary = entry.value("summary", "");
    clause.not_black_box = entry.value("not_black_box", "");
    if (!seen.insert(clause.id).second)
      throw std::runtime_error(where + ": " + clause.id + " again");
    clauses.push_back(std::move(clause));
  }
  return clauses;
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

std::string describeCoverage(const std::vector<Clause>& clauses,
                             const std::map<std::string, std::string>& registry) {
  auto cover = coverage(clauses, registry);
  std::ostringstream out;
  out << registry.size() << " checks:\n";
  for (const auto& [check, ids] : registry) out << "  " << check << "  [" << ids << "]\n";
  out << "\n" << clauses.size() << " clauses of SPEC.md:\n";
  for (const auto& clause : clauses) {
    out << "  " << clause.id << "  ";
    auto it = cover.checks_of.find(clause.id);
    if (it != cover.checks_of.end()) {
      for (std::size_t i = 0; i < it->second.size(); ++i) out << (i ? ", " : "") << it->second[i];
    } else if (!clause.not_black_box.empty()) {
      out << "not black-box: " << clause.not_black_box;
    } else {
      out << "NOT CHECKED";
    }
    out << "\n";
  }
  return out.str();
}

}  // namespace svh::suites
