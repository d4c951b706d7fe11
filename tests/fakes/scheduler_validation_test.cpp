// Scheduler-side validation: FrameworkInfo (SUBSCRIBE, UPDATE_FRAMEWORK),
// scheduler calls and ACCEPT offer ids, with Mesos's texts (PROTOCOL.md 1.2,
// 1.3; Mesos FrameworkInfoValidationTest).

#include <gtest/gtest.h>

#include "fakes/master/core/validation.hpp"
#include "harness/wire/uuid.hpp"

namespace svh::master::validation {
namespace {

using mesos::v1::scheduler::Call;
using Capability = mesos::v1::FrameworkInfo::Capability;

FrameworkInfo framework(std::initializer_list<const char*> roles, bool multi_role = true) {
  FrameworkInfo info;
  info.set_user("user");
  info.set_name("fw");
  for (const char* role : roles) info.add_roles(role);
  if (multi_role) info.add_capabilities()->set_type(Capability::MULTI_ROLE);
  return info;
}

std::string text(const Problem& problem) {
  return problem.value_or("");
}

TEST(FrameworkInfoValidationTest, ValidateRoles) {
  EXPECT_FALSE(validateFrameworkInfo(framework({"a", "b/c"})));

  FrameworkInfo both = framework({"a"});
  both.set_role("a");
  EXPECT_EQ("'FrameworkInfo.role' must not be set when the framework is MULTI_ROLE capable",
            text(validateFrameworkInfo(both)));

  FrameworkInfo roles_without_capability = framework({"a"}, /*multi_role=*/false);
  EXPECT_EQ("'FrameworkInfo.roles' must not be set when the framework is not MULTI_ROLE capable",
            text(validateFrameworkInfo(roles_without_capability)));

  EXPECT_EQ("'FrameworkInfo.roles' contains duplicate items: { a }",
            text(validateFrameworkInfo(framework({"a", "b", "a"}))));
  EXPECT_EQ(
      "'FrameworkInfo.roles' contains invalid role: Role '.' cannot include '.' as a component",
      text(validateFrameworkInfo(framework({"."}))));

  FrameworkInfo single = framework({}, /*multi_role=*/false);
  EXPECT_FALSE(validateFrameworkInfo(single));  // role defaults to "*"
  single.set_role("-x");
  EXPECT_EQ(
      "'FrameworkInfo.role' is not a valid role: Role component '-x' is invalid because it "
      "starts with a dash",
      text(validateFrameworkInfo(single)));
  EXPECT_EQ(std::set<std::string>{"-x"}, frameworkRoles(single));
  EXPECT_EQ((std::set<std::string>{"a", "b"}), frameworkRoles(framework({"b", "a"})));
}

TEST(FrameworkInfoValidationTest, IdOfferFiltersAndFailoverTimeout) {
  FrameworkInfo info = framework({"a"});
  info.mutable_id()->set_value("bad/id");
  EXPECT_EQ("'bad/id' contains invalid characters", text(validateFrameworkInfo(info)));
  info.mutable_id()->set_value("");
  EXPECT_FALSE(validateFrameworkInfo(info));

  FrameworkInfo filtered = framework({"a"});
  auto& filters = (*filtered.mutable_offer_filters())["a"];
  filters.mutable_min_allocatable_resources()->add_quantities();
  EXPECT_EQ("Resource quantities must contain at least one quantity",
            text(validateFrameworkInfo(filtered)));
  (*filters.mutable_min_allocatable_resources()
        ->mutable_quantities(0)
        ->mutable_quantities())["cpus"]
      .set_value(-1);
  EXPECT_EQ("Invalid resource quantity for 'cpus': Negative values not supported",
            text(validateFrameworkInfo(filtered)));

  FrameworkInfo timeout = framework({"a"});
  timeout.set_failover_timeout(1e300);
  EXPECT_EQ("The framework failover_timeout (1e+300) is invalid",
            text(validateFrameworkInfo(timeout)));
  timeout.set_failover_timeout(3600);
  EXPECT_FALSE(validateFrameworkInfo(timeout));
}

TEST(FrameworkInfoValidationTest, ValidateUpdate) {
  FrameworkInfo old_info = framework({"a"});
  old_info.set_principal("p");
  FrameworkInfo new_info = old_info;
  new_info.add_roles("b");
  EXPECT_FALSE(validateFrameworkUpdate(old_info, new_info));

  new_info.clear_principal();
  EXPECT_EQ("Changing framework's principal is not allowed.",
            text(validateFrameworkUpdate(old_info, new_info)));
  new_info = old_info;
  new_info.set_user("other");
  EXPECT_EQ(
      "Updating 'FrameworkInfo.user' is unsupported; attempted to update from 'user' to 'other'",
      text(validateFrameworkUpdate(old_info, new_info)));
  new_info = old_info;
  new_info.set_checkpoint(true);
  EXPECT_EQ(
      "Updating 'FrameworkInfo.checkpoint' is unsupported; attempted to update from 'false' to "
      "'true'",
      text(validateFrameworkUpdate(old_info, new_info)));

  EXPECT_EQ("Suppressed roles { c, d } are not contained in the set of roles",
            text(validateSuppressedRoles({"a", "b"}, {"a", "d", "c"})));
  EXPECT_FALSE(validateSuppressedRoles({"a", "b"}, {"a"}));
}

Call withType(Call::Type type) {
  Call call;
  call.set_type(type);
  call.mutable_framework_id()->set_value("fw-1");
  return call;
}

TEST(SchedulerCallValidationTest, SubscribeAndFrameworkId) {
  Call missing_type;
  EXPECT_EQ("Expecting 'type' to be present", text(validateSchedulerCall(missing_type)));

  Call subscribe;
  subscribe.set_type(Call::SUBSCRIBE);
  EXPECT_EQ("Expecting 'subscribe' to be present", text(validateSchedulerCall(subscribe)));

  *subscribe.mutable_subscribe()->mutable_framework_info() = framework({"a"});
  EXPECT_FALSE(validateSchedulerCall(subscribe));

  subscribe.mutable_framework_id()->set_value("fw-1");
  EXPECT_EQ("'framework_id' differs from 'subscribe.framework_info.id'",
            text(validateSchedulerCall(subscribe)));
  subscribe.mutable_subscribe()->mutable_framework_info()->mutable_id()->set_value("fw-1");
  EXPECT_FALSE(validateSchedulerCall(subscribe));

  subscribe.mutable_subscribe()->mutable_framework_info()->set_principal("alice");
  EXPECT_EQ("Authenticated principal 'bob' does not match principal 'alice' set in `FrameworkInfo`",
            text(validateSchedulerCall(subscribe, "bob")));
  EXPECT_FALSE(validateSchedulerCall(subscribe, "alice"));

  Call not_initialized;
  not_initialized.set_type(Call::SUBSCRIBE);
  not_initialized.mutable_subscribe()->mutable_framework_info()->set_user("u");
  EXPECT_EQ("Not initialized: subscribe.framework_info.name",
            text(validateSchedulerCall(not_initialized)));

  Call teardown;
  teardown.set_type(Call::TEARDOWN);
  EXPECT_EQ("Expecting 'framework_id' to be present", text(validateSchedulerCall(teardown)));
}

TEST(SchedulerCallValidationTest, SubMessages) {
  EXPECT_EQ("Expecting 'accept' to be present",
            text(validateSchedulerCall(withType(Call::ACCEPT))));
  EXPECT_EQ("Expecting 'decline' to be present",
            text(validateSchedulerCall(withType(Call::DECLINE))));
  EXPECT_EQ("Expecting 'kill' to be present", text(validateSchedulerCall(withType(Call::KILL))));
  EXPECT_EQ("Expecting 'reconcile' to be present",
            text(validateSchedulerCall(withType(Call::RECONCILE))));
  EXPECT_EQ("Expecting 'update_framework' to be present",
            text(validateSchedulerCall(withType(Call::UPDATE_FRAMEWORK))));
  EXPECT_FALSE(validateSchedulerCall(withType(Call::REVIVE)));
  EXPECT_FALSE(validateSchedulerCall(withType(Call::SUPPRESS)));
  EXPECT_FALSE(validateSchedulerCall(withType(Call::TEARDOWN)));

  Call accept = withType(Call::ACCEPT);
  accept.mutable_accept();
  EXPECT_FALSE(validateSchedulerCall(accept));

  Call update = withType(Call::UPDATE_FRAMEWORK);
  *update.mutable_update_framework()->mutable_framework_info() = framework({"a"});
  EXPECT_EQ("'framework_id' differs from 'update_framework.framework_info.id'",
            text(validateSchedulerCall(update)));
  update.mutable_update_framework()->mutable_framework_info()->mutable_id()->set_value("fw-1");
  EXPECT_FALSE(validateSchedulerCall(update));
}

TEST(SchedulerCallValidationTest, AcknowledgeUuid) {
  Call ack = withType(Call::ACKNOWLEDGE);
  EXPECT_EQ("Expecting 'acknowledge' to be present", text(validateSchedulerCall(ack)));
  auto* acknowledge = ack.mutable_acknowledge();
  acknowledge->mutable_agent_id()->set_value("a");
  acknowledge->mutable_task_id()->set_value("t");
  acknowledge->set_uuid("short");
  EXPECT_EQ("Not a valid UUID", text(validateSchedulerCall(ack)));

  std::string uuid = wire::randomUuidBytes();
  acknowledge->set_uuid(uuid);
  EXPECT_FALSE(validateSchedulerCall(ack));

  uuid[6] = static_cast<char>(0x00);  // version 0
  acknowledge->set_uuid(uuid);
  EXPECT_EQ("Not a valid UUID", text(validateSchedulerCall(ack)));
  uuid[6] = static_cast<char>(0x5f);  // version 5, any variant
  uuid[8] = static_cast<char>(0x00);
  acknowledge->set_uuid(uuid);
  EXPECT_FALSE(validateSchedulerCall(ack));

  Call op_ack = withType(Call::ACKNOWLEDGE_OPERATION_STATUS);
  op_ack.mutable_acknowledge_operation_status()->set_uuid(wire::randomUuidBytes());
  op_ack.mutable_acknowledge_operation_status()->mutable_operation_id()->set_value("op");
  EXPECT_EQ("Expecting 'agent_id' to be present", text(validateSchedulerCall(op_ack)));
}

TEST(OfferValidationTest, AcceptedOffers) {
  std::map<std::string, OfferFacts> offers = {
      {"o1", {"fw-1", "a1", "r1"}}, {"o2", {"fw-1", "a1", "r1"}}, {"o3", {"fw-2", "a1", "r1"}},
      {"o4", {"fw-1", "a1", "r2"}}, {"o5", {"fw-1", "a2", "r1"}},
  };
  auto lookup = [&](const std::string& id) -> std::optional<OfferFacts> {
    auto found = offers.find(id);
    if (found == offers.end()) return std::nullopt;
    return found->second;
  };
  auto ids = [](std::initializer_list<const char*> values) {
    google::protobuf::RepeatedPtrField<mesos::v1::OfferID> list;
    for (const char* value : values) list.Add()->set_value(value);
    return list;
  };
  EXPECT_FALSE(validateOffers(ids({"o1", "o2"}), "fw-1", lookup));
  EXPECT_EQ("Duplicate offer o1 in offer list",
            text(validateOffers(ids({"o1", "o1"}), "fw-1", lookup)));
  EXPECT_EQ("Offer o9 is no longer valid", text(validateOffers(ids({"o1", "o9"}), "fw-1", lookup)));
  EXPECT_EQ("Offer o3 has invalid framework fw-2 while framework fw-1 is expected",
            text(validateOffers(ids({"o1", "o3"}), "fw-1", lookup)));
  EXPECT_EQ(
      "Aggregated offers must be allocated to the same role. Offer o4 uses role 'r2 but another "
      "is using role 'r1",
      text(validateOffers(ids({"o1", "o4"}), "fw-1", lookup)));
  EXPECT_EQ(
      "Aggregated offers must belong to one single agent. Offer o5 uses agent a2 and agent a1",
      text(validateOffers(ids({"o1", "o5"}), "fw-1", lookup)));
}

}  // namespace
}  // namespace svh::master::validation
