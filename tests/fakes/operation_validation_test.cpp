// Offer operation validation: Mesos's CreateOperationValidationTest.*,
// DestroyOperationValidationTest.*, UnreserveOperationValidationTest.*,
// ReserveOperationValidationTest.* and Grow/ShrinkVolumeOperationValidationTest
// scenarios, with the exact texts.

#include <gtest/gtest.h>

#include "fakes/common/resource_format.hpp"
#include "fakes/master/core/validation.hpp"
#include "test_resources.hpp"

namespace svh::master::validation {
namespace {

using namespace svh::fakes::testing;
using fakes::Resource;
using Operation = mesos::v1::Offer::Operation;
using Capability = mesos::v1::FrameworkInfo::Capability;

Operation::Create createOf(std::initializer_list<Resource> volumes) {
  Operation::Create create;
  for (const auto& volume : volumes) *create.add_volumes() = volume;
  return create;
}

Operation::Destroy destroyOf(std::initializer_list<Resource> volumes) {
  Operation::Destroy destroy;
  for (const auto& volume : volumes) *destroy.add_volumes() = volume;
  return destroy;
}

FrameworkInfo multiRoleFramework(std::initializer_list<const char*> roles,
                                 std::initializer_list<Capability::Type> extra = {}) {
  FrameworkInfo framework;
  framework.set_user("user");
  framework.set_name("default");
  framework.mutable_id()->set_value("fw-1");
  for (const char* role : roles) framework.add_roles(role);
  framework.add_capabilities()->set_type(Capability::MULTI_ROLE);
  for (auto type : extra) framework.add_capabilities()->set_type(type);
  return framework;
}

std::string text(const Problem& problem) {
  return problem.value_or("");
}

// SV-CAP-2, SV-CAP-3: the capability matters only for frameworks.
TEST(CreateOperationValidationTest, SharedVolumeBasedOnCapability) {
  clauses("SV-CAP-2 SV-CAP-3 SV-CREATE-1");
  AgentCapabilities agent;
  Resource volume =
      allocated(diskResource("128", "role1", "1", "path1", std::nullopt, true), "role1");
  auto create = createOf({volume});

  EXPECT_FALSE(validateCreate(create, Resources(), std::nullopt, agent));

  FrameworkInfo framework = multiRoleFramework({"role1"});
  EXPECT_EQ(
      "Create volume operation for 'disk(allocated: role1)(reservations: "
      "[(STATIC,role1)])[1:path1]<SHARED>:128' has been attempted by framework 'fw-1' with no "
      "SHARED_RESOURCES capability",
      text(validateCreate(create, Resources(), std::nullopt, agent, &framework)));

  framework.add_capabilities()->set_type(Capability::SHARED_RESOURCES);
  EXPECT_FALSE(validateCreate(create, Resources(), std::nullopt, agent, &framework));
}

// SV-RO-1: volumes are created RW.
TEST(CreateOperationValidationTest, ReadOnlyPersistentVolume) {
  clauses("SV-RO-1");
  Resource volume = resource("disk", "128", "role1");
  *volume.mutable_disk() = diskInfo("id1", "path1", mesos::v1::Volume::RO);
  EXPECT_EQ("Not a persistent volume: Read-only persistent volume not supported",
            text(validateCreate(createOf({volume}), Resources(), std::nullopt, {})));

  volume.mutable_shared();  // same for shared ones
  EXPECT_EQ("Not a persistent volume: Read-only persistent volume not supported",
            text(validateCreate(createOf({volume}), Resources(), std::nullopt, {})));
}

// PV-CREATE-3: unique per role across checkpointed and this operation.
TEST(CreateOperationValidationTest, DuplicatedPersistenceID) {
  clauses("PV-CREATE-3");
  Resource volume1 = resource("disk", "128", "role1");
  *volume1.mutable_disk() = diskInfo("id1", "path1");
  auto create = createOf({volume1});
  EXPECT_FALSE(validateCreate(create, Resources(), std::nullopt, {}));

  Resource volume2 = resource("disk", "64", "role1");
  *volume2.mutable_disk() = diskInfo("id1", "path1");
  EXPECT_EQ("Persistence ID 'id1' is not unique",
            text(validateCreate(create, Resources(volume1), std::nullopt, {})));

  *create.add_volumes() = volume2;
  EXPECT_EQ("Persistence ID 'id1' is not unique",
            text(validateCreate(create, Resources(), std::nullopt, {})));

  // An identical shared duplicate too, though as Resources it would only be
  // a second copy of the one there (Mesos's check misses it; SPEC says
  // unique, and its master aborts later).
  Resource shared = volume1;
  shared.mutable_shared();
  EXPECT_EQ("Persistence ID 'id1' is not unique",
            text(validateCreate(createOf({shared}), Resources(shared), std::nullopt, {})));
  EXPECT_EQ("Persistence ID 'id1' is not unique",
            text(validateCreate(createOf({shared, shared}), Resources(), std::nullopt, {})));

  // The same id under another role is fine.
  Resource other_role = resource("disk", "64", "role2");
  *other_role.mutable_disk() = diskInfo("id1", "path1");
  EXPECT_FALSE(validateCreate(createOf({other_role}), Resources(volume1), std::nullopt, {}));
}

// PV-CREATE-4.
TEST(CreateOperationValidationTest, NonMatchingPrincipal) {
  clauses("PV-CREATE-4");
  Resource volume = resource("disk", "128", "role1");
  *volume.mutable_disk() =
      diskInfo("id1", "path1", std::nullopt, std::nullopt, std::nullopt, "principal");
  EXPECT_EQ(
      "Create volume operation attempted by authenticated principal 'other-principal', which "
      "does not match a volume in the operation with principal 'principal' set in "
      "'disk.persistence'",
      text(validateCreate(createOf({volume}), Resources(), "other-principal", {})));
  EXPECT_FALSE(validateCreate(createOf({volume}), Resources(), "principal", {}));
  EXPECT_FALSE(validateCreate(createOf({volume}), Resources(), std::nullopt, {}));

  Resource anonymous = resource("disk", "128", "role1");
  *anonymous.mutable_disk() = diskInfo("id1", "path1");
  EXPECT_EQ(
      "Create volume operation attempted by principal 'principal', but there is a volume in the "
      "operation with no principal set in 'disk.persistence'",
      text(validateCreate(createOf({anonymous}), Resources(), "principal", {})));
}

// PV-CREATE-1, PV-CREATE-2.
TEST(CreateOperationValidationTest, PersistentVolumes) {
  clauses("PV-CREATE-1 PV-CREATE-2");
  Resource volume = resource("disk", "128", "role1");
  *volume.mutable_disk() = diskInfo("id1", "path1");
  EXPECT_FALSE(validateCreate(createOf({volume}), Resources(), std::nullopt, {}));

  EXPECT_EQ("Not a persistent volume: Resource cpus:2 does not have DiskInfo",
            text(validateCreate(createOf({volume, resource("cpus", "2")}), Resources(),
                                std::nullopt, {})));

  Resource unreserved = resource("disk", "128");
  *unreserved.mutable_disk() = diskInfo("id1", "path1");
  EXPECT_EQ(
      "Invalid resources: Invalid DiskInfo: Persistent volumes cannot be created from "
      "unreserved resources",
      text(validateCreate(createOf({unreserved}), Resources(), std::nullopt, {})));

  Resource revocable = volume;
  revocable.mutable_revocable();
  EXPECT_EQ(
      "Invalid resources: Invalid DiskInfo: Persistent volumes cannot be created from revocable "
      "resources",
      text(validateCreate(createOf({revocable}), Resources(), std::nullopt, {})));

  Resource no_volume = resource("disk", "128", "role1");
  *no_volume.mutable_disk() = diskInfo("id1", std::nullopt);
  EXPECT_EQ(
      "Invalid resources: Invalid DiskInfo: Expecting 'volume' to be set for persistent volume",
      text(validateCreate(createOf({no_volume}), Resources(), std::nullopt, {})));

  Resource host_path = resource("disk", "128", "role1");
  *host_path.mutable_disk() = diskInfo("id1", "path1", std::nullopt, "/host");
  EXPECT_EQ(
      "Invalid resources: Invalid DiskInfo: Expecting 'host_path' to be unset for persistent "
      "volume",
      text(validateCreate(createOf({host_path}), Resources(), std::nullopt, {})));

  Resource bad_id = resource("disk", "128", "role1");
  *bad_id.mutable_disk() = diskInfo("id1/", "path1");
  EXPECT_EQ(
      "Invalid resources: Invalid DiskInfo: Invalid persistence ID for persistent volume: "
      "'id1/' contains invalid characters",
      text(validateCreate(createOf({bad_id}), Resources(), std::nullopt, {})));

  Resource no_persistence = resource("disk", "128", "role1");
  *no_persistence.mutable_disk() = diskInfo(std::nullopt, "path1");
  EXPECT_EQ("Invalid resources: Invalid DiskInfo: Non-persistent volume not supported",
            text(validateCreate(createOf({no_persistence}), Resources(), std::nullopt, {})));

  Resource shared_plain = resource("disk", "128", "role1");
  shared_plain.mutable_shared();
  EXPECT_EQ(
      "Invalid resources: Invalid resources: Resource 'disk(reservations: "
      "[(STATIC,role1)])<SHARED>:128' is invalid: Only persistent volumes can be shared",
      text(validateCreate(createOf({shared_plain}), Resources(), std::nullopt, {})));
}

// PV-CREATE-5.
TEST(CreateOperationValidationTest, MixedAllocationRole) {
  clauses("PV-CREATE-5");
  Resource volume1 = resource("disk", "128", "role1");
  *volume1.mutable_disk() = diskInfo("id1", "path1");
  Resource volume2 = resource("disk", "256", "role2");
  *volume2.mutable_disk() = diskInfo("id2", "path2");
  auto create = createOf({allocated(volume1, "role1"), allocated(volume2, "role2")});
  FrameworkInfo framework =
      multiRoleFramework({"role1", "role2"}, {Capability::RESERVATION_REFINEMENT});
  EXPECT_EQ(
      "Invalid volume resources: The resources have multiple allocation roles ('role2' and "
      "'role1') but only one allocation role is allowed",
      text(validateCreate(create, Resources(), std::nullopt, {}, &framework)));
}

// PV-CREATE-5: agent capabilities for hierarchical roles and refinement.
TEST(CreateOperationValidationTest, AgentHierarchicalRoleCapability) {
  clauses("PV-CREATE-5");
  Resource volume = resource("disk", "128", "foo/bar");
  *volume.mutable_disk() = diskInfo("id1", "path1");
  AgentCapabilities capable;
  capable.hierarchical_role = true;
  EXPECT_FALSE(validateCreate(createOf({volume}), Resources(), std::nullopt, capable));
  EXPECT_EQ(
      "Volume disk(reservations: [(STATIC,foo/bar)])[id1:path1]:128 with reservation for "
      "hierarchical role 'foo/bar' cannot be created on an agent without HIERARCHICAL_ROLE "
      "capability",
      text(validateCreate(createOf({volume}), Resources(), std::nullopt, {})));

  Resource refined =
      withReservations(volume, {staticReservation("foo"), dynamicReservation("foo/bar", "p")});
  EXPECT_EQ(
      "Volume disk(reservations: [(STATIC,foo),(DYNAMIC,foo/bar,p)])[id1:path1]:128 with "
      "reservation refinement cannot be created on an agent without RESERVATION_REFINEMENT "
      "capability",
      text(validateCreate(createOf({refined}), Resources(), std::nullopt, capable)));
}

TEST(CreateOperationValidationTest, MultipleResourceProviders) {
  Resource r1 = resource("disk", "10", "role");
  *r1.mutable_disk() = diskInfo("id1", "path1");
  Resource r2 = resource("disk", "10", "role");
  r2.mutable_provider_id()->set_value("provider1");
  *r2.mutable_disk() = diskInfo("id2", "path2");
  Resource r3 = resource("disk", "10", "role");
  r3.mutable_provider_id()->set_value("provider2");
  *r3.mutable_disk() = diskInfo("id3", "path3");

  EXPECT_EQ("Invalid resources: Some resources have a resource provider and some do not",
            text(validateCreate(createOf({r1, r2}), Resources(), std::nullopt, {})));
  EXPECT_EQ(
      "Invalid resources: The resources have multiple resource providers: provider2, "
      "provider1",
      text(validateCreate(createOf({r2, r3}), Resources(), std::nullopt, {})));
  EXPECT_FALSE(validateCreate(createOf({r2}), Resources(), std::nullopt, {}));
}

// PV-DESTROY-1, PV-DESTROY-2.
TEST(DestroyOperationValidationTest, PersistentVolumes) {
  clauses("PV-DESTROY-1 PV-DESTROY-2");
  Resource volume1 = resource("disk", "128", "role1");
  *volume1.mutable_disk() = diskInfo("id1", "path1");
  Resource volume2 = resource("disk", "64", "role1");
  *volume2.mutable_disk() = diskInfo("id2", "path2");
  Resources checkpointed = Resources(volume1) + volume2;

  EXPECT_FALSE(validateDestroy(destroyOf({volume1}), checkpointed, {}));
  EXPECT_EQ("Not a persistent volume: Resource cpus:2 does not have DiskInfo",
            text(validateDestroy(destroyOf({volume1, resource("cpus", "2")}), checkpointed, {})));

  Resource plain_mount = diskResource("10", "role1", std::nullopt, std::nullopt, mountSource());
  EXPECT_EQ("Not a persistent volume: 'persistence' is not set in DiskInfo",
            text(validateDestroy(destroyOf({plain_mount}), checkpointed, {})));

  // Mesos checks the DiskInfo before the "persistent volume" shape, so a
  // volume without `volume` fails there.
  Resource no_volume = resource("disk", "128", "role1");
  *no_volume.mutable_disk() = diskInfo("id1", std::nullopt);
  EXPECT_EQ(
      "Invalid resources: Invalid DiskInfo: Expecting 'volume' to be set for persistent volume",
      text(validateDestroy(destroyOf({no_volume}), checkpointed, {})));
}

// PV-DESTROY-1, each text a DESTROY of something that is not a persistent
// volume can get. SPEC.md lists "Not a persistent volume: Expecting 'volume'
// to be set for persistent volume", but Mesos's validate(Destroy) runs
// resource::validate (validateDiskInfo) before validatePersistentVolume, so
// a volume without `volume` always fails earlier with the "Invalid DiskInfo"
// text; likewise a DiskInfo with `volume` but no `persistence`.
TEST(DestroyOperationValidationTest, EveryNotAVolumeText) {
  clauses("PV-DESTROY-1 SV-RO-6");
  Resource volume = resource("disk", "128", "role1");
  *volume.mutable_disk() = diskInfo("id1", "path1");
  Resources checkpointed(volume);
  auto refused = [&](const Resource& r) {
    return text(validateDestroy(destroyOf({r}), checkpointed, {}));
  };
  EXPECT_EQ(
      "Not a persistent volume: Resource disk(reservations: [(STATIC,role1)]):128 does not "
      "have DiskInfo",
      refused(resource("disk", "128", "role1")));
  EXPECT_EQ("Not a persistent volume: 'persistence' is not set in DiskInfo",
            refused(diskResource("10", "role1", std::nullopt, std::nullopt, pathSource())));
  Resource no_volume = volume;
  no_volume.mutable_disk()->clear_volume();
  EXPECT_EQ(
      "Invalid resources: Invalid DiskInfo: Expecting 'volume' to be set for persistent volume",
      refused(no_volume));
  Resource no_persistence = volume;
  no_persistence.mutable_disk()->clear_persistence();
  EXPECT_EQ("Invalid resources: Invalid DiskInfo: Non-persistent volume not supported",
            refused(no_persistence));
  Resource read_only = volume;
  read_only.mutable_disk()->mutable_volume()->set_mode(mesos::v1::Volume::RO);
  EXPECT_EQ("Not a persistent volume: Read-only persistent volume not supported",
            refused(read_only));
  EXPECT_EQ("", refused(volume));
}

// SV-RO-6: a DESTROY that says RO is refused like a CREATE.
TEST(DestroyOperationValidationTest, ReadOnlyVolumeName) {
  clauses("SV-RO-6");
  Resource volume = resource("disk", "128", "role1");
  *volume.mutable_disk() = diskInfo("id1", "path1");
  Resource as_ro = volume;
  as_ro.mutable_disk()->mutable_volume()->set_mode(mesos::v1::Volume::RO);
  EXPECT_EQ("Not a persistent volume: Read-only persistent volume not supported",
            text(validateDestroy(destroyOf({as_ro}), Resources(volume), {})));
}

// SV-DESTROY-1, SV-DESTROY-2: in use by any framework, whatever the
// allocation.
TEST(DestroyOperationValidationTest, SharedPersistentVolumeInUse) {
  clauses("SV-DESTROY-1 SV-DESTROY-2 SV-HTTP-2");
  Resource cpus = resource("cpus", "1");
  Resource mem = resource("mem", "5");
  Resource disk1 = diskResource("50", "role1", "1", "path1", std::nullopt, true);
  Resource disk2 = diskResource("100", "role1", "2", "path2");
  Resources checkpointed = Resources(disk1) + disk2;

  std::map<std::string, Resources> used;
  used["id1"] = Resources(cpus) + mem + disk1 + disk2;
  used["id2"] = Resources(cpus) + mem + disk1;

  auto destroy = destroyOf({disk1});
  EXPECT_EQ("Persistent volumes in use", text(validateDestroy(destroy, checkpointed, used)));

  used["id1"] -= disk1;
  EXPECT_EQ("Persistent volumes in use", text(validateDestroy(destroy, checkpointed, used)));
  used["id2"] -= disk1;
  EXPECT_FALSE(validateDestroy(destroy, checkpointed, used));

  // Tasks hold allocated copies, an offer's DESTROY names an allocated
  // volume: both are compared unallocated.
  used["id2"] = Resources(allocated(disk1, "role1"));
  EXPECT_EQ("Persistent volumes in use",
            text(validateDestroy(destroyOf({allocated(disk1, "role1")}), checkpointed, used)));
}

// SV-DESTROY-8: an unused non-shared volume can be destroyed while a shared
// one on the agent is in use.
TEST(DestroyOperationValidationTest, UnusedVolumeBesideSharedVolumeInUse) {
  clauses("SV-DESTROY-8");
  Resource shared = diskResource("50", "role1", "1", "path1", std::nullopt, true);
  Resource plain = diskResource("100", "role1", "2", "path2");
  std::map<std::string, Resources> used{{"fw", Resources(shared)}};
  EXPECT_FALSE(validateDestroy(destroyOf({plain}), Resources(shared) + plain, used));
}

// PV-DESTROY-2, SV-HTTP-2: not checkpointed (or a mismatching size, id,
// role or shared flag) is "not found"; a different container path matches.
TEST(DestroyOperationValidationTest, UnknownPersistentVolume) {
  clauses("PV-DESTROY-2 SV-MODEL-3 SV-MODEL-4 SV-HTTP-2");
  Resource volume = resource("disk", "128", "role1");
  *volume.mutable_disk() = diskInfo("id1", "path1");
  EXPECT_FALSE(validateDestroy(destroyOf({volume}), Resources(volume), {}));
  EXPECT_EQ("Persistent volumes not found",
            text(validateDestroy(destroyOf({volume}), Resources(), {})));

  Resource other_path = volume;
  other_path.mutable_disk()->mutable_volume()->set_container_path("elsewhere");
  EXPECT_FALSE(validateDestroy(destroyOf({other_path}), Resources(volume), {}));

  Resource other_size = volume;
  other_size.mutable_scalar()->set_value(64);
  EXPECT_EQ("Persistent volumes not found",
            text(validateDestroy(destroyOf({other_size}), Resources(volume), {})));

  Resource shared = volume;
  shared.mutable_shared();
  EXPECT_EQ("Persistent volumes not found",
            text(validateDestroy(destroyOf({shared}), Resources(volume), {})));
}

// RES-2 (PersistentVolumeEndpointsTest.InvalidVolume): a volume reserved to
// "*" is refused by the resource check that runs before operation
// validation (validateAndUpgradeResources), for CREATE and DESTROY alike.
TEST(DestroyOperationValidationTest, StarReservation) {
  clauses("RES-2");
  Resource volume = withReservations(resource("disk", "128"), {dynamicReservation("*", "ops")});
  *volume.mutable_disk() = diskInfo("id1", "path1");
  const std::string expected =
      "Resource 'disk(reservations: [(DYNAMIC,*,ops)])[id1:path1]:128' is invalid: Invalid "
      "reservation: role \"*\" cannot be reserved";
  for (auto type : {Operation::CREATE, Operation::DESTROY}) {
    Operation operation;
    operation.set_type(type);
    if (type == Operation::CREATE) {
      *operation.mutable_create()->add_volumes() = volume;
    } else {
      *operation.mutable_destroy()->add_volumes() = volume;
    }
    EXPECT_EQ(expected, text(fakes::validateAndUpgradeResources(&operation)));
  }
  // Operation validation alone: CREATE names it; DESTROY, like Mesos, first
  // drops invalid volumes when it builds its Resources and so is left with
  // an empty list.
  EXPECT_EQ("Invalid resources: Invalid resources: " + expected,
            text(validateCreate(createOf({volume}), Resources(), std::nullopt, {})));
  EXPECT_EQ("Invalid resources: The resources have multiple resource providers: ",
            text(validateDestroy(destroyOf({volume}), Resources(), {})));
}

// PV-UNRESERVE-1, RES-1.
TEST(UnreserveOperationValidationTest, NoPersistentVolumes) {
  clauses("PV-UNRESERVE-1 RES-1");
  Resource reserved =
      withReservations(resource("cpus", "8"), {dynamicReservation("role", "principal")});
  Resource volume = resource("disk", "128", "role");
  *volume.mutable_disk() = diskInfo("id1", "path1");

  Operation::Unreserve unreserve;
  *unreserve.add_resources() = reserved;
  EXPECT_FALSE(validateUnreserve(unreserve));

  // Mesos's scenario: a statically reserved volume.
  *unreserve.add_resources() = volume;
  EXPECT_EQ(
      "Resource disk(reservations: [(STATIC,role)])[id1:path1]:128 is not dynamically "
      "reserved",
      text(validateUnreserve(unreserve)));

  // A dynamically reserved one: destroy first.
  Resource dynamic_volume = withReservations(volume, {dynamicReservation("role", "principal")});
  Operation::Unreserve unreserve_volume;
  *unreserve_volume.add_resources() = dynamic_volume;
  EXPECT_EQ(
      "A dynamically reserved persistent volume disk(reservations: "
      "[(DYNAMIC,role,principal)])[id1:path1]:128 cannot be unreserved directly. Please destroy "
      "the persistent volume first then unreserve the resource",
      text(validateUnreserve(unreserve_volume)));
}

// RES-3, RES-4, RES-1, RES-2.
TEST(ReserveOperationValidationTest, FrameworkAndOperatorRules) {
  clauses("RES-1 RES-2 RES-3 RES-4");
  AgentCapabilities agent;
  FrameworkInfo framework = multiRoleFramework({"role"});
  Resource cpus =
      withReservations(resource("cpus", "8"), {dynamicReservation("role", "principal")});

  Operation::Reserve reserve;
  *reserve.add_resources() = allocated(cpus, "role");
  EXPECT_FALSE(validateReserve(reserve, "principal", agent, &framework));
  EXPECT_FALSE(validateReserve(reserve, std::nullopt, agent, &framework));

  EXPECT_EQ(
      "A reserve operation was attempted by authenticated principal 'other', which does not "
      "match a reserved resource in the request with principal 'principal'",
      text(validateReserve(reserve, "other", agent, &framework)));

  Operation::Reserve anonymous;
  *anonymous.add_resources() =
      allocated(withReservations(resource("cpus", "8"), {dynamicReservation("role")}), "role");
  EXPECT_EQ(
      "A reserve operation was attempted by principal 'principal', but there is a reserved "
      "resource in the request with no principal set",
      text(validateReserve(anonymous, "principal", agent, &framework)));

  Operation::Reserve mismatched;
  *mismatched.add_resources() = allocated(cpus, "other");
  EXPECT_EQ(
      "A reserve operation was attempted for a resource with role 'role', but the resource was "
      "allocated to role 'other'",
      text(validateReserve(mismatched, std::nullopt, agent, &framework)));

  FrameworkInfo elsewhere = multiRoleFramework({"role1"});
  EXPECT_EQ(
      "A reserve operation was attempted for a resource allocated to role 'role', but the "
      "framework only has roles '{ role1 }'",
      text(validateReserve(reserve, std::nullopt, agent, &elsewhere)));

  Operation::Reserve unallocated;
  *unallocated.add_resources() = cpus;
  EXPECT_EQ(
      "A reserve operation was attempted on unallocated resource cpus(reservations: "
      "[(DYNAMIC,role,principal)]):8, but frameworks can only perform reservations on allocated "
      "resources",
      text(validateReserve(unallocated, std::nullopt, agent, &framework)));
  EXPECT_FALSE(validateReserve(unallocated, std::nullopt, agent));  // operator API
  EXPECT_EQ(
      "A reserve operation was attempted with an allocated resource, but the operator API only "
      "allows reservations to be made to unallocated resources",
      text(validateReserve(reserve, std::nullopt, agent)));

  Operation::Reserve fixed;
  *fixed.add_resources() = resource("cpus", "8", "role");
  EXPECT_EQ("Resource cpus(reservations: [(STATIC,role)]):8 is not dynamically reserved",
            text(validateReserve(fixed, std::nullopt, agent)));

  Operation::Reserve star;
  *star.add_resources() =
      withReservations(resource("cpus", "8"), {dynamicReservation("*", "principal")});
  EXPECT_EQ(
      "Invalid resources: Invalid resources: Resource 'cpus(reservations: "
      "[(DYNAMIC,*,principal)]):8' is invalid: Invalid reservation: role \"*\" cannot be "
      "reserved",
      text(validateReserve(star, std::nullopt, agent)));

  Operation::Reserve hierarchical;
  *hierarchical.add_resources() =
      withReservations(resource("cpus", "8"), {dynamicReservation("a/b", "principal")});
  EXPECT_EQ(
      "Resource cpus(reservations: [(DYNAMIC,a/b,principal)]):8 with reservation for "
      "hierarchical role 'a/b' cannot be reserved on an agent without HIERARCHICAL_ROLE "
      "capability",
      text(validateReserve(hierarchical, std::nullopt, agent)));
}

// RES-3: a framework's RESERVE resources all share one allocation role, even
// when each is reserved to a role of the framework; operators have no such
// rule (their resources are unallocated).
TEST(ReserveOperationValidationTest, OneAllocationRoleForAllResources) {
  clauses("RES-3");
  AgentCapabilities agent;
  FrameworkInfo framework = multiRoleFramework({"a", "b"});
  Operation::Reserve reserve;
  *reserve.add_resources() =
      allocated(withReservations(resource("cpus", "1"), {dynamicReservation("a", "p")}), "a");
  *reserve.add_resources() =
      allocated(withReservations(resource("mem", "64"), {dynamicReservation("b", "p")}), "b");
  EXPECT_EQ(
      "Invalid reservation resources: The resources have multiple allocation roles ('b' and "
      "'a') but only one allocation role is allowed",
      text(validateReserve(reserve, "p", agent, &framework)));
  *reserve.mutable_resources(1) =
      allocated(withReservations(resource("mem", "64"), {dynamicReservation("a", "p")}), "a");
  EXPECT_FALSE(validateReserve(reserve, "p", agent, &framework));
}

TEST(ReserveOperationValidationTest, SourceMustMatchTarget) {
  Operation::Reserve reserve;
  *reserve.add_source() = resource("cpus", "2");
  *reserve.add_resources() =
      withReservations(resource("cpus", "3"), {dynamicReservation("eng", "ops")});
  AgentCapabilities agent;
  EXPECT_EQ(
      "Source and target resources should refer to identical resource quantities: cpus:2 vs. "
      "cpus:3",
      text(validateReserve(reserve, std::nullopt, agent)));
}

// SV-RESIZE-1 (GrowVolumeOperationValidationTest.Shared and friends).
TEST(GrowVolumeOperationValidationTest, Shared) {
  clauses("SV-RESIZE-1");
  AgentCapabilities agent;
  agent.resize_volume = true;
  Operation::GrowVolume grow;
  *grow.mutable_volume() = persistentVolume(128, "role1", "id1", "path1");
  *grow.mutable_addition() = resource("disk", "128", "role1");
  EXPECT_FALSE(validateGrowVolume(grow, agent));

  grow.mutable_volume()->mutable_shared();
  EXPECT_EQ("Growing a shared persistent volume is not supported",
            text(validateGrowVolume(grow, agent)));
}

TEST(GrowVolumeOperationValidationTest, OtherRules) {
  AgentCapabilities agent;
  agent.resize_volume = true;
  Operation::GrowVolume grow;
  *grow.mutable_volume() = persistentVolume(128, "role1", "id1", "path1");
  *grow.mutable_addition() = resource("disk", "128", "role1");

  auto zero = grow;
  zero.mutable_addition()->mutable_scalar()->set_value(0);
  EXPECT_EQ("The size of 'GrowVolume.addition' field must be greater than zero",
            text(validateGrowVolume(zero, agent)));

  auto path = grow;
  *path.mutable_volume() =
      persistentVolume(128, "role1", "id1", "path1", std::nullopt, pathSource("root"));
  EXPECT_EQ("Incompatible resources in the 'GrowVolume.volume' and 'GrowVolume.addition' fields",
            text(validateGrowVolume(path, agent)));

  auto not_volume = grow;
  not_volume.mutable_volume()->mutable_disk()->clear_persistence();
  EXPECT_NE(std::string::npos, text(validateGrowVolume(not_volume, agent)).find("Invalid"));

  EXPECT_EQ(
      "Volume disk(reservations: [(STATIC,role1)])[id1:path1]:128 cannot be grown on an agent "
      "without RESIZE_VOLUME capability",
      text(validateGrowVolume(grow, {})));
}

// SV-RESIZE-1.
TEST(ShrinkVolumeOperationValidationTest, Shared) {
  clauses("SV-RESIZE-1");
  AgentCapabilities agent;
  agent.resize_volume = true;
  Operation::ShrinkVolume shrink;
  *shrink.mutable_volume() = persistentVolume(128, "role1", "id1", "path1");
  shrink.mutable_subtract()->set_value(64);
  EXPECT_FALSE(validateShrinkVolume(shrink, agent));

  shrink.mutable_volume()->mutable_shared();
  EXPECT_EQ("Shrinking a shared persistent volume is not supported",
            text(validateShrinkVolume(shrink, agent)));
}

TEST(ShrinkVolumeOperationValidationTest, OtherRules) {
  AgentCapabilities agent;
  agent.resize_volume = true;
  Operation::ShrinkVolume shrink;
  *shrink.mutable_volume() = persistentVolume(128, "role1", "id1", "path1");
  shrink.mutable_subtract()->set_value(128);
  EXPECT_EQ(
      "Value of 'ShrinkVolume.subtract' must be smaller than the size of 'ShrinkVolume.volume'",
      text(validateShrinkVolume(shrink, agent)));
  shrink.mutable_subtract()->set_value(0);
  EXPECT_EQ("Value of 'ShrinkVolume.subtract' must be greater than zero",
            text(validateShrinkVolume(shrink, agent)));
  shrink.mutable_subtract()->set_value(64);
  *shrink.mutable_volume() =
      persistentVolume(128, "role1", "id1", "path1", std::nullopt, mountSource());
  EXPECT_EQ("Shrinking a volume on a MOUNT disk is not supported",
            text(validateShrinkVolume(shrink, agent)));
}

TEST(ResourceListValidationTest, Gpus) {
  google::protobuf::RepeatedPtrField<Resource> list;
  *list.Add() = resource("gpus", "1.5");
  EXPECT_EQ("Invalid 'gpus' resource: The 'gpus' resource must be an unsigned integer",
            text(validateResourceList(list)));
}

TEST(AgentCapabilitiesTest, FromNumbers) {
  auto capabilities = agentCapabilities({1, 2, 5, 99});
  EXPECT_TRUE(capabilities.multi_role);
  EXPECT_TRUE(capabilities.hierarchical_role);
  EXPECT_FALSE(capabilities.reservation_refinement);
  EXPECT_TRUE(capabilities.resize_volume);
  EXPECT_FALSE(capabilities.task_resource_limits);
}

}  // namespace
}  // namespace svh::master::validation
