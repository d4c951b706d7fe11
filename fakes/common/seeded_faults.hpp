#pragma once
// Seeded faults: deliberate deviations from SPEC.md that the bundled master
// can be started with (svh-master --fault=NAME, svharness --fault NAME), so
// that a run can prove the suite detects the bug each one plants. This list
// is the one place their names live; svharness refuses names not in it.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace svh::fakes {

struct SeededFault {
  std::string name;         // e.g. "offer-shared-to-incapable"
  std::string description;  // what the master does wrong, and which clause it breaks
};

// No fault is seeded yet: each arrives with the master code that plants it.
inline const std::vector<SeededFault>& seededFaults() {
  static const std::vector<SeededFault> faults;
  return faults;
}

inline std::optional<SeededFault> findSeededFault(std::string_view name) {
  for (const auto& fault : seededFaults()) {
    if (fault.name == name) return fault;
  }
  return std::nullopt;
}

}  // namespace svh::fakes
