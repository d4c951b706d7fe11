// The ACCEPT planner (core/accept_plan.hpp), clause by clause: what a LAUNCH
// of shared volumes may use (SV-LAUNCH-1/2/7/8, SV-CREATE-3), when a DESTROY
// goes through and whose offers it rescinds (SV-DESTROY-1/3/4/5/6), the
// capability check of CREATE (SV-CAP-2), and the implicit decline
// (SV-OFFER-6). Then each seeded fault planted in the planner changes the
// plan it corrupts, so a fault is never a no-op.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fakes/master/core/accept_plan.hpp"
#include "test_resources.hpp"

namespace svh::master {
namespace {

using namespace svh::fakes::testing;
using fakes::Fault;
using fakes::Resource;
using mesos::v1::TaskInfo;
using Operation = mesos::v1::Offer::Operation;
using Accept = mesos::v1::scheduler::Call::Accept;
using Capability = mesos::v1::FrameworkInfo::Capability;

const char* kAgent = "agent-1";

Resource sharedVolume(const std::string& id) {
  return persistentVolume(64, "eng", id, "data", std::nullopt, std::nullopt, std::nullopt, true);
}
Resource plainVolume(const std::string& id) {
  return persistentVolume(64, "eng", id, "data");
}

class AcceptPlan : public ::testing::Test {
 protected:
  AcceptPlan() {
    facts.framework.mutable_id()->set_value("fw-1");
    facts.framework.set_name("fw");
    facts.framework.set_user("root");
    facts.framework.add_roles("eng");
    for (auto type : {Capability::MULTI_ROLE, Capability::SHARED_RESOURCES,
                      Capability::RESERVATION_REFINEMENT}) {
      facts.framework.add_capabilities()->set_type(type);
    }
    facts.role = "eng";
    facts.agent_id = kAgent;
    facts.agent_capabilities.multi_role = true;
    facts.agent_capabilities.hierarchical_role = true;
    facts.agent_capabilities.reservation_refinement = true;
    facts.on_agent = "; on agent agent-1";
    facts.agent_description = "agent-1";
    facts.profile = Profile::mesos112();
  }

  // The agent holds `volumes` (checkpointed) next to cpus and mem; the
  // accepted offers hold cpus:2;mem:256 and `offered` (allocated to eng).
  void agentWith(std::initializer_list<Resource> volumes,
                 std::initializer_list<Resource> offered) {
    facts.agent_total = resources("cpus:4;mem:1024");
    for (const auto& v : volumes) {
      facts.agent_total += v;
      facts.checkpointed += v;
    }
    facts.offered = resources("cpus:2;mem:256").allocate("eng");
    for (const auto& r : offered) facts.offered += allocated(r, "eng");
  }

  // A task of another framework (or this one) using `resources` on the agent.
  void usedBy(const std::string& framework_id, std::initializer_list<Resource> resources,
              mesos::v1::TaskState state = mesos::v1::TASK_RUNNING) {
    fakes::Resources held;
    for (const auto& r : resources) held += allocated(r, "eng");
    facts.uses.push_back({framework_id, state, held});
  }

  static TaskInfo task(const std::string& id, std::initializer_list<Resource> extra) {
    TaskInfo task;
    task.set_name(id);
    task.mutable_task_id()->set_value(id);
    task.mutable_agent_id()->set_value(kAgent);
    *task.add_resources() = resource("cpus", "0.1");
    *task.add_resources() = resource("mem", "32");
    for (const auto& r : extra) *task.add_resources() = r;
    task.mutable_command()->set_value("true");
    return task;
  }

  static Operation launch(std::initializer_list<TaskInfo> tasks) {
    Operation op;
    op.set_type(Operation::LAUNCH);
    for (const auto& t : tasks) *op.mutable_launch()->add_task_infos() = t;
    return op;
  }
  static Operation launchGroup(std::initializer_list<TaskInfo> tasks) {
    Operation op;
    op.set_type(Operation::LAUNCH_GROUP);
    auto* executor = op.mutable_launch_group()->mutable_executor();
    executor->set_type(mesos::v1::ExecutorInfo::DEFAULT);
    executor->mutable_executor_id()->set_value("group-executor");
    executor->mutable_framework_id()->set_value("fw-1");
    *executor->add_resources() = resource("cpus", "0.1");
    *executor->add_resources() = resource("mem", "32");
    *executor->add_resources() = resource("disk", "1");
    for (auto t : tasks) {
      t.clear_command();
      t.mutable_command()->set_value("true");
      *op.mutable_launch_group()->mutable_task_group()->add_tasks() = t;
    }
    return op;
  }
  static Operation create(std::initializer_list<Resource> volumes) {
    Operation op;
    op.set_type(Operation::CREATE);
    for (const auto& v : volumes) *op.mutable_create()->add_volumes() = v;
    return op;
  }
  static Operation destroy(std::initializer_list<Resource> volumes) {
    Operation op;
    op.set_type(Operation::DESTROY);
    for (const auto& v : volumes) *op.mutable_destroy()->add_volumes() = v;
    return op;
  }

