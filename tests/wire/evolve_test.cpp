// v0 <-> v1 conversion and the generated v0 schema (cmake/v0_from_v1.cmake).

#include "harness/wire/evolve.hpp"

#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <string>

#include "harness/wire/json_codec.hpp"
#include "harness/wire/uuid.hpp"
#include "mesos/mesos.pb.h"
#include "mesos/v1/mesos.pb.h"
#include "tests/wire/test_support.hpp"

namespace svh::wire {
namespace {

using google::protobuf::util::MessageDifferencer;

TEST(Evolve, TaskStatusRoundTrip) {
  mesos::TaskStatus v0;
  v0.mutable_task_id()->set_value("t1");
  v0.set_state(mesos::TASK_RUNNING);
  v0.set_source(mesos::TaskStatus::SOURCE_SLAVE);
  v0.set_reason(mesos::TaskStatus::REASON_SLAVE_RESTARTED);
  v0.mutable_slave_id()->set_value("M-S0");
  v0.set_uuid(randomUuidBytes());
  v0.set_timestamp(1795602656.5);

  const auto v1 = evolve<mesos::v1::TaskStatus>(v0);
  EXPECT_EQ(v1.agent_id().value(), "M-S0");
  EXPECT_EQ(v1.source(), mesos::v1::TaskStatus::SOURCE_AGENT);
  EXPECT_EQ(v1.reason(), mesos::v1::TaskStatus::REASON_AGENT_RESTARTED);
  EXPECT_EQ(v1.uuid(), v0.uuid());
  EXPECT_TRUE(test::unknownFields(v1).empty());

  const auto back = devolve<mesos::TaskStatus>(v1);
  EXPECT_TRUE(MessageDifferencer::Equals(v0, back));

  EXPECT_NE(toJsonString(v0).find(R"("slave_id":{"value":"M-S0"})"), std::string::npos);
  EXPECT_NE(toJsonString(v1).find(R"("agent_id":{"value":"M-S0"})"), std::string::npos);
  EXPECT_EQ(toJsonString(v0).find("agent"), std::string::npos);
}

TEST(Evolve, V0OnlyFieldSurvivesAsUnknown) {
  mesos::SlaveInfo slave;
  slave.set_hostname("h1");
  slave.set_checkpoint(true);
  const auto agent = evolve<mesos::v1::AgentInfo>(slave);
  EXPECT_EQ(test::unknownFields(agent), std::vector<std::string>{"#7"});
  EXPECT_TRUE(devolve<mesos::SlaveInfo>(agent).checkpoint());
}

TEST(Evolve, PartialMessagesConvert) {
  mesos::v1::Offer offer;  // all required fields missing
  offer.set_hostname("h");
  EXPECT_EQ(devolve<mesos::Offer>(offer).hostname(), "h");
}

TEST(V0Schema, RenamesAndSameNumbers) {
  const auto* v0 = mesos::TaskStatus::descriptor();
  const auto* v1 = mesos::v1::TaskStatus::descriptor();
  ASSERT_EQ(v0->field_count(), v1->field_count());
  for (int i = 0; i < v0->field_count(); ++i) {
    EXPECT_EQ(v0->field(i)->number(), v1->field(i)->number());
  }
  EXPECT_NE(v0->FindFieldByName("slave_id"), nullptr);
  EXPECT_EQ(v0->FindFieldByName("agent_id"), nullptr);
  EXPECT_EQ(v0->file()->package(), "mesos");
  EXPECT_NE(mesos::TaskStatus::Reason_descriptor()->FindValueByName("REASON_SLAVE_DRAINING"),
            nullptr);

  const auto* slave = mesos::SlaveInfo::descriptor();
  const auto* checkpoint = slave->FindFieldByName("checkpoint");
  ASSERT_NE(checkpoint, nullptr);
  EXPECT_EQ(checkpoint->number(), 7);
  EXPECT_TRUE(checkpoint->has_default_value());
  EXPECT_EQ(mesos::v1::AgentInfo::descriptor()->FindFieldByName("checkpoint"), nullptr);
  // The agent capability enum keeps its AGENT_ names in v0 too.
  EXPECT_NE(mesos::SlaveInfo::Capability::Type_descriptor()->FindValueByName("AGENT_DRAINING"),
            nullptr);
}

}  // namespace
}  // namespace svh::wire
