// fakes/master/CONFORMANCE.md says where each SPEC.md clause is implemented
// as `file:function` ("core/operation_validation.cpp:validateCreate,
// validateDestroy"). Code moves, and a stale pointer sends the reader to a
// file that is gone or a function that is elsewhere; this test keeps every
// such reference true: the file exists and the function's name appears in
// it. A failure names the line, the clause and the reference.
//
// What counts as a reference: in the table, every `<path>.cpp` or
// `<path>.hpp` of the "where" column (the file must exist), and the names
// after its colon, separated by commas and possibly followed by a
// parenthesised note ("allocator.cpp:stripIncapable (refined
// reservations), allocatableTo"); in the prose, every `<path>.cpp:<name>`.
// Paths are relative to fakes/master/ ("core/...", "master.cpp") or to
// fakes/ ("common/...").

#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace svh::master {
namespace {

namespace fs = std::filesystem;

struct Reference {
  int line = 0;
  std::string clause;  // the table row's first cell; empty in prose
  std::string file;    // as written
  std::vector<std::string> functions;
};

std::string trim(const std::string& text) {
  auto begin = text.find_first_not_of(" \t");
  if (begin == std::string::npos) return "";
  return text.substr(begin, text.find_last_not_of(" \t") + 1 - begin);
}

std::vector<std::string> cells(const std::string& row) {
  std::vector<std::string> out;
  std::stringstream stream(row);
  std::string cell;
  std::getline(stream, cell, '|');  // before the first '|'
  while (std::getline(stream, cell, '|')) out.push_back(trim(cell));
  return out;
}

bool isNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

// A C++ name, possibly qualified ("Master::makeOffers"), at `pos`.
std::string nameAt(const std::string& text, std::size_t pos) {
  std::size_t end = pos;
  while (end < text.size()) {
    if (isNameChar(text[end])) {
      ++end;
    } else if (text.compare(end, 2, "::") == 0 && end + 2 < text.size() &&
               isNameChar(text[end + 2])) {
      end += 2;
    } else {
      break;
    }
  }
  if (end == pos || std::isdigit(static_cast<unsigned char>(text[pos]))) return "";
  return text.substr(pos, end - pos);
}

// The names after "file.cpp:" at `pos`: "a, b (note), c" gives a, b, c;
// anything else ends the list.
std::vector<std::string> namesAt(const std::string& text, std::size_t pos) {
  std::vector<std::string> names;
  while (true) {
    std::string name = nameAt(text, pos);
    if (name.empty()) break;
    names.push_back(name);
    pos += name.size();
    auto skipSpaces = [&] {
      while (pos < text.size() && text[pos] == ' ') ++pos;
    };
    skipSpaces();
    if (pos < text.size() && text[pos] == '(') {
      int depth = 0;
      for (; pos < text.size(); ++pos) {
        if (text[pos] == '(') ++depth;
        if (text[pos] == ')' && --depth == 0) {
          ++pos;
          break;
        }
      }
      skipSpaces();
    }
    if (pos >= text.size() || text[pos] != ',') break;
    ++pos;
    skipSpaces();
    // "a, b.cpp:..." starts another file, not another name of this one.
    std::string next = nameAt(text, pos);
    if (next.empty() || text.compare(pos + next.size(), 4, ".cpp") == 0 ||
        text.compare(pos + next.size(), 4, ".hpp") == 0) {
      break;
    }
  }
  return names;
}

// Every reference in `text` (one table cell or one line of prose).
void referencesIn(const std::string& text, int line, const std::string& clause,
                  bool files_without_functions, std::vector<Reference>& out) {
  static const std::regex file(R"(([A-Za-z_][A-Za-z0-9_/]*\.(?:cpp|hpp))\b)");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), file); it != std::sregex_iterator();
       ++it) {
    Reference reference{line, clause, (*it)[1].str(), {}};
    std::size_t after = it->position(0) + it->length(0);
    if (after < text.size() && text[after] == ':') {
      reference.functions = namesAt(text, after + 1);
    }
    if (!reference.functions.empty() || files_without_functions) out.push_back(reference);
  }
}

std::vector<Reference> referencesOf(const std::string& path) {
  std::ifstream in(path);
  std::vector<Reference> out;
  std::string text;
  int line = 0;
  while (std::getline(in, text)) {
    ++line;
    if (text.rfind("| ", 0) == 0) {
      auto row = cells(text);
      if (row.size() < 3 || row[0] == "clause") continue;
      referencesIn(row[2], line, row[0], /*files_without_functions=*/true, out);
    } else {
      referencesIn(text, line, "", /*files_without_functions=*/false, out);
    }
  }
  return out;
}

