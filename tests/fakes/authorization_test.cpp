// Authorization by --acls (PV-DESTROY-4, the 403 of SV-HTTP-1): parsing
// Mesos's ACLs JSON, the local authorizer's match/allow rules, the
// action-object pairs an operation yields and Mesos's texts for them. The
// rule sets are those of Mesos's PersistentVolumeTest.*ACL* and
// PersistentVolumeEndpointsTest.*ACL* tests; the running master is checked
// with them in tests/master/authorization_test.cpp.

#include "fakes/master/core/authorization.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "test_resources.hpp"

namespace svh::master::authorization {
namespace {

using namespace svh::fakes::testing;
using fakes::Resource;
using Operation = mesos::v1::Offer::Operation;

Acls parsed(const std::string& json) {
  auto acls = parseAcls(json);
  EXPECT_TRUE(acls.ok()) << (acls.ok() ? "" : acls.error());
  return acls.ok() ? *acls : Acls{};
}

std::string errorOf(const Result<Acls>& acls) {
  return acls.ok() ? "(parsed)" : acls.error();
}

Operation create(std::initializer_list<Resource> volumes) {
  Operation operation;
  operation.set_type(Operation::CREATE);
  for (const auto& v : volumes) *operation.mutable_create()->add_volumes() = v;
  return operation;
}

Operation destroy(std::initializer_list<Resource> volumes) {
  Operation operation;
  operation.set_type(Operation::DESTROY);
  for (const auto& v : volumes) *operation.mutable_destroy()->add_volumes() = v;
  return operation;
}

// Whether `principal` may do all of `operation`.
bool may(const Authorizer& authorizer, const std::optional<std::string>& principal,
         const Operation& operation) {
  return !authorizer.firstRefused(principal, actionObjects(operation));
}

// A volume on role1 created by `creator` (Mesos's createPersistentVolume).
Resource volumeBy(const std::optional<std::string>& creator) {
  return persistentVolume(64, "role1", "id1", "path1", std::nullopt, std::nullopt, creator);
}

TEST(AclsTest, ParsesMesosJson) {
  clauses("PV-DESTROY-4");
  auto acls = parsed(R"({
    "create_volumes": [{"principals": {"values": ["p1", "p2"]}, "roles": {"type": "ANY"}}],
    "destroy_volumes": [{"principals": {"type": "ANY"},
                         "creator_principals": {"type": "NONE"}}],
    "reserve_resources": [{"principals": {"values": "p1"}, "roles": {"values": ["a/%"]}}],
    "unreserve_resources": [{"principals": {"values": ["p1"]},
                             "reserver_principals": {"values": ["p1"]}}],
    "resize_volumes": [{"principals": {"type": "ANY"}, "roles": {"type": "ANY"}}]})");
  EXPECT_TRUE(acls.permissive);  // Mesos's default
  ASSERT_EQ(1u, acls.create_volumes.size());
  EXPECT_EQ(Entity::Type::kSome, acls.create_volumes[0].subjects.type);
  EXPECT_EQ((std::vector<std::string>{"p1", "p2"}), acls.create_volumes[0].subjects.values);
  EXPECT_EQ(Entity::Type::kAny, acls.create_volumes[0].objects.type);
  ASSERT_EQ(1u, acls.destroy_volumes.size());
  EXPECT_EQ(Entity::Type::kNone, acls.destroy_volumes[0].objects.type);
  // A lone string is one value, as Mesos's JSON reader takes it.
  ASSERT_EQ(1u, acls.reserve_resources.size());
  EXPECT_EQ(std::vector<std::string>{"p1"}, acls.reserve_resources[0].subjects.values);
  EXPECT_EQ(1u, acls.unreserve_resources.size());
  EXPECT_EQ(1u, acls.resize_volumes.size());
  EXPECT_FALSE(parsed(R"({"permissive": false})").permissive);
}

TEST(AclsTest, MalformedAclsAreOneLineErrors) {
  EXPECT_EQ("not valid JSON", errorOf(parseAcls("{\"create_volumes\": [")));
  EXPECT_EQ("expecting a JSON object of ACLs", errorOf(parseAcls("[]")));
  EXPECT_EQ("'permissive' must be true or false", errorOf(parseAcls(R"({"permissive": "no"})")));
  EXPECT_EQ("unknown key 'create_volume'", errorOf(parseAcls(R"({"create_volume": []})")));
  EXPECT_EQ(
      "'run_tasks' ACLs are not enforced by svh-master (it enforces reserve_resources, "
      "unreserve_resources, create_volumes, destroy_volumes, resize_volumes)",
      errorOf(parseAcls(R"({"run_tasks": []})")));
  EXPECT_EQ("'create_volumes' must be a list of rules",
            errorOf(parseAcls(R"({"create_volumes": {}})")));
  EXPECT_EQ("create_volumes[0] needs 'roles'",
            errorOf(parseAcls(R"({"create_volumes": [{"principals": {"type": "ANY"}}]})")));
  EXPECT_EQ("destroy_volumes[0] has an unknown key 'roles'",
            errorOf(parseAcls(R"({"destroy_volumes": [{"principals": {"type": "ANY"},
                                   "creator_principals": {"type": "ANY"},
                                   "roles": {"type": "ANY"}}]})")));
  EXPECT_EQ("create_volumes[0].roles.type 'ALL' is not SOME, ANY or NONE",
            errorOf(parseAcls(R"({"create_volumes": [{"principals": {"type": "ANY"},
                                   "roles": {"type": "ALL"}}]})")));
  EXPECT_EQ("create_volumes[0].principals.values must be a list of strings",
            errorOf(parseAcls(R"({"create_volumes": [{"principals": {"values": [1]},
                                   "roles": {"type": "ANY"}}]})")));
  for (const auto& line : {errorOf(parseAcls("{")), errorOf(readAcls("/no/such/acls.json"))}) {
    EXPECT_EQ(std::string::npos, line.find('\n')) << line;
  }
}