  std::vector<Effect> plan(std::initializer_list<Operation> operations,
                           std::optional<double> refuse_seconds = std::nullopt) {
    Accept accept;
    for (const auto& op : operations) *accept.add_operations() = op;
    if (refuse_seconds) accept.mutable_filters()->set_refuse_seconds(*refuse_seconds);
    return planAccept(facts, accept);
  }

  template <typename E>
  static std::vector<E> all(const std::vector<Effect>& effects) {
    std::vector<E> out;
    for (const auto& e : effects) {
      if (const auto* x = std::get_if<E>(&e)) out.push_back(*x);
    }
    return out;
  }
  static std::vector<std::string> launched(const std::vector<Effect>& effects) {
    std::vector<std::string> ids;
    for (const auto& l : all<effect::Launch>(effects)) ids.push_back(l.task.task_id().value());
    for (const auto& g : all<effect::LaunchGroup>(effects)) {
      for (const auto& t : g.group.tasks()) ids.push_back(t.task_id().value());
    }
    return ids;
  }
  static std::vector<std::string> dropped(const std::vector<Effect>& effects) {
    std::vector<std::string> messages;
    for (const auto& d : all<effect::Drop>(effects)) messages.push_back(d.message);
    return messages;
  }
  static bool applies(const std::vector<Effect>& effects, Operation::Type type) {
    for (const auto& a : all<effect::Apply>(effects)) {
      if (a.operation.type() == type) return true;
    }
    return false;
  }

  AcceptFacts facts;
};

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

TEST_F(AcceptPlan, SeveralTasksUseTheOneOfferedCopy) {
  clauses("SV-LAUNCH-1 SV-LAUNCH-2");
  agentWith({sharedVolume("v1")}, {sharedVolume("v1")});
  auto effects = plan({launch({task("t1", {sharedVolume("v1")}), task("t2", {sharedVolume("v1")}),
                               task("t3", {sharedVolume("v1")})})});
  EXPECT_THAT(launched(effects), ElementsAre("t1", "t2", "t3"));
  auto launches = all<effect::Launch>(effects);
  EXPECT_TRUE(launches[0].additional.empty()) << "the first task takes the offered copy";
  EXPECT_EQ(launches[1].additional.count(allocated(sharedVolume("v1"), "eng")), 1)
      << "SV-LAUNCH-2: the second task's copy joins the allocation";
}

TEST_F(AcceptPlan, TasksOfOneGroupNeedACopyEach) {
  clauses("SV-LAUNCH-7");
  agentWith({sharedVolume("v1")}, {sharedVolume("v1"), resource("disk", "10")});
  auto effects = plan({launchGroup({task("a", {sharedVolume("v1")}), task("b", {sharedVolume("v1")})})});
  EXPECT_THAT(launched(effects), IsEmpty());
  auto errors = all<effect::TaskUpdate>(effects);
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].reason, mesos::v1::TaskStatus::REASON_TASK_GROUP_INVALID);
  // Mesos says so before it compares with what is available
  // (fakes/master/CONFORMANCE.md: SV-LAUNCH-7's text).
  EXPECT_THAT(errors[0].message, HasSubstr("overlapping resources"));
  // One task per group is fine.
  effects = plan({launchGroup({task("a", {sharedVolume("v1")})})});
  EXPECT_THAT(launched(effects), ElementsAre("a"));
}

TEST_F(AcceptPlan, CreateThenLaunchSeveralTasksOnTheNewVolume) {
  clauses("SV-CREATE-3 SV-CREATE-2");
  agentWith({}, {resource("disk", "64", "eng")});
  auto effects = plan({create({sharedVolume("v1")}),
                       launch({task("t1", {sharedVolume("v1")}), task("t2", {sharedVolume("v1")})})});
  EXPECT_TRUE(applies(effects, Operation::CREATE));
  EXPECT_THAT(launched(effects), ElementsAre("t1", "t2"));
}

