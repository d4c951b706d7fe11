#include "harness/cli/fault_list.hpp"

#include "fakes/common/seeded_faults.hpp"

namespace svh::cli {

std::string describeFaults() {
  std::string out;
  for (const auto& fault : fakes::seededFaults()) {
    out += std::string(fault.name) + "  [" + std::string(fault.clause) + "]  in svh-" +
           (fault.site == fakes::FaultSite::kMaster ? "master" : "agent") + "\n    " +
           std::string(fault.symptom) + "\n";
    if (!fault.run_with.empty()) {
      out += "    met by runs with:";
      for (auto flag : fault.run_with) out += " " + std::string(flag);
      out += "\n";
    }
  }
  out += std::to_string(fakes::seededFaults().size()) +
         " faults; run one with svharness --fault NAME, all with svharness --selftest\n";
  return out;
}

}  // namespace svh::cli