TEST(AclsTest, FlagIsJsonOrAFile) {
  auto text = readAcls(R"({"permissive": false})");
  ASSERT_TRUE(text.ok()) << text.error();
  EXPECT_FALSE(text->permissive);
  EXPECT_EQ("cannot read ACLs file '/no/such/acls.json'", errorOf(readAcls("/no/such/acls.json")));
  EXPECT_EQ("cannot read ACLs file '/no/such/acls.json'",
            errorOf(readAcls("file:///no/such/acls.json")));
  auto path = std::filesystem::temp_directory_path() /
              ("svh-acls-test-" + std::to_string(::getpid()) + ".json");
  std::ofstream(path) << R"({"permissive": false})";
  auto plain = readAcls(path.string());
  auto uri = readAcls("file://" + path.string());
  std::ofstream(path) << R"({"permissive": 1})";
  auto bad = readAcls(path.string());
  std::filesystem::remove(path);
  ASSERT_TRUE(plain.ok()) << plain.error();
  EXPECT_FALSE(plain->permissive);
  ASSERT_TRUE(uri.ok()) << uri.error();
  EXPECT_FALSE(uri->permissive);
  EXPECT_EQ("ACLs file '" + path.string() + "': 'permissive' must be true or false", errorOf(bad));
}

// PersistentVolumeTest.GoodACLCreateThenDestroy: the principal may create
// for any role and destroy its own volumes.
TEST(AuthorizerTest, GoodAclCreateThenDestroy) {
  clauses("PV-DESTROY-4");
  Authorizer authorizer(parsed(R"({
    "create_volumes": [{"principals": {"values": ["test-principal"]}, "roles": {"type": "ANY"}}],
    "destroy_volumes": [{"principals": {"values": ["test-principal"]},
                         "creator_principals": {"values": ["test-principal"]}}]})"));
  auto volume = volumeBy("test-principal");
  EXPECT_TRUE(may(authorizer, "test-principal", create({volume})));
  EXPECT_TRUE(may(authorizer, "test-principal", destroy({volume})));
  // Nothing matches another principal: permissive decides.
  EXPECT_TRUE(may(authorizer, "someone", destroy({volume})));
  // Another creator: the destroy rule does not match, permissive again.
  EXPECT_TRUE(may(authorizer, "test-principal", destroy({volumeBy("someone")})));
}