TEST_F(AcceptPlan, ACreateBetweenLaunchesResetsTheCopiesLaterTasksMayUse) {
  clauses("SV-LAUNCH-8 SV-LAUNCH-6");
  agentWith({sharedVolume("v1")}, {sharedVolume("v1"), resource("disk", "64", "eng")});
  auto effects = plan({launch({task("t1", {sharedVolume("v1")})}), create({sharedVolume("w")}),
                       launch({task("t2", {sharedVolume("v1")})})});
  EXPECT_THAT(launched(effects), ElementsAre("t1"));
  auto errors = all<effect::TaskUpdate>(effects);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].task_id, "t2");
  EXPECT_THAT(errors[0].message, HasSubstr("more than available"));
}

TEST_F(AcceptPlan, AVolumeAnotherFrameworksTaskUsesIsNotDestroyed) {
  clauses("SV-DESTROY-1 SV-DESTROY-2");
  agentWith({sharedVolume("v1")}, {sharedVolume("v1")});
  usedBy("fw-2", {sharedVolume("v1")});
  auto effects = plan({destroy({sharedVolume("v1")})});
  EXPECT_THAT(dropped(effects), ElementsAre(HasSubstr("Persistent volumes in use")));
  EXPECT_FALSE(applies(effects, Operation::DESTROY));
}

TEST_F(AcceptPlan, AStagingTaskUsesItsVolume) {
  clauses("SV-DESTROY-1");
  agentWith({plainVolume("v1")}, {});
  usedBy("fw-1", {plainVolume("v1")}, mesos::v1::TASK_STAGING);
  facts.offered += allocated(plainVolume("v1"), "eng");  // (it cannot be offered; names it)
  auto effects = plan({destroy({plainVolume("v1")})});
  EXPECT_THAT(dropped(effects), ElementsAre(HasSubstr("Persistent volumes in use")));
}

// Two accepted offers hold v1, so the DESTROY would find a copy left after
// the launch: only the task's use stops it.
TEST_F(AcceptPlan, ATaskLaunchedEarlierInTheAcceptKeepsItsVolume) {
  clauses("SV-DESTROY-4 SV-DESTROY-1");
  agentWith({sharedVolume("v1")}, {sharedVolume("v1")});
  facts.offered += allocated(sharedVolume("v1"), "eng");
  auto effects = plan({launch({task("t", {sharedVolume("v1")})}), destroy({sharedVolume("v1")})});
  EXPECT_THAT(launched(effects), ElementsAre("t"));
  EXPECT_THAT(dropped(effects), ElementsAre(HasSubstr("Persistent volumes in use")));
}

TEST_F(AcceptPlan, ADestroyBeforeALaunchWinsInHeadAndLosesIn11) {
  clauses("SV-DESTROY-4 SV-LAUNCH-6");
  agentWith({sharedVolume("v1")}, {sharedVolume("v1")});
  auto head = plan({destroy({sharedVolume("v1")}), launch({task("t", {sharedVolume("v1")})})});
  EXPECT_TRUE(applies(head, Operation::DESTROY));
  EXPECT_THAT(launched(head), IsEmpty());

  facts.profile = Profile::mesos11();
  auto v11 = plan({destroy({sharedVolume("v1")}), launch({task("t", {sharedVolume("v1")})})});
  EXPECT_THAT(dropped(v11), ElementsAre(HasSubstr("Persistent volume in pending tasks")));
  EXPECT_THAT(launched(v11), ElementsAre("t"));
}

TEST_F(AcceptPlan, ADestroyMustRemoveEveryCopyTheOffersHold) {
  clauses("SV-DESTROY-3");
  agentWith({sharedVolume("v1")}, {sharedVolume("v1")});
  facts.offered += allocated(sharedVolume("v1"), "eng");  // a second accepted offer holds it too
  auto effects = plan({destroy({sharedVolume("v1")})});
  EXPECT_THAT(dropped(effects), ElementsAre(HasSubstr("additional shared copies")));
  EXPECT_FALSE(applies(effects, Operation::DESTROY));
}

