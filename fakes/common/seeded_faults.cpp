#include "fakes/common/seeded_faults.hpp"

#include <stdexcept>

namespace svh::fakes {

namespace {

using F = Fault;
constexpr FaultSite kMaster = FaultSite::kMaster;
constexpr FaultSite kAgent = FaultSite::kAgent;

std::vector<SeededFault> catalogue() {
  return {
      // ---- offers and capability gating
      {F::kOfferSharedToIncapable, "offer-shared-to-incapable", kMaster, "SV-CAP-1",
       "A framework without SHARED_RESOURCES is offered shared volumes."},
      {F::kWithholdSharedInUse, "withhold-shared-in-use", kMaster, "SV-OFFER-1",
       "A shared volume a task uses is no longer offered, as if it were not shared."},
      {F::kWithholdSharedWhileOffered, "withhold-shared-while-offered", kMaster, "SV-OFFER-2",
       "A shared volume held in one outstanding offer is offered to nobody else until that "
       "offer ends."},
      {F::kOfferNonSharedInUse, "offer-non-shared-in-use", kMaster, "PV-OFFER-1",
       "A non-shared volume a task uses is offered again while the task runs."},
      {F::kWithholdNonSharedFromUserOnly, "withhold-non-shared-from-user-only", kMaster,
       "PV-OFFER-1",
       "A non-shared volume in use is withheld only from the framework whose task uses it; the "
       "role's other frameworks are offered it."},
      {F::kRoleScopeByPrefix, "role-scope-by-prefix", kMaster, "SV-OFFER-4",
       "A volume reserved to role R is offered to any role whose name starts with R (R2, Rx), "
       "not only to R and its sub-roles R/..."},
      {F::kUpdateFrameworkKeepsCapabilities, "update-framework-keeps-capabilities", kMaster,
       "SV-CAP-4",
       "A framework that drops SHARED_RESOURCES through UPDATE_FRAMEWORK is still offered shared "
       "volumes."},
      {F::kCreateSharedWithoutCapability, "create-shared-without-capability", kMaster, "SV-CAP-2",
       "A framework without SHARED_RESOURCES creates a shared volume through ACCEPT."},
      // ---- ACCEPT
      {F::kLaunchNoSharedAddBack, "launch-no-shared-add-back", kMaster, "SV-LAUNCH-1",
       "Of several tasks in one ACCEPT that use one offered copy of a shared volume, only the "
       "first launches; the others get TASK_ERROR."},
      {F::kDestroyKeepsSharedCopies, "destroy-keeps-shared-copies", kMaster, "SV-LAUNCH-6",
       "In [DESTROY(V), LAUNCH(t uses V)], t is launched on the volume just destroyed instead of "
       "getting TASK_ERROR."},
      {F::kCreateReadOnlyVolume, "create-read-only-volume", kMaster, "SV-RO-1",
       "A CREATE of a volume with mode RO is accepted."},
      {F::kUnreserveUnderVolume, "unreserve-under-volume", kMaster, "PV-UNRESERVE-1",
       "An UNRESERVE of a persistent volume is accepted and the volume leaves its reservation."},
      {F::kCreateAcceptsSharedDuplicate, "create-accepts-shared-duplicate", kMaster,
       "PV-CREATE-3",
       "A CREATE of a volume identical to a shared one the agent has (same id, role, size) is "
       "accepted as a second copy of it, as Mesos 1.12's check lets it through."},
      // ---- destroy
      {F::kDestroyInUseOwnTasksOnly, "destroy-in-use-own-tasks-only", kMaster, "SV-DESTROY-1",
       "A DESTROY is refused only while the destroying framework's own tasks use the volume; "
       "another framework's running task loses it."},
      {F::kDestroyInUseRunningTasksOnly, "destroy-in-use-running-tasks-only", kMaster,
       "SV-DESTROY-1",
       "A DESTROY ignores tasks that use the volume but are not RUNNING yet (staging)."},
      {F::kDestroyInUseIgnoresSameAccept, "destroy-in-use-ignores-same-accept", kMaster,
       "SV-DESTROY-4",
       "[LAUNCH(t uses V), DESTROY(V)] in one ACCEPT destroys V under the task just launched."},
      {F::kEndpointDestroyIgnoresUse, "endpoint-destroy-ignores-use", kMaster, "SV-HTTP-2",
       "/destroy-volumes destroys a volume that a task uses (202 instead of 400)."},
      {F::kDestroyNoRescind, "destroy-no-rescind", kMaster, "SV-DESTROY-5",
       "A DESTROY leaves other frameworks' outstanding offers of the volume in place."},
      {F::kDestroyRescindsOwnOffersOnly, "destroy-rescinds-own-offers-only", kMaster,
       "SV-DESTROY-5",
       "A DESTROY rescinds the destroying framework's other offers of the volume, not those of "
       "other frameworks."},
      {F::kDestroyIgnoresExtraCopies, "destroy-ignores-extra-copies", kMaster, "SV-DESTROY-3",
       "A DESTROY of a shared volume that two of the accepted offers hold goes through."},
      {F::kDestroyNotAppliedToAgent, "destroy-not-applied-to-agent", kMaster, "SV-DESTROY-7",
       "A scheduler DESTROY that passes validation is never applied: the volume and its data "
       "stay, and it is offered again."},
      // ---- state, formats, failover
      {F::kReregisterDropsVolumes, "reregister-drops-volumes", kMaster, "SV-OFFER-7",
       "After a master restart, the volumes of a re-registering agent are neither listed nor "
       "offered."},
      {F::kDiskUsedCountsEveryCopy, "disk-used-counts-every-copy", kMaster, "SV-ALLOC-5",
       "master/disk_used counts a shared volume once per task that uses it."},
      {F::kPreRefinementOffersNotDowngraded, "pre-refinement-offers-not-downgraded", kMaster,
       "RES-7",
       "A framework without RESERVATION_REFINEMENT is offered reservations in the refined "
       "format (`reservations`), which it cannot read."},
      {F::kJsonDropsEmptySharedInfo, "json-drops-empty-shared", kMaster, "SV-MODEL-1",
       "A JSON call's `\"shared\": {}` is read as absent: a shared volume created through the "
       "JSON scheduler API is not shared."},
      {F::kProtobufOffersDropShared, "protobuf-offers-drop-shared", kMaster, "SV-MODEL-1",
       "Offers sent in protobuf lose the `shared` field of their volumes.",
       {"--content-type", "protobuf"}},
      {F::kV11DestroyIgnoresPendingTasks, "v11-destroy-ignores-pending-tasks", kMaster,
       "SV-DESTROY-4",
       "In the mesos-1.1 profile, [DESTROY(V), LAUNCH(t uses V)] destroys V instead of keeping "
       "it for the pending task.",
       {"--profile", "mesos-1.1"}},
      {F::kV11CreateSharedNeedsCapability, "v11-create-shared-needs-capability", kMaster,
       "SV-CAP-2",
       "In the mesos-1.1 profile, a framework without SHARED_RESOURCES cannot create a shared "
       "volume (a check that came with 1.2).",
       {"--profile", "mesos-1.1"}},
      {F::kV11OperatorSeesSharedAsAvailable, "v11-operator-sees-shared-as-available", kMaster,
       "SV-HTTP-3",
       "In the mesos-1.1 profile, /destroy-volumes of a shared volume held in several offers "
       "answers 202 and leaves stale offers, as HEAD does, instead of 409.",
       {"--profile", "mesos-1.1"}},
      // ---- svh-agent: RO on the FUSE disk
      {F::kRoAllowsSetattr, "ro-allows-setattr", kAgent, "H-RO-1",
       "A task whose volume is RO can chmod, chown, truncate and set the times of its files."},
      {F::kRoAllowsXattrChanges, "ro-allows-xattr-changes", kAgent, "H-RO-1",
       "A task whose volume is RO can set and remove extended attributes of its files."},
      {F::kRoAllowsRenameAndLink, "ro-allows-rename-and-link", kAgent, "H-RO-1",
       "A task whose volume is RO can rename and hard-link files within it."},
      {F::kRoAllowsCreate, "ro-allows-create", kAgent, "H-RO-1",
       "A task whose volume is RO can create new files in it (open with O_CREAT)."},
      {F::kRoAllowsNewNodes, "ro-allows-new-nodes", kAgent, "H-RO-1",
       "A task whose volume is RO can make directories and device nodes or FIFOs in it."},
      // ---- svh-agent: launch paths and volume data
      {F::kTaskGroupIgnoresRo, "task-group-ignores-ro", kAgent, "H-RO-3",
       "A task of a task group (LAUNCH_GROUP) can write to a volume its resource names RO; "
       "command tasks are still held to RO."},
      {F::kDestroyLeavesHiddenFiles, "destroy-leaves-hidden-files", kAgent, "H-DATA-3",
       "A destroyed volume's hidden files stay on the agent, and a volume created again with "
       "its id holds them."},
      {F::kRestartWipesVolumes, "restart-wipes-volumes", kAgent, "H-DATA-2",
       "After the agent restarts, its volumes are empty: what tasks wrote before is gone."},
  };
}

}  // namespace

const std::vector<SeededFault>& seededFaults() {
  static const std::vector<SeededFault> faults = [] {
    auto list = catalogue();
    for (std::size_t i = 0; i < list.size(); ++i) {
      // The enum and the catalogue are one list: entry i describes fault i.
      if (static_cast<std::size_t>(list[i].fault) != i) {
        throw std::logic_error("seeded fault catalogue out of enum order at " +
                               std::string(list[i].name));
      }
    }
    if (list.size() != static_cast<std::size_t>(Fault::kCount)) {
      throw std::logic_error("seeded fault catalogue misses a fault");
    }
    return list;
  }();
  return faults;
}

const SeededFault* findSeededFault(std::string_view name) {
  for (const auto& fault : seededFaults()) {
    if (fault.name == name) return &fault;
  }
  return nullptr;
}

const SeededFault& describe(Fault fault) {
  return seededFaults().at(static_cast<std::size_t>(fault));
}

Result<Faults> Faults::parse(std::string_view list, FaultSite site) {
  Faults faults;
  while (!list.empty()) {
    auto comma = list.find(',');
    auto name = list.substr(0, comma);
    list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
    if (name.empty()) continue;
    const SeededFault* fault = findSeededFault(name);
    if (!fault) return Error{"unknown fault '" + std::string(name) + "'"};
    if (fault->site != site) {
      return Error{"fault '" + std::string(name) + "' is planted in svh-" +
                   (fault->site == FaultSite::kMaster ? "master" : "agent") + ", not here"};
    }
    faults.add(fault->fault);
  }
  return faults;
}

std::string Faults::str() const {
  std::string names;
  for (const auto& fault : seededFaults()) {
    if (has(fault.fault)) names += (names.empty() ? "" : ",") + std::string(fault.name);
  }
  return names;
}

}  // namespace svh::fakes
