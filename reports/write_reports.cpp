#include "reports/write_reports.hpp"

#include <fstream>
#include <set>

#include "reports/html_report.hpp"
#include "reports/repro_script.hpp"
#include "reports/results_json.hpp"

namespace svh::reports {

namespace fs = std::filesystem;

namespace {

// Writes through a temporary name, so a reader never sees half a report.
bool writeFile(const fs::path& path, const std::string& content, std::vector<std::string>& problems,
               fs::perms perms = fs::perms::owner_read | fs::perms::owner_write |
                                 fs::perms::group_read | fs::perms::others_read) {
  const fs::path temporary = path.string() + ".partial";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << content;
    out.close();
    if (!out) {
      problems.push_back("cannot write " + path.string());
      return false;
    }
  }
  std::error_code ec;
  fs::permissions(temporary, perms, ec);
  fs::rename(temporary, path, ec);
  if (ec) {
    problems.push_back("cannot write " + path.string() + ": " + ec.message());
    fs::remove(temporary, ec);
    return false;
  }
  return true;
}

}  // namespace

std::vector<std::string> writeReports(const RunRecord& run, const fs::path& dir) {
  std::vector<std::string> problems;
  std::error_code ec;
  fs::create_directories(dir, ec);
  writeFile(dir / "results.json", resultsJson(run).dump(2) + "\n", problems);
  writeFile(dir / "report.html", htmlReport(run), problems);

  // A repro script per failed check (once, however many rounds failed);
  // none left over from an earlier run into the same dir.
  fs::remove_all(dir / "repro", ec);
  std::set<std::string> written;
  for (const auto& check : run.checks) {
    if (check.verdict != Verdict::kFailed || !written.insert(check.name).second) continue;
    fs::create_directories(dir / "repro", ec);
    writeFile(dir / "repro" / (check.name + ".sh"), reproScript(run, check), problems,
              fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                  fs::perms::others_read | fs::perms::others_exec);
  }
  return problems;
}

}  // namespace svh::reports
