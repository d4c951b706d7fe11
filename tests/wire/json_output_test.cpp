// JSON output rules (PROTOCOL.md section 2): what a real Mesos writes for a
// given message, byte for byte.

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "harness/wire/json_codec.hpp"
#include "harness/wire/operator_json.hpp"
#include "mesos/mesos.pb.h"
#include "mesos/v1/master/master.pb.h"
#include "mesos/v1/mesos.pb.h"
#include "mesos/v1/scheduler/scheduler.pb.h"

namespace svh::wire {
namespace {

namespace v1 = mesos::v1;

TEST(JsonOutput, ExplicitDefaultsAreWrittenWhenUnset) {
  EXPECT_EQ(toJsonString(v1::Filters()), R"json({"refuse_seconds":5.0})json");
  EXPECT_EQ(toJsonString(v1::CommandInfo()), R"json({"shell":true})json");
  EXPECT_EQ(toJsonString(v1::CommandInfo::URI()), R"json({"extract":true})json");
  EXPECT_EQ(toJsonString(v1::Image()), R"json({"cached":true})json");
  EXPECT_EQ(toJsonString(v1::ContainerInfo::DockerInfo()),
            R"json({"network":"HOST","privileged":false})json");
  EXPECT_EQ(toJsonString(v1::Environment::Variable()), R"json({"type":"VALUE"})json");

  v1::FrameworkInfo framework;
  framework.set_user("root");
  framework.set_name("fw");
  // failover_timeout and checkpoint have defaults; the deprecated `role`
  // (default "*") is not written.
  EXPECT_EQ(toJsonString(framework),
            R"json({"user":"root","name":"fw","failover_timeout":0.0,"checkpoint":false})json");

  v1::MasterInfo master;
  master.set_id("m");
  master.set_ip(16777343);
  EXPECT_EQ(toJsonString(master), R"json({"id":"m","ip":16777343,"port":5050})json");

  v1::AgentInfo agent;
  agent.set_hostname("h1");
  EXPECT_EQ(toJsonString(agent), R"json({"hostname":"h1","port":5051})json");
}

TEST(JsonOutput, SetValuesOverrideDefaults) {
  v1::Filters filters;
  filters.set_refuse_seconds(0);
  EXPECT_EQ(toJsonString(filters), R"json({"refuse_seconds":0.0})json");

  v1::CommandInfo command;
  command.set_shell(false);
  command.set_value("/bin/true");
  command.add_arguments("a");
  EXPECT_EQ(toJsonString(command),
            R"json({"shell":false,"value":"/bin/true","arguments":["a"]})json");
}

TEST(JsonOutput, DeprecatedRoleOnlyWhenSet) {
  v1::Resource disk;
  disk.set_name("disk");
  disk.set_type(v1::Value::SCALAR);
  disk.mutable_scalar()->set_value(64);
  EXPECT_EQ(toJsonString(disk),
            R"json({"name":"disk","type":"SCALAR","scalar":{"value":64.0}})json");

  disk.set_role("*");
  EXPECT_EQ(toJsonString(disk),
            R"json({"name":"disk","type":"SCALAR","scalar":{"value":64.0},"role":"*"})json");
}

TEST(JsonOutput, SharedVolumeInDeclarationOrder) {
  // Keys follow .proto declaration order, not field numbers: allocation_info
  // (11) comes before reservations (13) and disk (7); shared (10) is last.
  v1::Resource volume;
  volume.set_name("disk");
  volume.set_type(v1::Value::SCALAR);
  volume.mutable_scalar()->set_value(64);
  volume.mutable_shared();
  volume.mutable_disk()->mutable_volume()->set_container_path("data");
  volume.mutable_disk()->mutable_volume()->set_mode(v1::Volume::RW);
  volume.mutable_disk()->mutable_persistence()->set_id("vol1");
  volume.mutable_disk()->mutable_persistence()->set_principal("p");
  auto* reservation = volume.add_reservations();
  reservation->set_principal("p");
  reservation->set_role("r1");
  reservation->set_type(v1::Resource::ReservationInfo::DYNAMIC);
  volume.mutable_allocation_info()->set_role("r1");

  EXPECT_EQ(toJsonString(volume),
            R"json({"name":"disk","type":"SCALAR","scalar":{"value":64.0},)json"
            R"json("allocation_info":{"role":"r1"},)json"
            R"json("reservations":[{"type":"DYNAMIC","role":"r1","principal":"p"}],)json"
            R"json("disk":{"persistence":{"id":"vol1","principal":"p"},)json"
            R"json("volume":{"mode":"RW","container_path":"data"}},"shared":{}})json");
}

TEST(JsonOutput, EnumsByNameBytesAsBase64IntegersAsNumbers) {
  v1::TaskStatus status;
  status.mutable_task_id()->set_value("t1");
  status.set_state(v1::TASK_RUNNING);
  status.set_source(v1::TaskStatus::SOURCE_AGENT);
  status.set_reason(v1::TaskStatus::REASON_AGENT_REREGISTERED);
  std::string uuid;
  for (char c = 0; c < 16; ++c) uuid += c;
  status.set_uuid(uuid);
  status.set_timestamp(1795602656.989496);
  status.mutable_unreachable_time()->set_nanoseconds(1795602752693015040);

  EXPECT_EQ(
      toJsonString(status),
      R"json({"task_id":{"value":"t1"},"state":"TASK_RUNNING","source":"SOURCE_AGENT",)json"
      R"json("reason":"REASON_AGENT_REREGISTERED","timestamp":1795602656.989496,)json"
      R"json("uuid":"AAECAwQFBgcICQoLDA0ODw==","unreachable_time":{"nanoseconds":1795602752693015040}})json");

  // uint64 as well, never quoted.
  v1::Value::Range range;
  range.set_begin(31000);
  range.set_end(18446744073709551615ull);
  EXPECT_EQ(toJsonString(range), R"json({"begin":31000,"end":18446744073709551615})json");
}

TEST(JsonOutput, DoublesAlwaysHaveADecimalPoint) {
  v1::scheduler::Event event;
  event.set_type(v1::scheduler::Event::SUBSCRIBED);
  event.mutable_subscribed()->mutable_framework_id()->set_value("M-0000");
  event.mutable_subscribed()->set_heartbeat_interval_seconds(15);
  EXPECT_EQ(toJsonString(event),
            R"json({"type":"SUBSCRIBED","subscribed":{"framework_id":{"value":"M-0000"},)json"
            R"json("heartbeat_interval_seconds":15.0}})json");

  v1::Value::Scalar scalar;
  scalar.set_value(0.1);
  EXPECT_EQ(toJsonString(scalar), R"json({"value":0.1})json");
}

TEST(JsonOutput, HeartbeatAndEmptyRepeatedFields) {
  v1::scheduler::Event heartbeat;
  heartbeat.set_type(v1::scheduler::Event::HEARTBEAT);
  EXPECT_EQ(toJsonString(heartbeat), R"json({"type":"HEARTBEAT"})json");

  v1::scheduler::Event offers;
  offers.set_type(v1::scheduler::Event::OFFERS);
  offers.mutable_offers();  // present, but no offers: {} and no "offers":[]
  EXPECT_EQ(toJsonString(offers), R"json({"type":"OFFERS","offers":{}})json");
}

TEST(JsonOutput, MapsAreObjects) {
  v1::TaskInfo task;
  task.set_name("t");
  task.mutable_task_id()->set_value("t1");
  task.mutable_agent_id()->set_value("a1");
  (*task.mutable_limits())["cpus"].set_value(2);
  EXPECT_EQ(toJsonString(task),
            R"json({"name":"t","task_id":{"value":"t1"},"agent_id":{"value":"a1"},)json"
            R"json("limits":{"cpus":{"value":2.0}}})json");

  v1::FrameworkInfo framework;
  framework.set_user("u");
  framework.set_name("n");
  auto& filters = (*framework.mutable_offer_filters())["eng"];
  (*filters.mutable_min_allocatable_resources()->add_quantities()->mutable_quantities())["cpus"]
      .set_value(1);
  EXPECT_EQ(toJsonString(framework),
            R"json({"user":"u","name":"n","failover_timeout":0.0,"checkpoint":false,)json"
            R"json("offer_filters":{"eng":{"min_allocatable_resources":)json"
            R"json({"quantities":[{"quantities":{"cpus":{"value":1.0}}}]}}}})json");
}

TEST(JsonOutput, InfiniteLimitsAreQuoted) {
  // Mesos's rapidjson is patched to write +-inf as strings (they appear in
  // task limits), which its parser reads back.
  v1::TaskInfo task;
  task.set_name("t");
  task.mutable_task_id()->set_value("t1");
  task.mutable_agent_id()->set_value("a1");
  (*task.mutable_limits())["mem"].set_value(HUGE_VAL);
  const std::string json = toJsonString(task);
  EXPECT_NE(json.find(R"json("limits":{"mem":{"value":"Infinity"}})json"), std::string::npos);
  EXPECT_EQ(toJson(task)["limits"]["mem"]["value"], "Infinity");

  v1::TaskInfo again;
  ASSERT_EQ(parseJson(json, &again), std::nullopt);
  EXPECT_TRUE(std::isinf(again.limits().at("mem").value()));

  v1::Value::Scalar scalar;
  scalar.set_value(-HUGE_VAL);
  EXPECT_EQ(toJsonString(scalar), R"json({"value":"-Infinity"})json");
  scalar.set_value(std::nan(""));
  EXPECT_EQ(toJsonString(scalar), R"json({"value":NaN})json");  // as Mesos: bare
}

TEST(JsonOutput, DoubleLayoutMatchesMesos) {
  // rapidjson's layout: positional up to 21 integer digits or 6 leading
  // fractional zeros, else exponent without '+' or padding.
  const std::pair<double, const char*> cases[] = {
      {0.0, "0.0"},
      {-0.0, "-0.0"},
      {15.0, "15.0"},
      {0.1, "0.1"},
      {-2.5, "-2.5"},
      {1795602656.989496, "1795602656.989496"},
      {9007199254740992.0, "9007199254740992.0"},
      {1e20, "100000000000000000000.0"},
      {1.5e20, "150000000000000000000.0"},
      {1e21, "1e21"},
      {1.25e22, "1.25e22"},
      {123456.789, "123456.789"},
      {0.000001, "0.000001"},
      {0.0000012, "0.0000012"},
      {1e-7, "1e-7"},
      {1.5e-7, "1.5e-7"},
      {1.5e300, "1.5e300"},
      {5e-324, "5e-324"},
      {1.7976931348623157e308, "1.7976931348623157e308"},
  };
  for (const auto& [value, text] : cases) {
    v1::Value::Scalar scalar;
    scalar.set_value(value);
    EXPECT_EQ(toJsonString(scalar), std::string(R"json({"value":)json") + text + "}") << text;
    v1::Value::Scalar back;
    ASSERT_EQ(parseJson(toJsonString(scalar), &back), std::nullopt) << text;
    EXPECT_EQ(back.value(), value) << text;
  }
}

TEST(JsonOutput, InvalidUtf8IsReplacedNotThrown) {
  v1::FrameworkInfo framework;
  framework.set_user("\xff\xfe");
  framework.set_name("n");
  EXPECT_NE(toJsonString(framework).find("\"user\":\"\xef\xbf\xbd\xef\xbf\xbd\""),
            std::string::npos);
}

TEST(JsonOutput, V0TypesUseSlaveNames) {
  mesos::TaskStatus status;
  status.mutable_task_id()->set_value("t1");
  status.set_state(mesos::TASK_LOST);
  status.mutable_slave_id()->set_value("M-S0");
  status.set_source(mesos::TaskStatus::SOURCE_SLAVE);
  status.set_reason(mesos::TaskStatus::REASON_SLAVE_REMOVED);
  EXPECT_EQ(toJsonString(status),
            R"json({"task_id":{"value":"t1"},"state":"TASK_LOST","source":"SOURCE_SLAVE",)json"
            R"json("reason":"REASON_SLAVE_REMOVED","slave_id":{"value":"M-S0"}})json");

  // v0 SlaveInfo has the extra defaulted `checkpoint`, after `domain`.
  mesos::SlaveInfo slave;
  slave.set_hostname("h1");
  EXPECT_EQ(toJsonString(slave), R"json({"hostname":"h1","port":5051,"checkpoint":false})json");
}

TEST(JsonOutput, OfferExampleFromProtocolIsReproducedExactly) {
  // PROTOCOL.md section 1.5: what a real master sends to a MULTI_ROLE +
  // RESERVATION_REFINEMENT framework. Parsing and writing it back must give
  // the identical text (key order, number formats, empty messages).
  // PROTOCOL.md drops the Event.Offers wrapper ("offers":[...]); a real
  // master (tour-1.12.jsonl) writes "offers":{"offers":[...]}, as here.
  const std::string offer =
      R"json({"id":{"value":"M-O3"},"framework_id":{"value":"M-0000"},)json"
      R"json("agent_id":{"value":"M-S0"},"hostname":"h1",)json"
      R"json("url":{"scheme":"http","address":{"hostname":"h1","ip":"10.0.0.2","port":5051},)json"
      R"json("path":"/slave(1)"},"resources":[)json"
      R"json({"name":"cpus","type":"SCALAR","scalar":{"value":2.0},"allocation_info":{"role":"r1"}},)json"
      R"json({"name":"disk","type":"SCALAR","scalar":{"value":64.0},"allocation_info":{"role":"r1"},)json"
      R"json("reservations":[{"type":"DYNAMIC","role":"r1","principal":"p"}],)json"
      R"json("disk":{"persistence":{"id":"vol1","principal":"p"},)json"
      R"json("volume":{"mode":"RW","container_path":"data"}},"shared":{}}],)json"
      R"json("allocation_info":{"role":"r1"}})json";
  const std::string text = R"json({"type":"OFFERS","offers":{"offers":[)json" + offer + "]}}";
  v1::scheduler::Event event;
  ASSERT_EQ(parseJson(text, &event), std::nullopt);
  EXPECT_EQ(toJsonString(event), text);

  const std::string asWrittenInProtocol = R"json({"type":"OFFERS","offers":[)json" + offer + "]}";
  EXPECT_EQ(parseJson(asWrittenInProtocol, &event),
            "Not expecting a JSON array for field 'offers'");
}

TEST(JsonOutput, ViaV0WritesV0OnlyFieldsWithV1Names) {
  JsonOptions viaV0;
  viaV0.viaV0 = true;

  v1::AgentInfo agent;
  agent.set_hostname("h1");
  EXPECT_EQ(toJsonString(agent, viaV0),
            R"json({"hostname":"h1","port":5051,"checkpoint":false})json");
  // A checkpoint the agent registered with travels as unknown field 7.
  agent.GetReflection()->MutableUnknownFields(&agent)->AddVarint(7, 1);
  EXPECT_EQ(toJsonString(agent, viaV0),
            R"json({"hostname":"h1","port":5051,"checkpoint":true})json");
  EXPECT_EQ(toJsonString(agent), R"json({"hostname":"h1","port":5051})json");

  // Everything else reads as plain v1.
  v1::TaskStatus status;
  status.mutable_task_id()->set_value("t1");
  status.set_state(v1::TASK_LOST);
  status.set_source(v1::TaskStatus::SOURCE_AGENT);
  status.set_reason(v1::TaskStatus::REASON_AGENT_REMOVED);
  status.mutable_agent_id()->set_value("M-S0");
  EXPECT_EQ(toJsonString(status, viaV0), toJsonString(status));
}

TEST(JsonOutput, EmptyArraysOptionAndOperatorOptions) {
  v1::master::Response response;
  response.set_type(v1::master::Response::GET_STATE);
  response.mutable_get_state()->mutable_get_tasks();
  response.mutable_get_state()->mutable_get_executors();
  response.mutable_get_state()->mutable_get_frameworks();
  response.mutable_get_state()
      ->mutable_get_agents()
      ->add_agents()
      ->mutable_agent_info()
      ->set_hostname("h1");
  // (Unset required fields such as `active` are simply not written.)
  EXPECT_EQ(toJsonString(response, operatorResponseJsonOptions()),
            R"json({"type":"GET_STATE","get_state":{)json"
            R"json("get_tasks":{"tasks":[],"unreachable_tasks":[],"completed_tasks":[]},)json"
            R"json("get_executors":{"executors":[]},)json"
            R"json("get_frameworks":{"frameworks":[],"completed_frameworks":[]},)json"
            R"json("get_agents":{"agents":[{"agent_info":{"hostname":"h1","port":5051,)json"
            R"json("checkpoint":false}}],"recovered_agents":[]}}})json");
}

TEST(JsonOutput, GetHealthResponse) {
  v1::master::Response response;
  response.set_type(v1::master::Response::GET_HEALTH);
  response.mutable_get_health()->set_healthy(true);
  EXPECT_EQ(toJsonString(response),
            R"json({"type":"GET_HEALTH","get_health":{"healthy":true}})json");
}

}  // namespace
}  // namespace svh::wire
