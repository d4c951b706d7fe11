// The master-side validation this issue added to the core: operator calls
// (Mesos validation::master::call::validate), the mesos-1.1 profile's rules
// (SPEC.md section 5) and the profiles themselves.

#include <gtest/gtest.h>

#include "fakes/master/core/validation.hpp"
#include "fakes/master/core/profile.hpp"
#include "tests/fakes/test_resources.hpp"

namespace svh::master {
namespace {

using fakes::testing::allocated;
using fakes::testing::clauses;
using fakes::testing::persistentVolume;
using fakes::testing::resources;
using MasterCall = mesos::v1::master::Call;
using Operation = mesos::v1::Offer::Operation;

TEST(OperatorCallValidation, SubMessagesAndAgentIds) {
  auto none = [](int) { return false; };
  MasterCall call;
  EXPECT_EQ("Expecting 'type' to be present", validation::validateOperatorCall(call, none));
  call.set_type(MasterCall::GET_STATE);
  EXPECT_EQ(std::nullopt, validation::validateOperatorCall(call, none));
  for (auto [type, field] : std::vector<std::pair<MasterCall::Type, std::string>>{
           {MasterCall::CREATE_VOLUMES, "create_volumes"},
           {MasterCall::DESTROY_VOLUMES, "destroy_volumes"},
           {MasterCall::RESERVE_RESOURCES, "reserve_resources"},
           {MasterCall::UNRESERVE_RESOURCES, "unreserve_resources"},
           {MasterCall::GROW_VOLUME, "grow_volume"},
           {MasterCall::SHRINK_VOLUME, "shrink_volume"},
           {MasterCall::TEARDOWN, "teardown"},
           {MasterCall::UPDATE_QUOTA, "update_quota"},
           {MasterCall::SET_QUOTA, "set_quota"},
           {MasterCall::REMOVE_QUOTA, "remove_quota"}}) {
    call.set_type(type);
    EXPECT_EQ("Expecting '" + field + "' to be present",
              validation::validateOperatorCall(call, none));
  }
  call.set_type(MasterCall::UPDATE_QUOTA);
  EXPECT_EQ(std::nullopt, validation::validateOperatorCall(call, [](int n) { return n == 20; }));

  call.set_type(MasterCall::GROW_VOLUME);
  auto* grow = call.mutable_grow_volume();
  *grow->mutable_volume() = persistentVolume(64, "eng", "v1", "data");
  *grow->mutable_addition() = fakes::testing::resource("disk", "64", "eng");
  EXPECT_EQ(
      "Expecting 'agent_id' to be present; only agent default resources are supported right now",
      validation::validateOperatorCall(call, none));
  grow->mutable_agent_id()->set_value("S0");
  EXPECT_EQ(std::nullopt, validation::validateOperatorCall(call, none));

  call.set_type(MasterCall::RESERVE_RESOURCES);
  call.mutable_reserve_resources()->mutable_agent_id()->set_value("S0");
  auto* bad = call.mutable_reserve_resources()->add_resources();
  bad->set_name("cpus");
  bad->set_type(mesos::v1::Value::SCALAR);
  bad->mutable_scalar()->set_value(-1);
  EXPECT_TRUE(validation::validateOperatorCall(call, none)->rfind("Resource '", 0) == 0);
}

TEST(Mesos11Profile, DestroyOfAVolumeAPendingTaskLists) {
  clauses("SV-DESTROY-4");
  auto volume = allocated(persistentVolume(64, "eng", "v1", "data", {}, {}, {}, true), "eng");
  Operation::Destroy destroy;
  *destroy.add_volumes() = volume;
  EXPECT_EQ(std::nullopt, validation::validateDestroyPendingTasks(destroy, {}));
  EXPECT_EQ(std::nullopt, validation::validateDestroyPendingTasks(destroy, {resources("cpus:1")}));
  EXPECT_EQ("Persistent volume in pending tasks",
            validation::validateDestroyPendingTasks(destroy, {resources("cpus:1") + volume}));
}

TEST(Mesos11Profile, AnyFrameworkMayCreateASharedVolume) {
  clauses("SV-CAP-2");
  auto volume = allocated(persistentVolume(64, "eng", "v1", "data", "p", {}, {}, true), "eng");
  Operation::Create create;
  *create.add_volumes() = volume;
  mesos::v1::FrameworkInfo framework;
  framework.set_user("u");
  framework.set_name("f");
  framework.mutable_id()->set_value("F1");
  framework.add_roles("eng");
  framework.add_capabilities()->set_type(mesos::v1::FrameworkInfo::Capability::MULTI_ROLE);
  validation::AgentCapabilities agent;
  agent.multi_role = agent.hierarchical_role = agent.reservation_refinement = true;
  auto head = validation::validateCreate(create, {}, std::nullopt, agent, &framework);
  ASSERT_TRUE(head);
  EXPECT_NE(std::string::npos, head->find("with no SHARED_RESOURCES capability"));
  EXPECT_EQ(std::nullopt,
            validation::validateCreate(create, {}, std::nullopt, agent, &framework, false));
}

TEST(Profiles, NamedRules) {
  auto head = Profile::named("mesos-1.12");
  auto old = Profile::named("mesos-1.1");
  ASSERT_TRUE(head && old);
  EXPECT_FALSE(Profile::named("mesos-2.0"));
  EXPECT_TRUE(head->create_shared_needs_capability);
  EXPECT_FALSE(old->create_shared_needs_capability);
  EXPECT_FALSE(head->destroy_checks_pending_tasks);
  EXPECT_TRUE(old->destroy_checks_pending_tasks);
  EXPECT_FALSE(head->shared_once_per_cycle);
  EXPECT_TRUE(old->shared_once_per_cycle);
  EXPECT_TRUE(head->hierarchical_roles);
  EXPECT_FALSE(old->hierarchical_roles);
  EXPECT_TRUE(head->operator_sees_shared_as_available);
  EXPECT_FALSE(old->operator_sees_shared_as_available);
  EXPECT_TRUE(head->operation_feedback);
  EXPECT_FALSE(old->operation_feedback);
  EXPECT_TRUE(head->resize_volumes);
  EXPECT_FALSE(old->resize_volumes);
}

}  // namespace
}  // namespace svh::master
