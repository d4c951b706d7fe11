// The codec never throws or crashes, whatever it is fed, and what it
// accepts it writes back as JSON that parses to the same message.
// Deterministic mutations (fixed seed) of realistic inputs.

#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "harness/wire/json_codec.hpp"
#include "mesos/mesos.pb.h"
#include "mesos/v1/master/master.pb.h"
#include "mesos/v1/mesos.pb.h"
#include "mesos/v1/scheduler/scheduler.pb.h"

namespace svh::wire {
namespace {

namespace v1 = mesos::v1;

const std::vector<std::string>& seeds() {
  static const std::vector<std::string> kSeeds = {
      R"({"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":"foo","name":"fw",)"
      R"("roles":["r1"],"capabilities":[{"type":"MULTI_ROLE"}],"failover_timeout":3600,)"
      R"("offer_filters":{"r1":{"min_allocatable_resources":{"quantities":[{"quantities":)"
      R"({"cpus":{"value":1}}}]}}}}}})",
      R"({"type":"ACCEPT","framework_id":{"value":"M-0000"},"accept":{"offer_ids":[)"
      R"({"value":"M-O1"}],"operations":[{"type":"CREATE","create":{"volumes":[{"name":"disk",)"
      R"("type":"SCALAR","scalar":{"value":64},"role":"eng","reservation":{"principal":"ops"},)"
      R"("disk":{"persistence":{"id":"v1"},"volume":{"mode":"RW","container_path":"data"}},)"
      R"("shared":{}}]}},{"type":"LAUNCH","launch":{"task_infos":[{"name":"t","task_id":)"
      R"({"value":"t1"},"agent_id":{"value":"M-S0"},"command":{"value":"true"},)"
      R"("limits":{"cpus":{"value":"Infinity"}},"data":"AAECAw=="}]}}],)"
      R"("filters":{"refuse_seconds":0}}})",
      R"({"type":"ACKNOWLEDGE","framework_id":{"value":"F"},"acknowledge":{"agent_id":)"
      R"({"value":"A"},"task_id":{"value":"T"},"uuid":"Dq54rkeXTYihyc8Q0bVcxA=="}})",
      R"({"type":"UPDATE","update":{"status":{"task_id":{"value":"w"},"state":"TASK_RUNNING",)"
      R"("source":"SOURCE_EXECUTOR","timestamp":1795602656.989496,"uuid":"Dq54rkeXTYihyc8Q0bVcxA==",)"
      R"("container_status":{"network_infos":[{"ip_addresses":[{"protocol":"IPv4",)"
      R"("ip_address":"127.0.0.1"}]}],"executor_pid":21165}}}})",
      R"({"type":"OFFERS","offers":{"offers":[{"id":{"value":"O"},"framework_id":{"value":"F"},)"
      R"("agent_id":{"value":"A"},"hostname":"h","resources":[{"name":"ports","type":"RANGES",)"
      R"("ranges":{"range":[{"begin":31000,"end":"32000"}]},"role":"*"}]}]}})",
  };
  return kSeeds;
}

// Characters that stress the parser and the codec's type handling (the
// explicit length keeps the NUL).
constexpr char kInterestingChars[] = "{}[]\":,\\ 0-9eE.+nulltruefalse\x00\xff\n";
constexpr std::string_view kInteresting(kInterestingChars, sizeof(kInterestingChars) - 1);

std::string mutate(std::string text, std::mt19937& rng) {
  std::uniform_int_distribution<int> op(0, 4);
  const int edits = 1 + static_cast<int>(rng() % 4);
  for (int e = 0; e < edits && !text.empty(); ++e) {
    const size_t pos = rng() % text.size();
    const char c = kInteresting[rng() % kInteresting.size()];
    switch (op(rng)) {
      case 0:
        text[pos] = c;
        break;
      case 1:
        text.insert(text.begin() + static_cast<std::ptrdiff_t>(pos), c);
        break;
      case 2:
        text.erase(pos, 1 + rng() % 8);
        break;
      case 3:  // duplicate a slice: repeated keys, extra nesting
        text.insert(pos, text.substr(rng() % text.size(), rng() % 32));
        break;
      default:
        text[pos] = static_cast<char>(rng() & 0xff);
    }
  }
  return text;
}

// Parses `text` as T; if accepted, its JSON must parse back to an
// equivalent message (unset-with-default equals set-to-default).
template <class T>
void checkOne(const std::string& text) {
  T message;
  if (parseJson(text, &message)) return;  // rejected: fine, as long as no crash
  const std::string out = toJsonString(message);
  if (out.find("NaN") != std::string::npos) {
    return;  // bare NaN is Mesos output, not valid JSON input
  }
  T again;
  ASSERT_EQ(parseJson(out, &again), std::nullopt) << "input: " << text << "\noutput: " << out;
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equivalent(message, again))
      << "input: " << text << "\noutput: " << out;
}

void checkAllTypes(const std::string& text) {
  checkOne<v1::scheduler::Call>(text);
  checkOne<v1::scheduler::Event>(text);
  checkOne<v1::master::Call>(text);
  checkOne<v1::Resource>(text);
  checkOne<mesos::Offer>(text);
}

TEST(JsonRobustness, SeedsRoundTrip) {
  for (const std::string& seed : seeds()) {
    v1::scheduler::Call call;
    v1::scheduler::Event event;
    EXPECT_TRUE(!parseJson(seed, &call) || !parseJson(seed, &event)) << seed;
    checkAllTypes(seed);
  }
}

TEST(JsonRobustness, EveryTruncationIsHandled) {
  for (const std::string& seed : seeds()) {
    for (size_t n = 0; n < seed.size(); ++n) checkAllTypes(seed.substr(0, n));
  }
}

TEST(JsonRobustness, RandomMutationsAreHandled) {
  std::mt19937 rng(20240611);
  for (int round = 0; round < 4000; ++round) {
    const std::string& seed = seeds()[static_cast<size_t>(round) % seeds().size()];
    checkAllTypes(mutate(seed, rng));
  }
}

TEST(JsonRobustness, HostileShapes) {
  const std::vector<std::string> inputs = {
      std::string(1 << 16, '{'),
      std::string(1 << 16, '['),
      R"({"type":)" + std::string(5000, '[') + "\"SUBSCRIBE\"" + std::string(5000, ']') + "}",
      R"({"offers":{"offers":)" + std::string(150, '[') + "{}" + std::string(150, ']') + "}}",
      R"({"framework_id":{"value":"\u0000\ud800"}})",
      R"({"subscribe":{"framework_info":{"offer_filters":{"":null,"x":[],"y":[{},{}]}}}})",
      R"({"subscribe":{"framework_info":{"offer_filters":[{"a":{}},{"b":{}}]}}})",
      R"({"reconcile":{"tasks":[[[{"task_id":{"value":"t"}}]]]}})",
      R"({"type":"SUBSCRIBE","type":"TEARDOWN"})",
      R"({"accept":{"filters":{"refuse_seconds":-1e308}}})",
      R"({"accept":{"filters":{"refuse_seconds":1e400}}})",
      R"({"kill":{"kill_policy":{"grace_period":{"nanoseconds":-9223372036854775809}}}})",
      R"({"kill":{"kill_policy":{"grace_period":{"nanoseconds":18446744073709551616}}}})",
      R"({"kill":{"kill_policy":{"grace_period":{"nanoseconds":"   7   "}}}})",
  };
  for (const std::string& text : inputs) checkAllTypes(text);
}

TEST(JsonRobustness, FromJsonOnArbitraryValues) {
  // Values built in code rather than parsed (binary, discarded, deep).
  v1::scheduler::Call call;
  nlohmann::json binary = {{"framework_id", nlohmann::json::binary({1, 2, 3})}};
  EXPECT_TRUE(fromJson(binary, &call).has_value());
  nlohmann::json discarded = {{"type", nlohmann::json(nlohmann::json::value_t::discarded)}};
  EXPECT_NO_THROW((void)fromJson(discarded, &call));
  nlohmann::ordered_json ordered = {{"type", "REVIVE"}, {"revive", {{"roles", {"a", "b"}}}}};
  EXPECT_EQ(fromJson(ordered, &call), std::nullopt);
  EXPECT_EQ(call.revive().roles_size(), 2);
}

}  // namespace
}  // namespace svh::wire