// PersistentVolumeTest.GoodACLNoPrincipal: ANY rules cover a framework
// without a principal.
TEST(AuthorizerTest, GoodAclNoPrincipal) {
  clauses("PV-DESTROY-4");
  Authorizer authorizer(parsed(R"({"permissive": false,
    "create_volumes": [{"principals": {"type": "ANY"}, "roles": {"type": "ANY"}}],
    "destroy_volumes": [{"principals": {"type": "ANY"}, "creator_principals": {"type": "ANY"}}]})"));
  auto volume = volumeBy(std::nullopt);
  EXPECT_TRUE(may(authorizer, std::nullopt, create({volume})));
  EXPECT_TRUE(may(authorizer, std::nullopt, destroy({volume})));
}

// PersistentVolumeTest.BadACLNoPrincipal: a framework without a principal
// is ANY, which a rule naming a principal never matches; the ANY/NONE rule
// after it refuses.
TEST(AuthorizerTest, BadAclNoPrincipal) {
  clauses("PV-DESTROY-4");
  Authorizer authorizer(parsed(R"({
    "create_volumes": [{"principals": {"values": ["test-principal"]}, "roles": {"type": "ANY"}},
                       {"principals": {"type": "ANY"}, "roles": {"type": "NONE"}}],
    "destroy_volumes": [{"principals": {"type": "ANY"},
                         "creator_principals": {"type": "NONE"}}]})"));
  EXPECT_FALSE(may(authorizer, std::nullopt, create({volumeBy(std::nullopt)})));
  EXPECT_TRUE(may(authorizer, "test-principal", create({volumeBy("test-principal")})));
  EXPECT_FALSE(may(authorizer, std::nullopt, destroy({volumeBy("test-principal")})));
}

// PersistentVolumeTest.BadACLDropCreateAndDestroy: only creator-principal
// may create; nobody may destroy.
TEST(AuthorizerTest, BadAclDropCreateAndDestroy) {
  clauses("PV-DESTROY-4");
  Authorizer authorizer(parsed(R"({
    "create_volumes": [{"principals": {"values": ["creator-principal"]}, "roles": {"type": "ANY"}},
                       {"principals": {"type": "ANY"}, "roles": {"type": "NONE"}}],
    "destroy_volumes": [{"principals": {"type": "ANY"},
                         "creator_principals": {"type": "NONE"}}]})"));
  EXPECT_FALSE(may(authorizer, "test-principal", create({volumeBy("test-principal")})));
  EXPECT_TRUE(may(authorizer, "creator-principal", create({volumeBy("creator-principal")})));
  EXPECT_FALSE(may(authorizer, "test-principal", destroy({volumeBy("creator-principal")})));
  EXPECT_FALSE(may(authorizer, "creator-principal", destroy({volumeBy("creator-principal")})));
}

// PersistentVolumeEndpointsTest.BadCreateAndDestroyACL: rules per operator
// principal; the first matching rule decides.
TEST(AuthorizerTest, BadCreateAndDestroyAclOfOperators) {
  clauses("PV-DESTROY-4 SV-HTTP-1");
  Authorizer authorizer(parsed(R"({
    "create_volumes": [{"principals": {"values": ["p2"]}, "roles": {"type": "NONE"}},
                       {"principals": {"values": ["p1"]}, "roles": {"type": "ANY"}}],
    "destroy_volumes": [{"principals": {"values": ["p2"]},
                         "creator_principals": {"type": "NONE"}}]})"));
  EXPECT_FALSE(may(authorizer, "p2", create({volumeBy("p2")})));
  EXPECT_TRUE(may(authorizer, "p1", create({volumeBy("p1")})));
  EXPECT_FALSE(may(authorizer, "p2", destroy({volumeBy("p1")})));
  EXPECT_TRUE(may(authorizer, "p1", destroy({volumeBy("p1")})));  // no rule: permissive
}