std::string readFile(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

// `word` as a whole name; with `as_code`, only where code uses it (followed
// by "(", "::", "<" or "{"), not where a comment merely says it.
bool containsWord(const std::string& text, const std::string& word, bool as_code) {
  for (auto pos = text.find(word); pos != std::string::npos; pos = text.find(word, pos + 1)) {
    bool starts = pos == 0 || !isNameChar(text[pos - 1]);
    std::size_t after = pos + word.size();
    bool ends = after >= text.size() || !isNameChar(text[after]);
    if (!starts || !ends) continue;
    if (!as_code) return true;
    after = text.find_first_not_of(" \t\n", after);
    if (after != std::string::npos && std::string("(:<{").find(text[after]) != std::string::npos) {
      return true;
    }
  }
  return false;
}

// "Master::makeOffers" appears when "Master" does and "makeOffers" is
// defined or called (a member defined inside its class is never written
// qualified, so the parts are looked for one by one).
bool mentions(const std::string& source, const std::string& name) {
  std::size_t begin = 0;
  while (true) {
    std::size_t end = name.find("::", begin);
    bool last = end == std::string::npos;
    if (!containsWord(source, name.substr(begin, end - begin), /*as_code=*/last)) return false;
    if (last) return true;
    begin = end + 2;
  }
}

std::string where(const Reference& reference) {
  std::string at = "CONFORMANCE.md:" + std::to_string(reference.line);
  if (!reference.clause.empty()) at += " (" + reference.clause + ")";
  return at + ": " + reference.file;
}

TEST(ConformanceDoc, EveryFileFunctionReferenceIsTrue) {
  const fs::path doc = SVH_CONFORMANCE_MD;
  ASSERT_TRUE(fs::exists(doc)) << doc;
  const fs::path master_dir = doc.parent_path();        // fakes/master
  const fs::path fakes_dir = master_dir.parent_path();  // fakes

  std::vector<Reference> references = referencesOf(doc.string());
  std::set<std::string> clauses_with_functions;
  std::map<fs::path, std::string> sources;
  for (const auto& reference : references) {
    fs::path file;
    for (const auto& base : {master_dir, fakes_dir}) {
      if (fs::is_regular_file(base / reference.file)) {
        file = base / reference.file;
        break;
      }
    }
    if (file.empty()) {
      ADD_FAILURE() << where(reference) << ": no such file under " << master_dir.string() << " or "
                    << fakes_dir.string();
      continue;
    }
    if (!sources.count(file)) sources[file] = readFile(file);
    if (!reference.functions.empty()) clauses_with_functions.insert(reference.clause);
    for (const auto& function : reference.functions) {
      EXPECT_TRUE(mentions(sources[file], function))
          << where(reference) << ":" << function << ": " << function << " does not appear in "
          << file.string();
    }
  }
  // The parser still reads the table: at least the 49 clauses that pointed
  // at a function when this test was written still do.
  EXPECT_GE(clauses_with_functions.size(), 49u)
      << "few clauses with a file:function reference; did the table's form change?";
}

// The parser itself, on the forms the table uses.
TEST(ConformanceDoc, ParsesTheFormsTheTableUses) {
  std::vector<Reference> found;
  referencesIn(
      "core/a.cpp:f (note, with comma), g; allocator.cpp:Master::h drops, master.cpp:k. "
      "Prose x.hpp (no function), core/b.cpp:l with m.cpp:n",
      7, "SV-X-1", true, found);
  ASSERT_EQ(6u, found.size());
  EXPECT_EQ("core/a.cpp", found[0].file);
  EXPECT_EQ((std::vector<std::string>{"f", "g"}), found[0].functions);
  EXPECT_EQ((std::vector<std::string>{"Master::h"}), found[1].functions);
  EXPECT_EQ((std::vector<std::string>{"k"}), found[2].functions);
  EXPECT_EQ("x.hpp", found[3].file);
  EXPECT_TRUE(found[3].functions.empty());
  EXPECT_EQ((std::vector<std::string>{"l"}), found[4].functions);
  EXPECT_EQ((std::vector<std::string>{"n"}), found[5].functions);

  EXPECT_TRUE(mentions("void Master::h() {}", "Master::h"));
  EXPECT_TRUE(mentions("class Master {\n  void h (int);", "Master::h"));
  EXPECT_FALSE(mentions("void Master::hh() {}", "Master::h"));
  EXPECT_FALSE(mentions("// h is what Master does", "Master::h"));
}

}  // namespace
}  // namespace svh::master
