#pragma once
// The fixture of the end-to-end clause tests (semantics_test.cpp and its
// siblings): a running svh-master, one scripted agent registered with it,
// an operator client, and the small checks those tests share.

#include <memory>
#include <string>
#include <vector>

#include "tests/master/e2e_support.hpp"

namespace svh::master::test {

namespace internal = mesos::internal;
using mesos::v1::Resource;
using mesos::v1::TaskStatus;

class Semantics : public ::testing::Test {
 protected:
  void start(std::vector<std::string> args = {},
             const std::string& resources = "cpus:4;mem:4096;disk(eng):1024") {
    master = std::make_unique<MasterUnderTest>(std::move(args));
    agent = std::make_unique<ScriptedAgent>(AgentOptions{.resources = resources});
    agent->registerWith(master->upid());
    op = std::make_unique<harness::OperatorClient>(master->url());
  }

  // A shared (or not) volume on the static "eng" disk, made by the operator.
  Resource createVolume(const std::string& id, double size, bool shared = true) {
    auto v = volume(size, "eng", id, shared, "");
    auto answer = op->form("/master/create-volumes",
                           {{"slaveId", agent->id()}, {"volumes", resourceArray({v})}});
    EXPECT_EQ(202, answer.result_int()) << answer.body();
    return v;
  }

  static Resource allocated(Resource resource, const std::string& role = "eng") {
    resource.mutable_allocation_info()->set_role(role);
    return resource;
  }

  bool logHas(const std::string& text) {
    return eventually([&] { return master->log().find(text) != std::string::npos; });
  }

  double metric(const std::string& name) { return op->metrics().value(name, -1.0); }

  std::string onAgent() const {
    return "; on agent " + agent->id() + " at " + agent->self().str() + " (localhost)";
  }

  static bool anyOffer(const mesos::v1::Offer&) { return true; }

  TaskStatus awaitTaskStatus(harness::SchedulerClient& fw, const std::string& task_id) {
    return awaitEvent(
               fw, Event::UPDATE,
               [&](const Event& e) { return e.update().status().task_id().value() == task_id; },
               "a status of " + task_id)
        .update()
        .status();
  }

  std::unique_ptr<MasterUnderTest> master;
  std::unique_ptr<ScriptedAgent> agent;
  std::unique_ptr<harness::OperatorClient> op;
};

}  // namespace svh::master::test
