#pragma once
// Running svh-master as a child process for end-to-end tests, and the small
// builders those tests share (frameworks, volumes, calls, offer waits).
// Every wait has a deadline and waits for an observable event, never a
// fixed sleep.

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "harness/client/operator_client.hpp"
#include "harness/client/scheduler_client.hpp"
#include "harness/cluster/child_process.hpp"
#include "harness/wire/upid.hpp"
#include "mesos/v1/mesos.pb.h"
#include "tests/master/scripted_agent.hpp"

namespace svh::harness {
// Test names and failure messages say "json" / "protobuf".
inline void PrintTo(ContentType type, std::ostream* out) {
  *out << (type == ContentType::kJson ? "json" : "protobuf");
}
}  // namespace svh::harness

namespace svh::master::test {

using harness::ContentType;
using harness::Event;
using Call = mesos::v1::scheduler::Call;
using Capability = mesos::v1::FrameworkInfo::Capability;
using Operation = mesos::v1::Offer::Operation;
using namespace std::chrono_literals;

inline void clauses(const std::string& ids) {
  ::testing::Test::RecordProperty("clauses", ids);
}

std::filesystem::path binary(const std::string& name);

// svh-master on a free loopback port, fast allocation cycles by default.
class MasterUnderTest {
 public:
  explicit MasterUnderTest(std::vector<std::string> args = {});
  ~MasterUnderTest();

  const http::Url& url() const { return url_; }
  wire::Upid upid() const;
  harness::ChildProcess& process() { return *process_; }
  std::string log() const;

 private:
  std::filesystem::path dir_;
  std::unique_ptr<harness::ChildProcess> process_;
  http::Url url_;
};

// FrameworkInfo for roles (MULTI_ROLE always) with the given capabilities.
mesos::v1::FrameworkInfo frameworkInfo(const std::vector<std::string>& roles,
                                       const std::vector<Capability::Type>& capabilities = {
                                           Capability::SHARED_RESOURCES,
                                           Capability::RESERVATION_REFINEMENT});

std::unique_ptr<harness::SchedulerClient> subscribe(const MasterUnderTest& master,
                                                    const mesos::v1::FrameworkInfo& info,
                                                    ContentType type = ContentType::kJson,
                                                    const std::string& path = "/api/v1/scheduler");

// The next OFFERS event with an offer on `agent_id` that satisfies `match`
// (the first such offer is returned).
mesos::v1::Offer awaitOffer(harness::SchedulerClient& framework,
                            const std::function<bool(const mesos::v1::Offer&)>& match,
                            const std::string& what, std::chrono::milliseconds timeout = 15s);
Event awaitEvent(harness::SchedulerClient& framework, Event::Type type,
                 const std::function<bool(const Event&)>& match, const std::string& what,
                 std::chrono::milliseconds timeout = 15s);

// Resources of an offer / operation in v1 form.
fakes::Resources offered(const mesos::v1::Offer& offer);
bool offerHasVolume(const mesos::v1::Offer& offer, const std::string& persistence_id);

// A volume resource as frameworks and operators name it (post-refinement,
// dynamically reserved to `role` by `principal`).
mesos::v1::Resource volume(double size, const std::string& role, const std::string& id, bool shared,
                           const std::string& principal = "ops",
                           mesos::v1::Volume::Mode mode = mesos::v1::Volume::RW);
mesos::v1::Resource scalar(const std::string& name, double value, const std::string& role = "",
                           const std::string& principal = "");

Call acceptCall(const mesos::v1::Offer& offer, const std::vector<Operation>& operations,
                double refuse_seconds = 0);
Call declineCall(const mesos::v1::Offer& offer, double refuse_seconds = 0);
Operation reserveOp(const std::vector<mesos::v1::Resource>& resources);
Operation createOp(const std::vector<mesos::v1::Resource>& volumes);
Operation destroyOp(const std::vector<mesos::v1::Resource>& volumes);
Operation launchOp(const std::vector<mesos::v1::TaskInfo>& tasks);
mesos::v1::TaskInfo task(const std::string& id, const std::string& agent_id,
                         const std::vector<mesos::v1::Resource>& resources,
                         const std::string& command = "sleep 1000");

// JSON array text of resources as the form endpoints take it.
std::string resourceArray(const std::vector<mesos::v1::Resource>& resources);

// GET `path` as JSON with the master's key order kept.
nlohmann::ordered_json getOrdered(const MasterUnderTest& master, const std::string& path);

// Polls `done` until it holds or the deadline passes.
bool eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout = 15s);

}  // namespace svh::master::test
