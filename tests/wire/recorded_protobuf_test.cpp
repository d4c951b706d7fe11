// Bytes recorded from a real Mesos 1.12 master (tests/data/mesos-1.12):
// scheduler events for a protobuf-subscribed framework (roles eng,
// MULTI_ROLE + SHARED_RESOURCES, shared volume shv1) and a GET_STATE body.
// Our subset must decode them, know every field at the levels we model, and
// encode them back.

#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "harness/wire/json_codec.hpp"
#include "mesos/v1/master/master.pb.h"
#include "mesos/v1/mesos.pb.h"
#include "mesos/v1/scheduler/scheduler.pb.h"
#include "tests/wire/test_support.hpp"

namespace svh::wire {
namespace {

namespace v1 = mesos::v1;
using google::protobuf::util::MessageDifferencer;
using test::dataPath;
using test::readFile;
using test::unknownFields;

constexpr char kMasterId[] = "2a486565-67e8-4025-bc90-3bf50bf5a1ec";

template <class T>
T decode(const std::string& file) {
  const std::string bytes = readFile(dataPath("mesos-1.12/" + file));
  EXPECT_FALSE(bytes.empty()) << file;
  T message;
  EXPECT_TRUE(message.ParseFromString(bytes)) << file << " (missing required fields?)";
  return message;
}

// Encode, decode: the same message; and the same bytes when nothing was
// unknown (protobuf writes unknown fields last, so their position moves).
template <class T>
void expectReencodes(const T& message, const std::string& original) {
  const std::string bytes = message.SerializeAsString();
  T again;
  ASSERT_TRUE(again.ParseFromString(bytes));
  EXPECT_TRUE(MessageDifferencer::Equals(message, again));
  if (unknownFields(message).empty()) {
    EXPECT_EQ(bytes, original);
  }
}

// And through our JSON: an equivalent message again.
template <class T>
void expectJsonRoundTrip(const T& message) {
  T again;
  ASSERT_EQ(parseJson(toJsonString(message), &again), std::nullopt);
  MessageDifferencer differencer;
  differencer.set_message_field_comparison(MessageDifferencer::EQUIVALENT);
  std::string diff;
  differencer.ReportDifferencesToString(&diff);
  // Unknown fields cannot go through JSON; compare only what we model.
  T known = message;
  known.DiscardUnknownFields();
  EXPECT_TRUE(differencer.Compare(known, again)) << diff;
}

TEST(RecordedProtobuf, Subscribed) {
  const auto event = decode<v1::scheduler::Event>("scheduler-event-0-subscribed.pb");
  EXPECT_EQ(unknownFields(event), std::vector<std::string>{});
  ASSERT_EQ(event.type(), v1::scheduler::Event::SUBSCRIBED);
  const auto& subscribed = event.subscribed();
  EXPECT_EQ(subscribed.framework_id().value(), std::string(kMasterId) + "-0000");
  EXPECT_DOUBLE_EQ(subscribed.heartbeat_interval_seconds(), 15.0);
  const v1::MasterInfo& master = subscribed.master_info();
  EXPECT_EQ(master.id(), kMasterId);
  EXPECT_EQ(master.ip(), 16777343u);  // 127.0.0.1, network byte order
  EXPECT_EQ(master.pid(), "master@127.0.0.1:" + std::to_string(master.port()));
  EXPECT_EQ(master.version(), "1.12.0");
  EXPECT_EQ(master.address().ip(), "127.0.0.1");
  ASSERT_EQ(master.capabilities_size(), 3);
  EXPECT_EQ(master.capabilities(2).type(), v1::MasterInfo::Capability::QUOTA_V2);

  expectReencodes(event, readFile(dataPath("mesos-1.12/scheduler-event-0-subscribed.pb")));
  expectJsonRoundTrip(event);
}

TEST(RecordedProtobuf, Heartbeat) {
  const auto event = decode<v1::scheduler::Event>("scheduler-event-1-heartbeat.pb");
  EXPECT_EQ(event.type(), v1::scheduler::Event::HEARTBEAT);
  EXPECT_EQ(toJsonString(event), R"({"type":"HEARTBEAT"})");
  expectReencodes(event, readFile(dataPath("mesos-1.12/scheduler-event-1-heartbeat.pb")));
}

TEST(RecordedProtobuf, OfferWithSharedVolume) {
  const auto event = decode<v1::scheduler::Event>("scheduler-event-2-offers.pb");
  EXPECT_EQ(unknownFields(event), std::vector<std::string>{});
  ASSERT_EQ(event.type(), v1::scheduler::Event::OFFERS);
  ASSERT_EQ(event.offers().offers_size(), 1);
  const v1::Offer& offer = event.offers().offers(0);
  EXPECT_EQ(offer.id().value(), std::string(kMasterId) + "-O0");
  EXPECT_EQ(offer.framework_id().value(), std::string(kMasterId) + "-0000");
  EXPECT_EQ(offer.agent_id().value(), std::string(kMasterId) + "-S0");
  EXPECT_EQ(offer.hostname(), "localhost");
  EXPECT_EQ(offer.allocation_info().role(), "eng");
  EXPECT_EQ(offer.url().scheme(), "http");
  EXPECT_EQ(offer.url().path(), "/slave(1)");
  EXPECT_EQ(offer.url().address().ip(), "127.0.0.1");

  // The framework lacks RESERVATION_REFINEMENT: pre-refinement format,
  // every resource allocated to eng (MULTI_ROLE).
  ASSERT_EQ(offer.resources_size(), 6);
  int volumes = 0;
  for (const v1::Resource& r : offer.resources()) {
    EXPECT_EQ(r.allocation_info().role(), "eng") << r.name();
    EXPECT_TRUE(r.has_role()) << r.name();
    EXPECT_EQ(r.reservations_size(), 0) << r.name();
    if (!r.has_disk()) {
      EXPECT_FALSE(r.has_shared());
      continue;
    }
    ++volumes;
    EXPECT_TRUE(r.has_shared());
    EXPECT_EQ(r.role(), "eng");
    EXPECT_EQ(r.scalar().value(), 256.0);
    EXPECT_EQ(r.disk().persistence().id(), "shv1");
    EXPECT_EQ(r.disk().volume().container_path(), "data");
    EXPECT_EQ(r.disk().volume().mode(), v1::Volume::RW);
  }
  EXPECT_EQ(volumes, 1);
  const v1::Resource& ports = offer.resources(1);
  EXPECT_EQ(ports.type(), v1::Value::RANGES);
  EXPECT_EQ(ports.ranges().range(0).begin(), 31000u);
  EXPECT_EQ(ports.ranges().range(0).end(), 32000u);

  // The JSON a JSON-subscribed framework would get.
  const std::string json = toJsonString(event);
  EXPECT_NE(json.find(R"("disk":{"persistence":{"id":"shv1"},)"
                      R"("volume":{"mode":"RW","container_path":"data"}},"shared":{}})"),
            std::string::npos)
      << json;

  expectReencodes(event, readFile(dataPath("mesos-1.12/scheduler-event-2-offers.pb")));
  expectJsonRoundTrip(event);
}

TEST(RecordedProtobuf, GetStateResponse) {
  const auto response = decode<v1::master::Response>("operator-get-state-response.pb");
  // The one thing we do not model is what Mesos itself does not model in
  // v1: the v0-only SlaveInfo.checkpoint (7) travels inside AgentInfo.
  EXPECT_EQ(unknownFields(response),
            std::vector<std::string>{"get_state.get_agents.agents[0].agent_info#7"});
  ASSERT_EQ(response.type(), v1::master::Response::GET_STATE);
  const auto& state = response.get_state();
  EXPECT_TRUE(state.has_get_tasks());
  EXPECT_TRUE(state.has_get_executors());

  ASSERT_EQ(state.get_frameworks().frameworks_size(), 1);
  const auto& framework = state.get_frameworks().frameworks(0);
  EXPECT_EQ(framework.framework_info().user(), "root");
  EXPECT_EQ(framework.framework_info().name(), "recorder");
  EXPECT_EQ(framework.framework_info().roles(0), "eng");
  ASSERT_EQ(framework.framework_info().capabilities_size(), 2);
  EXPECT_EQ(framework.framework_info().capabilities(0).type(),
            v1::FrameworkInfo::Capability::MULTI_ROLE);
  EXPECT_EQ(framework.framework_info().capabilities(1).type(),
            v1::FrameworkInfo::Capability::SHARED_RESOURCES);
  EXPECT_TRUE(framework.active());
  EXPECT_TRUE(framework.connected());
  EXPECT_FALSE(framework.recovered());
  EXPECT_TRUE(framework.has_offer_constraints());
  EXPECT_GT(framework.registered_time().nanoseconds(), 1700000000LL * 1000000000LL);

  // Offers in the operator API are post-refinement: reservations, no role.
  ASSERT_EQ(framework.offers_size(), 1);
  const v1::Offer& offer = framework.offers(0);
  bool sawVolume = false;
  for (const v1::Resource& r : offer.resources()) {
    EXPECT_FALSE(r.has_role()) << r.name();
    if (r.has_disk()) {
      sawVolume = true;
      EXPECT_TRUE(r.has_shared());
      EXPECT_EQ(r.disk().persistence().id(), "shv1");
      ASSERT_EQ(r.reservations_size(), 1);
      EXPECT_EQ(r.reservations(0).type(), v1::Resource::ReservationInfo::STATIC);
      EXPECT_EQ(r.reservations(0).role(), "eng");
    }
  }
  EXPECT_TRUE(sawVolume);

  // offered_resources use the "endpoint" format: role and reservations.
  ASSERT_EQ(framework.offered_resources_size(), 6);
  for (const v1::Resource& r : framework.offered_resources()) {
    EXPECT_TRUE(r.has_role()) << r.name();
    EXPECT_EQ(r.allocation_info().role(), "eng");
  }

  ASSERT_EQ(state.get_agents().agents_size(), 1);
  const auto& agent = state.get_agents().agents(0);
  EXPECT_EQ(agent.agent_info().hostname(), "localhost");
  EXPECT_EQ(agent.agent_info().id().value(), std::string(kMasterId) + "-S0");
  EXPECT_EQ(agent.agent_info().resources_size(), 5);
  EXPECT_TRUE(agent.active());
  EXPECT_TRUE(agent.has_deactivated());
  EXPECT_FALSE(agent.deactivated());
  EXPECT_EQ(agent.version(), "1.12.0");
  EXPECT_EQ(agent.pid(), "slave(1)@127.0.0.1:" + std::to_string(agent.agent_info().port()));
  EXPECT_EQ(agent.capabilities_size(), 8);
  EXPECT_EQ(agent.capabilities(7).type(), v1::AgentInfo::Capability::TASK_RESOURCE_LIMITS);
  bool sawTotalVolume = false;
  for (const v1::Resource& r : agent.total_resources()) {
    if (r.has_disk()) {
      sawTotalVolume = true;
      EXPECT_EQ(r.role(), "eng");
      EXPECT_EQ(r.reservations(0).role(), "eng");
      EXPECT_TRUE(r.has_shared());
    }
  }
  EXPECT_TRUE(sawTotalVolume);

  expectReencodes(response, readFile(dataPath("mesos-1.12/operator-get-state-response.pb")));
  expectJsonRoundTrip(response);
}

}  // namespace
}  // namespace svh::wire
