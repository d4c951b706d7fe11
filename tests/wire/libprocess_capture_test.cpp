// Every libprocess message a real Mesos 1.12 master, agent and executors
// exchanged (tests/data/mesos-1.12/libprocess-1.12.json) must decode as the
// mesos.internal type named in its path, with no unknown field: this proves
// our field numbers for the agent protocol.

#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "harness/wire/base64.hpp"
#include "harness/wire/json_codec.hpp"
#include "harness/wire/message_registry.hpp"
#include "harness/wire/upid.hpp"
#include "mesos/internal/messages.pb.h"
#include "tests/wire/test_support.hpp"

namespace svh::wire {
namespace {

struct Captured {
  std::string path;
  std::string name;  // last path segment, e.g. mesos.internal.PingSlaveMessage
  std::string from;  // Libprocess-From header
  std::string body;
};

std::vector<Captured> capture() {
  const auto json =
      nlohmann::json::parse(test::readFile(test::dataPath("mesos-1.12/libprocess-1.12.json")));
  std::vector<Captured> out;
  for (const auto& entry : json) {
    Captured c;
    c.path = entry.at("path").get<std::string>();
    c.name = c.path.substr(c.path.rfind('/') + 1);
    c.from = entry.at("headers").value("Libprocess-From", "");
    std::string error;
    std::optional<std::string> body = base64Decode(entry.at("body_b64").get<std::string>(), &error);
    EXPECT_TRUE(body.has_value()) << c.path << ": " << error;
    c.body = body.value_or("");
    EXPECT_EQ(c.body.size(), entry.at("body_len").get<size_t>()) << c.path;
    out.push_back(std::move(c));
  }
  return out;
}

TEST(LibprocessCapture, EveryMessageDecodesAsItsNamedType) {
  std::map<std::string, int> decoded;
  for (const Captured& c : capture()) {
    SCOPED_TRACE(c.path);
    std::unique_ptr<google::protobuf::Message> message = newMessage(c.name);
    ASSERT_NE(message, nullptr) << "we do not model " << c.name;
    ASSERT_TRUE(message->ParseFromString(c.body)) << "missing required fields?";
    EXPECT_EQ(test::unknownFields(*message), std::vector<std::string>{});
    // Re-encoding gives the bytes Mesos sent.
    EXPECT_EQ(message->SerializeAsString(), c.body);
    // The sender header is a valid UPID.
    EXPECT_TRUE(Upid::parse(c.from).has_value()) << c.from;
    ++decoded[c.name];
  }
  EXPECT_GE(decoded.size(), 14u);
}

TEST(LibprocessCapture, RegistrationAndStatusUpdateContent) {
  bool sawRegister = false;
  bool sawUpdate = false;
  for (const Captured& c : capture()) {
    if (c.name == "mesos.internal.RegisterSlaveMessage") {
      mesos::internal::RegisterSlaveMessage m;
      ASSERT_TRUE(m.ParseFromString(c.body));
      sawRegister = true;
      EXPECT_EQ(m.version(), "1.12.0");
      EXPECT_TRUE(m.slave().checkpoint());  // the v0-only field
      EXPECT_FALSE(m.slave().has_id());
      EXPECT_EQ(m.agent_capabilities_size(), 8);
      EXPECT_EQ(m.resource_version_uuid().value().size(), 16u);
      // v0 JSON of it says slave_id-style names and "checkpoint":true.
      EXPECT_NE(toJsonString(m).find(R"("checkpoint":true)"), std::string::npos);
    }
    if (c.name == "mesos.internal.StatusUpdateMessage" && !sawUpdate) {
      mesos::internal::StatusUpdateMessage m;
      ASSERT_TRUE(m.ParseFromString(c.body));
      sawUpdate = true;
      EXPECT_TRUE(Upid::parse(m.pid()).has_value()) << m.pid();
      EXPECT_EQ(m.update().uuid().size(), 16u);
      EXPECT_EQ(m.update().status().uuid(), m.update().uuid());
      EXPECT_TRUE(m.update().has_slave_id());
      EXPECT_NE(toJsonString(m).find(R"("slave_id":)"), std::string::npos);
    }
    if (c.name == "mesos.internal.PongSlaveMessage") {
      EXPECT_TRUE(c.body.empty());
    }
  }
  EXPECT_TRUE(sawRegister);
  EXPECT_TRUE(sawUpdate);
}

TEST(LibprocessCapture, RegistryKnowsAllInternalMessages) {
  for (const char* name : {"mesos.internal.RegisterSlaveMessage",
                           "mesos.internal.ReregisterSlaveMessage",
                           "mesos.internal.SlaveRegisteredMessage",
                           "mesos.internal.SlaveReregisteredMessage",
                           "mesos.internal.UnregisterSlaveMessage",
                           "mesos.internal.PingSlaveMessage",
                           "mesos.internal.PongSlaveMessage",
                           "mesos.internal.RunTaskMessage",
                           "mesos.internal.RunTaskGroupMessage",
                           "mesos.internal.KillTaskMessage",
                           "mesos.internal.StatusUpdateMessage",
                           "mesos.internal.StatusUpdateAcknowledgementMessage",
                           "mesos.internal.CheckpointResourcesMessage",
                           "mesos.internal.ApplyOperationMessage",
                           "mesos.internal.UpdateOperationStatusMessage",
                           "mesos.internal.AcknowledgeOperationStatusMessage",
                           "mesos.internal.ReconcileOperationsMessage",
                           "mesos.internal.UpdateSlaveMessage",
                           "mesos.internal.ReconcileTasksMessage",
                           "mesos.internal.ShutdownFrameworkMessage",
                           "mesos.internal.ShutdownExecutorMessage",
                           "mesos.internal.UpdateFrameworkMessage",
                           "mesos.internal.FrameworkToExecutorMessage",
                           "mesos.internal.ExecutorToFrameworkMessage",
                           "mesos.internal.ExitedExecutorMessage",
                           "mesos.internal.ShutdownMessage",
                           "mesos.internal.DrainSlaveMessage",
                           "mesos.internal.Archive",
                           "mesos.v1.scheduler.Call",
                           "mesos.v1.master.Response",
                           "mesos.SlaveInfo"}) {
    EXPECT_NE(findMessageType(name), nullptr) << name;
  }
  EXPECT_EQ(findMessageType("mesos.internal.NoSuchMessage"), nullptr);
  EXPECT_EQ(newMessage("mesos.internal.NoSuchMessage"), nullptr);
}

}  // namespace
}  // namespace svh::wire
