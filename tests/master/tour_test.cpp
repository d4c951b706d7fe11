// The recording wins: operator requests from the shared-volume tour recorded
// against Apache Mesos 1.12 (tests/data/mesos-1.12/tour-1.12.jsonl) are
// replayed against svh-master with an agent like the recorded one, and the
// status codes, bodies and JSON shapes must be the recorded ones (with the
// master's and agent's ids and addresses substituted).

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "harness/wire/json_codec.hpp"
#include "tests/master/e2e_support.hpp"

namespace svh::master::test {
namespace {

namespace internal = mesos::internal;
using nlohmann::ordered_json;

const char* const kRecordedMasterId = "e693cf58-3fe3-4621-9a58-0636e676f49f";
const char* const kRecordedAgentPid = "slave(1)@127.0.0.1:43883";

std::vector<ordered_json> tour() {
  std::ifstream in(std::string(SVH_TEST_DATA_DIR) + "/mesos-1.12/tour-1.12.jsonl");
  std::vector<ordered_json> lines;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(ordered_json::parse(line));
  }
  return lines;
}

std::string replaceAll(std::string text, const std::string& from, const std::string& to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

std::vector<std::string> keys(const ordered_json& object) {
  std::vector<std::string> out;
  for (auto it = object.begin(); it != object.end(); ++it) out.push_back(it.key());
  return out;
}

class Tour : public ::testing::Test {
 protected:
  Tour() {
    // The recorded agent advertised every capability of a 1.12 agent.
    agent.registerWith(master.upid());
    master_id = agent.id().substr(0, agent.id().size() - 3);  // "<id>-S0"
  }

  std::string substitute(const std::string& recorded) const {
    return replaceAll(replaceAll(recorded, kRecordedAgentPid, agent.self().str()),
                      kRecordedMasterId, master_id);
  }

  // Replays one recorded form request; checks code and body.
  void replay(const ordered_json& line) {
    const auto& data = line["data"];
    std::map<std::string, std::string> fields;
    for (auto it = data["fields"].begin(); it != data["fields"].end(); ++it) {
      fields[it.key()] =
          it.value().is_string() ? substitute(it.value().get<std::string>()) : it.value().dump();
    }
    auto answer = op.form(data["path"].get<std::string>(), fields);
    EXPECT_EQ(data["status"].get<int>(), answer.result_int()) << data.dump();
    EXPECT_EQ(substitute(data["body"].get<std::string>()), answer.body()) << data["path"];
  }

  MasterUnderTest master{{"--hostname=localhost"}};
  ScriptedAgent agent{
      AgentOptions{.hostname = "localhost",
                   .resources = "cpus:4;mem:4096;disk(eng):1024;disk:1024;ports:[31000-32000]",
                   .capabilities = {1, 2, 3, 4, 5, 6, 7, 8}}};
  harness::OperatorClient op{master.url()};
  std::string master_id;
};

TEST_F(Tour, OperatorRequestsAnswerAsRecorded) {
  clauses("SV-HTTP-1 SV-HTTP-2 SV-HTTP-4 SV-RO-1 SV-CREATE-1 SV-ARITH-7");
  auto lines = tour();
  ASSERT_GT(lines.size(), 80u);

  // /master/state before anything: the same top-level keys, in order.
  EXPECT_EQ(keys(lines[0]["data"]["body"]), keys(getOrdered(master, "/master/state")));

  // Reserve, create shared and static volumes (202), an RO volume (400),
  // unreserving the disk under the volume (409 with the exact text).
  for (int i = 1; i <= 5; ++i) replay(lines[i]);

  // /master/slaves after the creates: the same document.
  auto slaves = getOrdered(master, "/master/slaves");
  auto recorded = ordered_json::parse(substitute(lines[6]["data"]["body"].dump()));
  auto ours = slaves["slaves"][0];
  auto theirs = recorded["slaves"][0];
  for (auto* slave : {&ours, &theirs}) {
    (*slave)["registered_time"] = 0;
    (*slave)["port"] = 0;
  }
  for (const auto& key : keys(theirs)) {
    EXPECT_EQ(theirs[key].dump(), ours[key].dump()) << "slaves[0]." << key;
  }
}

TEST_F(Tour, DestroyOfAVolumeInUseAnswersAsRecorded) {
  clauses("SV-HTTP-2 SV-DESTROY-1 PV-DESTROY-2");
  auto lines = tour();
  for (int i = 1; i <= 3; ++i) replay(lines[i]);
  // A framework runs a task on the shared volume, as in the tour.
  auto fw = subscribe(master, frameworkInfo({"eng"}));
  auto offer = awaitOffer(
      *fw, [](const auto& o) { return offerHasVolume(o, "tour-shared"); },
      "the tour's shared volume");
  mesos::v1::Resource shared;
  for (const auto& r : offer.resources()) {
    if (r.disk().persistence().id() == "tour-shared") shared = r;
  }
  fw->call(acceptCall(
      offer,
      {launchOp({task("writer", agent.id(), {scalar("cpus", 0.1), scalar("mem", 32), shared})})}));
  agent.await<internal::RunTaskMessage>();
  agent.sendStatus(master.upid(), fw->frameworkId(), "writer", mesos::TASK_RUNNING);
  awaitEvent(*fw, Event::UPDATE, nullptr, "writer running");

  replay(lines[59]);  // 400 Invalid DESTROY operation: Persistent volumes in use

  // As in the recording, no offer is outstanding when the state is read.
  Call suppress;
  suppress.set_type(Call::SUPPRESS);
  fw->call(suppress);
  // Offers already on their way arrive after the SUPPRESS: decline those too.
  std::set<std::string> declined;
  EXPECT_TRUE(eventually([&] {
    for (const auto& event : fw->history()) {
      if (event.type() != Event::OFFERS) continue;
      for (const auto& outstanding : event.offers().offers()) {
        if (declined.insert(outstanding.id().value()).second) fw->send(declineCall(outstanding));
      }
    }
    return op.metrics()["master/outstanding_offers"] == 0;
  }));

  // GET_STATE and /master/state with a task running: the recorded shapes.
  auto state = getOrdered(master, "/master/state");
  const auto& recorded_state = lines[60]["data"]["body"];
  auto expectSameKeys = [](const ordered_json& theirs, const ordered_json& ours,
                           const std::string& what) {
    std::vector<std::string> mine;
    for (auto it = ours.begin(); it != ours.end(); ++it) mine.push_back(it.key());
    EXPECT_EQ(keys(theirs), mine) << what;
  };
  expectSameKeys(recorded_state["slaves"][0], state["slaves"][0], "state.slaves[0]");
  expectSameKeys(recorded_state["frameworks"][0], state["frameworks"][0], "state.frameworks[0]");
  expectSameKeys(recorded_state["frameworks"][0]["tasks"][0], state["frameworks"][0]["tasks"][0],
                 "state.frameworks[0].tasks[0]");
  EXPECT_EQ(recorded_state["slaves"][0]["used_resources"].dump(),
            state["slaves"][0]["used_resources"].dump());

  mesos::v1::master::Call get_state;
  get_state.set_type(mesos::v1::master::Call::GET_STATE);
  auto answer = op.v1(get_state);
  ASSERT_EQ(200, answer.result_int());
  auto ours = ordered_json::parse(answer.body());
  const auto& theirs = lines[61]["data"]["body"];
  expectSameKeys(theirs, ours, "GET_STATE");
  expectSameKeys(theirs["get_state"], ours["get_state"], "get_state");
  for (const char* part : {"get_tasks", "get_executors", "get_frameworks", "get_agents"}) {
    expectSameKeys(theirs["get_state"][part], ours["get_state"][part], part);
  }
  expectSameKeys(theirs["get_state"]["get_frameworks"]["frameworks"][0],
                 ours["get_state"]["get_frameworks"]["frameworks"][0], "frameworks[0]");
  expectSameKeys(theirs["get_state"]["get_agents"]["agents"][0],
                 ours["get_state"]["get_agents"]["agents"][0], "agents[0]");
  EXPECT_EQ(theirs["get_state"]["get_agents"]["agents"][0]["agent_info"]["checkpoint"],
            ours["get_state"]["get_agents"]["agents"][0]["agent_info"]["checkpoint"]);

  // The task ends; the volume can go (202); again: not found (400).
  agent.sendStatus(master.upid(), fw->frameworkId(), "writer", mesos::TASK_KILLED);
  agent.await<internal::StatusUpdateAcknowledgementMessage>(
      [](const auto& m) { return m.task_id().value() == "writer"; });
  EXPECT_TRUE(eventually([&] { return op.state()["slaves"][0]["used_resources"]["cpus"] == 0; }));
  replay(lines[77]);
  const auto& v1 = lines[78]["data"];
  mesos::v1::master::Call destroy;
  ASSERT_EQ(std::nullopt,
            wire::fromJson(ordered_json::parse(substitute(v1["call"].dump())), &destroy));
  answer = op.v1(destroy);
  EXPECT_EQ(v1["status"].get<int>(), answer.result_int());
  EXPECT_EQ(v1["body"].get<std::string>(), answer.body());
}

// A MULTI_ROLE framework without RESERVATION_REFINEMENT (the tour's second
// framework) is offered pre-refinement resources that still carry
// allocation_info, and the offer has its allocation_info: the recorded
// offer O1, resource for resource.
TEST_F(Tour, OfferWithoutRefinementLooksAsRecorded) {
  clauses("SV-MODEL-1 SV-OFFER-5 SV-ARITH-8");
  auto lines = tour();
  for (int i = 1; i <= 3; ++i) replay(lines[i]);  // reserve, create shared and static volumes
  const ordered_json* recorded = nullptr;
  for (const auto& line : lines) {
    const auto& data = line["data"];
    if (line["kind"] == "event" && data["type"] == "OFFERS" &&
        data["offers"]["offers"][0]["id"]["value"] == std::string(kRecordedMasterId) + "-O1") {
      recorded = &data["offers"]["offers"][0];
    }
  }
  ASSERT_NE(nullptr, recorded) << "offer O1 in the recording";

  auto fw = subscribe(master, frameworkInfo({"eng"}, {Capability::SHARED_RESOURCES}));
  auto offer = awaitOffer(
      *fw,
      [](const auto& o) {
        return offerHasVolume(o, "tour-shared") && offerHasVolume(o, "tour-static");
      },
      "an offer with both volumes");
  auto ours = wire::toJson(offer);
  EXPECT_EQ((*recorded)["allocation_info"], ours["allocation_info"]);
  // The same resources, whatever their order (values compare as numbers).
  auto sorted = [](const ordered_json& list) {
    std::vector<std::string> out;
    for (const auto& r : list) out.push_back(nlohmann::json::parse(r.dump()).dump());
    std::sort(out.begin(), out.end());
    return out;
  };
  auto normalise = [](ordered_json list) {
    for (auto& r : list) {
      if (r.contains("scalar")) r["scalar"]["value"] = r["scalar"]["value"].get<double>();
    }
    return list;
  };
  EXPECT_EQ(sorted(normalise((*recorded)["resources"])), sorted(normalise(ours["resources"])));
}

TEST_F(Tour, MetricsNameWhatMesosNames) {
  clauses("SV-ALLOC-5");
  auto lines = tour();
  auto metrics = op.metrics();
  const auto& recorded = lines[79]["data"]["body"];
  // Every master/ and allocator/ metric we export exists in Mesos 1.12 (no
  // invented names), and the ones the harness relies on are present.
  for (auto it = metrics.begin(); it != metrics.end(); ++it) {
    const std::string& name = it.key();
    if (name.rfind("master/frameworks/", 0) == 0) continue;   // per-framework ids
    if (name.find("/roles/") != std::string::npos) continue;  // per-role names
    EXPECT_TRUE(recorded.contains(name)) << name;
  }
  for (const char* name : {"master/disk_used", "master/cpus_used", "master/mem_used",
                           "master/operations/destroy/error", "master/outstanding_offers"}) {
    EXPECT_TRUE(metrics.contains(name)) << name;
  }
}

}  // namespace
}  // namespace svh::master::test
