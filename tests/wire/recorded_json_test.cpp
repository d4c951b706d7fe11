// JSON recorded from a real Mesos 1.12 (tests/data/mesos-1.12/tour-1.12.jsonl):
// every scheduler event and operator v1 answer Mesos wrote must parse, and
// writing it back must give the same JSON, key order included. This checks
// our declaration order, defaults and number formats against Mesos itself.
// Every call the recorder sent must parse too.

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include "harness/wire/json_codec.hpp"
#include "harness/wire/operator_json.hpp"
#include "mesos/mesos.pb.h"
#include "mesos/v1/master/master.pb.h"
#include "mesos/v1/mesos.pb.h"
#include "mesos/v1/scheduler/scheduler.pb.h"
#include "tests/wire/test_support.hpp"

namespace svh::wire {
namespace {

using nlohmann::ordered_json;

std::vector<ordered_json> tourLines() {
  std::vector<ordered_json> lines;
  std::istringstream in(test::readFile(test::dataPath("mesos-1.12/tour-1.12.jsonl")));
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(ordered_json::parse(line));
  }
  return lines;
}

// First difference between two JSON values, "" if equal. Key order counts;
// numbers compare by value (the recording has 256 where we write 256.0).
std::string firstDifference(const ordered_json& want, const ordered_json& got,
                            const std::string& path) {
  if (want.is_object() && got.is_object()) {
    auto w = want.begin();
    auto g = got.begin();
    for (; w != want.end() && g != got.end(); ++w, ++g) {
      if (w.key() != g.key()) return path + ": key '" + g.key() + "' where '" + w.key() + "'";
      std::string d = firstDifference(w.value(), g.value(), path + "." + w.key());
      if (!d.empty()) return d;
    }
    if (w != want.end()) return path + ": missing '" + w.key() + "'";
    if (g != got.end()) return path + ": extra '" + g.key() + "'";
    return "";
  }
  if (want.is_array() && got.is_array()) {
    if (want.size() != got.size()) return path + ": array size differs";
    for (size_t i = 0; i < want.size(); ++i) {
      std::string d = firstDifference(want[i], got[i], path + "[" + std::to_string(i) + "]");
      if (!d.empty()) return d;
    }
    return "";
  }
  if (want != got) return path + ": " + want.dump() + " vs " + got.dump();
  return "";
}

// v1 AgentInfo has no `checkpoint` (v0 only), so parsing JSON drops it. A
// master keeps it from the agent's registration, where it arrives as the
// unknown field 7; put it back that way.
void restoreAgentCheckpoint(const ordered_json& agents,
                            mesos::v1::master::Response::GetAgents* getAgents) {
  for (int i = 0; i < getAgents->agents_size(); ++i) {
    const ordered_json& info = agents[static_cast<size_t>(i)]["agent_info"];
    if (!info.contains("checkpoint")) continue;
    mesos::v1::AgentInfo* agentInfo = getAgents->mutable_agents(i)->mutable_agent_info();
    agentInfo->GetReflection()->MutableUnknownFields(agentInfo)->AddVarint(
        7, info["checkpoint"].get<bool>() ? 1 : 0);
  }
}

template <class T>
void expectReproduced(const ordered_json& recorded, const std::string& what,
                      const JsonOptions& options = {}) {
  T message;
  ASSERT_EQ(fromJson(recorded, &message), std::nullopt) << what;
  if constexpr (std::is_same_v<T, mesos::v1::master::Response>) {
    if (message.has_get_state()) {
      restoreAgentCheckpoint(recorded["get_state"]["get_agents"]["agents"],
                             message.mutable_get_state()->mutable_get_agents());
    }
  }
  EXPECT_EQ(firstDifference(recorded, toJson(message, options), ""), "") << what;
}

TEST(RecordedJson, SchedulerEventsAreReproduced) {
  int events = 0;
  for (const ordered_json& line : tourLines()) {
    if (line["kind"] != "event") continue;
    ++events;
    expectReproduced<mesos::v1::scheduler::Event>(line["data"], line["data"]["type"].dump());
  }
  EXPECT_GT(events, 30);
}

TEST(RecordedJson, OperatorResponsesAreReproduced) {
  int responses = 0;
  for (const ordered_json& line : tourLines()) {
    if (line["kind"] != "operator_v1") continue;
    const ordered_json& data = line["data"];
    mesos::v1::master::Call call;
    EXPECT_EQ(fromJson(data["call"], &call), std::nullopt) << data["label"];
    if (data["status"] == 200) {
      ++responses;
      // The master writes these answers by hand: top-level lists always
      // appear, even empty (see operator_json.hpp).
      expectReproduced<mesos::v1::master::Response>(data["body"], data["label"].dump(),
                                                    operatorResponseJsonOptions());
    }
  }
  EXPECT_GE(responses, 1);
}

TEST(RecordedJson, SchedulerCallsParse) {
  int calls = 0;
  for (const ordered_json& line : tourLines()) {
    if (line["kind"] != "call") continue;
    ++calls;
    mesos::v1::scheduler::Call call;
    EXPECT_EQ(fromJson(line["data"]["call"], &call), std::nullopt) << line["data"]["call"].dump();
    EXPECT_TRUE(call.has_type());
  }
  EXPECT_GT(calls, 30);
}

TEST(RecordedJson, OperatorEndpointResourcesParseAsV0) {
  // The form endpoints (/master/reserve, /create-volumes, ...) take JSON
  // arrays of v0 Resource, in either reservation format.
  int resources = 0;
  for (const ordered_json& line : tourLines()) {
    if (line["kind"] != "operator") continue;
    for (const char* key : {"resources", "volumes", "source"}) {
      const ordered_json& fields = line["data"]["fields"];
      if (!fields.contains(key)) continue;
      for (const ordered_json& element : fields[key]) {
        ++resources;
        mesos::Resource resource;
        EXPECT_EQ(fromJson(element, &resource), std::nullopt) << element.dump();
      }
    }
  }
  EXPECT_GE(resources, 7);
}

}  // namespace
}  // namespace svh::wire
