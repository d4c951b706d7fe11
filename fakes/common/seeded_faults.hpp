#pragma once
// Seeded faults: deliberate, realistic regressions that svh-master and
// svh-agent can be started with (--fault=NAME[,NAME...]; svharness --fault
// NAME routes each to the process that plants it), so that a run can prove
// the suite fails when the master or agent is wrong (svharness --selftest).
//
// This catalogue is the one place a fault is described: its name, the
// process it lives in, the SPEC clause it breaks and what a user would see.
// In the code, a fault is one `faults.has(Fault::kX)` at the exact decision
// point it corrupts, so the normal path reads at most one extra line.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/util/result.hpp"

namespace svh::fakes {

enum class Fault : std::uint8_t {
  // ---- svh-master: offers and capability gating
  kOfferSharedToIncapable,
  kWithholdSharedInUse,
  kWithholdSharedWhileOffered,
  kOfferNonSharedInUse,
  kWithholdNonSharedFromUserOnly,
  kRoleScopeByPrefix,
  kUpdateFrameworkKeepsCapabilities,
  kCreateSharedWithoutCapability,
  // ---- svh-master: ACCEPT
  kLaunchNoSharedAddBack,
  kDestroyKeepsSharedCopies,
  kCreateReadOnlyVolume,
  kUnreserveUnderVolume,
  kCreateAcceptsSharedDuplicate,
  // ---- svh-master: destroy
  kDestroyInUseOwnTasksOnly,
  kDestroyInUseRunningTasksOnly,
  kDestroyInUseIgnoresSameAccept,
  kEndpointDestroyIgnoresUse,
  kDestroyNoRescind,
  kDestroyRescindsOwnOffersOnly,
  kDestroyIgnoresExtraCopies,
  kDestroyNotAppliedToAgent,
  // ---- svh-master: state, formats, failover
  kReregisterDropsVolumes,
  kDiskUsedCountsEveryCopy,
  kPreRefinementOffersNotDowngraded,
  kJsonDropsEmptySharedInfo,
  kProtobufOffersDropShared,
  kV11DestroyIgnoresPendingTasks,
  kV11CreateSharedNeedsCapability,
  kV11OperatorSeesSharedAsAvailable,
  // ---- svh-agent: RO on the FUSE disk, one request handler each
  kRoAllowsSetattr,
  kRoAllowsXattrChanges,
  kRoAllowsRenameAndLink,
  kRoAllowsCreate,
  kRoAllowsNewNodes,
  // ---- svh-agent: launch paths and volume data
  kTaskGroupIgnoresRo,
  kDestroyLeavesHiddenFiles,
  kRestartWipesVolumes,
  kCount  // not a fault: the number of faults
};

enum class FaultSite { kMaster, kAgent };

struct SeededFault {
  Fault fault;
  std::string_view name;     // e.g. "offer-shared-to-incapable"
  FaultSite site;            // the process that plants it
  std::string_view clause;   // the SPEC clause it breaks
  std::string_view symptom;  // one sentence a user of the master would observe
  // svharness flags a run needs to meet the fault (e.g. "--profile
  // mesos-1.1" for a fault of that profile's own rules); empty for most.
  std::vector<std::string_view> run_with;
};

// Every fault, in catalogue order.
const std::vector<SeededFault>& seededFaults();
const SeededFault* findSeededFault(std::string_view name);
const SeededFault& describe(Fault fault);

// The faults one process was started with.
class Faults {
 public:
  Faults() = default;
  // "a,b" (the --fault flag), every name known and planted at `site`;
  // otherwise an error naming the first bad one.
  static Result<Faults> parse(std::string_view list, FaultSite site);

  bool has(Fault fault) const { return (bits_ >> static_cast<unsigned>(fault)) & 1U; }
  void add(Fault fault) { bits_ |= std::uint64_t{1} << static_cast<unsigned>(fault); }
  bool empty() const { return bits_ == 0; }
  // The names, comma-separated, in catalogue order ("" when none).
  std::string str() const;

 private:
  std::uint64_t bits_ = 0;
  static_assert(static_cast<unsigned>(Fault::kCount) <= 64, "Faults holds one bit per fault");
};

}  // namespace svh::fakes