TEST_F(AcceptPlan, ADestroyRescindsEveryOfferHoldingTheVolumeFirst) {
  clauses("SV-DESTROY-5 SV-DESTROY-6");
  agentWith({sharedVolume("v1")}, {sharedVolume("v1")});
  auto held = resources("cpus:1") + fakes::Resources(allocated(sharedVolume("v1"), "eng"));
  facts.other_offers = {{"o-mine", "fw-1", held},
                        {"o-theirs", "fw-2", held},
                        {"o-other", "fw-3", resources("cpus:1").allocate("eng")},
                        {"o-sub", "fw-4", resources("cpus:1") + fakes::Resources(allocated(
                                                                    sharedVolume("v1"), "eng/a"))}};
  auto effects = plan({destroy({sharedVolume("v1")})});
  std::vector<std::string> rescinded;
  for (const auto& r : all<effect::Rescind>(effects)) rescinded.push_back(r.offer_id);
  EXPECT_THAT(rescinded, ElementsAre("o-mine", "o-theirs"))
      << "SV-DESTROY-6: an offer to a sub-role holds another allocation, and is kept";
  ASSERT_TRUE(std::holds_alternative<effect::Rescind>(effects.front()))
      << "rescinds come before the DESTROY is applied";
  EXPECT_TRUE(applies(effects, Operation::DESTROY));
}

TEST_F(AcceptPlan, ADroppedDestroyStillRescinds) {
  clauses("SV-DESTROY-6 SV-DESTROY-9");
  agentWith({sharedVolume("v1")}, {});  // the accepted offers lack v1
  facts.other_offers = {
      {"o-theirs", "fw-2", fakes::Resources(allocated(sharedVolume("v1"), "eng"))}};
  auto effects = plan({destroy({sharedVolume("v1")})});
  EXPECT_EQ(all<effect::Rescind>(effects).size(), 1u);
  EXPECT_THAT(dropped(effects), ElementsAre(HasSubstr("does not contain")));
}

TEST_F(AcceptPlan, CreatingASharedVolumeNeedsTheCapability) {
  clauses("SV-CAP-2");
  facts.framework.clear_capabilities();
  facts.framework.add_capabilities()->set_type(Capability::MULTI_ROLE);
  facts.framework.add_capabilities()->set_type(Capability::RESERVATION_REFINEMENT);
  agentWith({}, {resource("disk", "64", "eng")});
  auto effects = plan({create({sharedVolume("v1")})});
  EXPECT_THAT(dropped(effects), ElementsAre(HasSubstr("with no SHARED_RESOURCES capability")));
  facts.profile = Profile::mesos11();
  EXPECT_TRUE(applies(plan({create({sharedVolume("v1")})}), Operation::CREATE))
      << "1.1 had no capability check";
}

TEST_F(AcceptPlan, WhatNoOperationUsedIsDeclinedAndWhatTheyMadeIsNot) {
  clauses("SV-OFFER-6");
  agentWith({}, {resource("disk", "64", "eng")});
  auto effects = plan({create({sharedVolume("v1")})}, 30);
  auto declines = all<effect::Decline>(effects);
  ASSERT_EQ(declines.size(), 1u);
  EXPECT_EQ(declines[0].refuse_seconds, 30);
  EXPECT_EQ(declines[0].resources, resources("cpus:2;mem:256").allocate("eng"))
      << "the new volume comes back without a filter";
}

// ---- each seeded fault of the planner changes the plan it corrupts

TEST_F(AcceptPlan, FaultLaunchNoSharedAddBack) {
  agentWith({sharedVolume("v1")}, {sharedVolume("v1")});
  facts.faults.add(Fault::kLaunchNoSharedAddBack);
  EXPECT_THAT(launched(plan({launch({task("t1", {sharedVolume("v1")}),
                                     task("t2", {sharedVolume("v1")})})})),
              ElementsAre("t1"));
}

TEST_F(AcceptPlan, FaultDestroyKeepsSharedCopies) {
  agentWith({sharedVolume("v1")}, {sharedVolume("v1")});
  facts.faults.add(Fault::kDestroyKeepsSharedCopies);
  auto effects = plan({destroy({sharedVolume("v1")}), launch({task("t", {sharedVolume("v1")})})});
  EXPECT_TRUE(applies(effects, Operation::DESTROY));
  EXPECT_THAT(launched(effects), ElementsAre("t"));
}