TEST(AuthorizerTest, NotPermissiveRefusesWhatNoRuleCovers) {
  clauses("PV-DESTROY-4");
  Authorizer authorizer(parsed(R"({"permissive": false,
    "create_volumes": [{"principals": {"values": ["ops"]}, "roles": {"values": ["role1"]}}]})"));
  EXPECT_TRUE(may(authorizer, "ops", create({volumeBy("ops")})));
  EXPECT_FALSE(may(authorizer, "ops", destroy({volumeBy("ops")})));
  EXPECT_FALSE(may(authorizer, std::nullopt, create({volumeBy("ops")})));
  auto other_role =
      persistentVolume(64, "role2", "id2", "path1", std::nullopt, std::nullopt, "ops");
  EXPECT_FALSE(may(authorizer, "ops", create({other_role})));
  // Every role of the CREATE must be allowed.
  EXPECT_FALSE(may(authorizer, "ops", create({volumeBy("ops"), other_role})));
}

// Role rules ending in "/%" cover the strict sub-roles of their role.
TEST(AuthorizerTest, RecursiveRoleRules) {
  Authorizer authorizer(parsed(R"({"permissive": false,
    "create_volumes": [{"principals": {"values": ["ops"]}, "roles": {"values": ["eng/%", "qa"]}}]})"));
  auto on = [](const std::string& role) {
    return persistentVolume(64, role, "id1", "path1", std::nullopt, std::nullopt, "ops");
  };
  EXPECT_TRUE(may(authorizer, "ops", create({on("eng/a")})));
  EXPECT_TRUE(may(authorizer, "ops", create({on("eng/a/b")})));
  EXPECT_TRUE(may(authorizer, "ops", create({on("qa")})));
  EXPECT_FALSE(may(authorizer, "ops", create({on("eng")})));
  EXPECT_FALSE(may(authorizer, "ops", create({on("engineering")})));
}

// RESERVE is checked against the reservation role, UNRESERVE against the
// principal that reserved.
TEST(AuthorizerTest, ReserveByRoleUnreserveByReserver) {
  Authorizer authorizer(parsed(R"({"permissive": false,
    "reserve_resources": [{"principals": {"values": ["ops"]}, "roles": {"values": ["eng"]}}],
    "unreserve_resources": [{"principals": {"values": ["ops"]},
                             "reserver_principals": {"values": ["ops"]}}]})"));
  auto reserved = [](const std::string& role, const std::string& principal) {
    return withReservations(resource("disk", "64"), {dynamicReservation(role, principal)});
  };
  Operation reserve;
  reserve.set_type(Operation::RESERVE);
  *reserve.mutable_reserve()->add_resources() = reserved("eng", "ops");
  EXPECT_TRUE(may(authorizer, "ops", reserve));
  EXPECT_FALSE(may(authorizer, "dev", reserve));
  *reserve.mutable_reserve()->mutable_resources(0) = reserved("qa", "ops");
  EXPECT_FALSE(may(authorizer, "ops", reserve));

  Operation unreserve;
  unreserve.set_type(Operation::UNRESERVE);
  *unreserve.mutable_unreserve()->add_resources() = reserved("qa", "ops");
  EXPECT_TRUE(may(authorizer, "ops", unreserve));
  *unreserve.mutable_unreserve()->mutable_resources(0) = reserved("eng", "dev");
  EXPECT_FALSE(may(authorizer, "ops", unreserve));
}