TEST_F(AcceptPlan, FaultDestroyInUseOwnTasksOnly) {
  agentWith({sharedVolume("v1")}, {sharedVolume("v1")});
  usedBy("fw-2", {sharedVolume("v1")});
  facts.faults.add(Fault::kDestroyInUseOwnTasksOnly);
  EXPECT_TRUE(applies(plan({destroy({sharedVolume("v1")})}), Operation::DESTROY));
}

TEST_F(AcceptPlan, FaultDestroyInUseRunningTasksOnly) {
  agentWith({sharedVolume("v1")}, {sharedVolume("v1")});
  usedBy("fw-1", {sharedVolume("v1")}, mesos::v1::TASK_STAGING);
  facts.faults.add(Fault::kDestroyInUseRunningTasksOnly);
  EXPECT_TRUE(applies(plan({destroy({sharedVolume("v1")})}), Operation::DESTROY));
}

TEST_F(AcceptPlan, FaultDestroyInUseIgnoresSameAccept) {
  agentWith({sharedVolume("v1")}, {sharedVolume("v1")});
  facts.offered += allocated(sharedVolume("v1"), "eng");
  facts.faults.add(Fault::kDestroyInUseIgnoresSameAccept);
  auto effects = plan({launch({task("t", {sharedVolume("v1")})}), destroy({sharedVolume("v1")})});
  EXPECT_THAT(dropped(effects), IsEmpty());
}

TEST_F(AcceptPlan, FaultV11DestroyIgnoresPendingTasks) {
  agentWith({sharedVolume("v1")}, {sharedVolume("v1")});
  facts.profile = Profile::mesos11();
  facts.faults.add(Fault::kV11DestroyIgnoresPendingTasks);
  auto effects = plan({destroy({sharedVolume("v1")}), launch({task("t", {sharedVolume("v1")})})});
  EXPECT_TRUE(applies(effects, Operation::DESTROY));
}

TEST_F(AcceptPlan, FaultDestroyIgnoresExtraCopies) {
  agentWith({sharedVolume("v1")}, {sharedVolume("v1")});
  facts.offered += allocated(sharedVolume("v1"), "eng");
  facts.faults.add(Fault::kDestroyIgnoresExtraCopies);
  EXPECT_TRUE(applies(plan({destroy({sharedVolume("v1")})}), Operation::DESTROY));
}

TEST_F(AcceptPlan, FaultsOfTheRescind) {
  agentWith({sharedVolume("v1")}, {sharedVolume("v1")});
  auto held = fakes::Resources(allocated(sharedVolume("v1"), "eng"));
  facts.other_offers = {{"o-mine", "fw-1", held}, {"o-theirs", "fw-2", held}};
  facts.faults.add(Fault::kDestroyRescindsOwnOffersOnly);
  auto own_only = all<effect::Rescind>(plan({destroy({sharedVolume("v1")})}));
  ASSERT_EQ(own_only.size(), 1u);
  EXPECT_EQ(own_only[0].offer_id, "o-mine");
  facts.faults = {};
  facts.faults.add(Fault::kDestroyNoRescind);
  EXPECT_THAT(all<effect::Rescind>(plan({destroy({sharedVolume("v1")})})), IsEmpty());
}

TEST_F(AcceptPlan, FaultDestroyNotAppliedToAgent) {
  agentWith({sharedVolume("v1")}, {sharedVolume("v1")});
  facts.faults.add(Fault::kDestroyNotAppliedToAgent);
  auto effects = plan({destroy({sharedVolume("v1")})});
  EXPECT_THAT(dropped(effects), IsEmpty());
  EXPECT_FALSE(applies(effects, Operation::DESTROY));
}

TEST_F(AcceptPlan, FaultsOfCreate) {
  facts.framework.clear_capabilities();
  facts.framework.add_capabilities()->set_type(Capability::MULTI_ROLE);
  agentWith({}, {resource("disk", "64", "eng")});
  facts.faults.add(Fault::kCreateSharedWithoutCapability);
  EXPECT_TRUE(applies(plan({create({sharedVolume("v1")})}), Operation::CREATE));
  auto read_only = plainVolume("r");
  read_only.mutable_disk()->mutable_volume()->set_mode(mesos::v1::Volume::RO);
  facts.faults = {};
  facts.faults.add(Fault::kCreateReadOnlyVolume);
  EXPECT_TRUE(applies(plan({create({read_only})}), Operation::CREATE));
}

}  // namespace
}  // namespace svh::master