TEST(ActionObjectTest, PairsOfEachOperation) {
  clauses("PV-DESTROY-4");
  // CREATE: one pair per role; no volumes: ANY object.
  auto v1 = volumeBy("ops");
  auto v2 = persistentVolume(64, "role1", "id2", "path1", std::nullopt, std::nullopt, "ops");
  auto objects = actionObjects(create({v1, v2}));
  ASSERT_EQ(1u, objects.size());
  EXPECT_EQ(Action::kCreateVolume, objects[0].action);
  EXPECT_EQ("role1", objects[0].value);
  objects = actionObjects(create({}));
  ASSERT_EQ(1u, objects.size());
  EXPECT_FALSE(objects[0].resource);

  // DESTROY: one pair per volume, valued with its creator; a resource that
  // is no volume yields none, so an all-invalid list is "ANY object".
  objects = actionObjects(destroy({v1, volumeBy(std::nullopt)}));
  ASSERT_EQ(2u, objects.size());
  EXPECT_EQ("ops", objects[0].value);
  EXPECT_EQ("", objects[1].value);
  objects = actionObjects(destroy({resource("disk", "64", "role1")}));
  ASSERT_EQ(1u, objects.size());
  EXPECT_EQ("perform action DESTROY_VOLUME on ANY object", objects[0].describe());

  // UNRESERVE: reservations without a principal share one ANY pair.
  Operation unreserve;
  unreserve.set_type(Operation::UNRESERVE);
  *unreserve.mutable_unreserve()->add_resources() =
      withReservations(resource("cpus", "1"), {dynamicReservation("eng")});
  *unreserve.mutable_unreserve()->add_resources() =
      withReservations(resource("mem", "64"), {dynamicReservation("eng")});
  objects = actionObjects(unreserve);
  ASSERT_EQ(1u, objects.size());
  EXPECT_EQ("perform action UNRESERVE_RESOURCES on ANY object", objects[0].describe());

  // RESERVE with a source: pop to the common ancestor, then push.
  Operation reserve;
  reserve.set_type(Operation::RESERVE);
  *reserve.mutable_reserve()->add_source() =
      withReservations(resource("disk", "64"), {dynamicReservation("eng", "a")});
  *reserve.mutable_reserve()->add_resources() =
      withReservations(resource("disk", "64"), {dynamicReservation("qa", "b")});
  objects = actionObjects(reserve);
  ASSERT_EQ(2u, objects.size());
  EXPECT_EQ(Action::kUnreserveResources, objects[0].action);
  EXPECT_EQ("a", objects[0].value);
  EXPECT_EQ(Action::kReserveResources, objects[1].action);
  EXPECT_EQ("qa", objects[1].value);

  // GROW / SHRINK: the volume's role.
  Operation shrink;
  shrink.set_type(Operation::SHRINK_VOLUME);
  *shrink.mutable_shrink_volume()->mutable_volume() = v1;
  objects = actionObjects(shrink);
  ASSERT_EQ(1u, objects.size());
  EXPECT_EQ(Action::kResizeVolume, objects[0].action);
  EXPECT_EQ("role1", objects[0].value);
}

// The drop text of Master::_accept, Mesos's typo ("no authorized")
// included (SPEC.md PV-DESTROY-4 quotes it).
TEST(ActionObjectTest, RefusalMessageIsMesos) {
  clauses("PV-DESTROY-4");
  auto volume = allocated(volumeBy("ops"), "role1");
  auto objects = actionObjects(destroy({volume}));
  ASSERT_EQ(1u, objects.size());
  EXPECT_EQ(
      "Principal 'fw' no authorized to perform action DESTROY_VOLUME on object "
      "{\"value\":\"ops\",\"resource\":{\"name\":\"disk\",\"type\":\"SCALAR\",\"scalar\":"
      "{\"value\":64.0},\"allocation_info\":{\"role\":\"role1\"},\"reservations\":[{\"type\":"
      "\"STATIC\",\"role\":\"role1\"}],\"disk\":{\"persistence\":{\"id\":\"id1\",\"principal\":"
      "\"ops\"},\"volume\":{\"mode\":\"RW\",\"container_path\":\"path1\"}}}}",
      refusalMessage("fw", objects[0]));
  EXPECT_EQ("Principal '' no authorized to perform action CREATE_VOLUME on ANY object",
            refusalMessage("", actionObjects(create({}))[0]));
}

}  // namespace
}  // namespace svh::master::authorization
