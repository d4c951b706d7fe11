// The JSON examples of Mesos docs/shared-resources.md, placeholders filled
// in: an offer holding dynamically reserved disk, and the CREATE operation
// that turns it into a shared persistent volume. They must parse and be
// written back with the same meaning.

#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <string>

#include "harness/wire/evolve.hpp"
#include "harness/wire/json_codec.hpp"
#include "mesos/mesos.pb.h"
#include "mesos/v1/mesos.pb.h"

namespace svh::wire {
namespace {

using google::protobuf::util::MessageDifferencer;

// The doc writes <offer_id> etc. where ID messages go.
constexpr char kDocOffer[] = R"({
  "allocation_info": { "role": "engineering" },
  "id" : { "value": "M-O7" },
  "framework_id" : { "value": "M-0001" },
  "slave_id" : { "value": "M-S0" },
  "hostname" : "agent1.example.com",
  "resources" : [
    {
      "allocation_info": { "role": "engineering" },
      "name" : "disk",
      "type" : "SCALAR",
      "scalar" : { "value" : 2048 },
      "role" : "engineering",
      "reservation" : {
        "principal" : "eng-framework"
      }
    }
  ]
})";

// The doc writes the type as Offer::Operation::CREATE; JSON has the name.
constexpr char kDocCreate[] = R"({
  "type" : "CREATE",
  "create": {
    "volumes" : [
      {
        "allocation_info": { "role": "engineering" },
        "name" : "disk",
        "type" : "SCALAR",
        "scalar" : { "value" : 2048 },
        "role" : "engineering",
        "reservation" : {
          "principal" : "eng-framework"
        },
        "disk": {
          "persistence": {
            "id" : "shared-dataset"
          },
          "volume" : {
            "container_path" : "dataset",
            "mode" : "RW"
          }
        },
        "shared" : {
        }
      }
    ]
  }
})";

// Writing `message` and reading it back gives an equivalent message, and the
// written JSON is a fixed point.
template <class T>
void expectSameMeaningAfterRewrite(const T& message) {
  const std::string once = toJsonString(message);
  T again;
  ASSERT_EQ(parseJson(once, &again), std::nullopt) << once;
  EXPECT_TRUE(MessageDifferencer::Equivalent(message, again)) << once;
  EXPECT_EQ(toJsonString(again), once);
}

TEST(SharedResourcesDoc, OfferParsesAsV0) {
  // The doc uses the v0 name slave_id.
  mesos::Offer offer;
  ASSERT_EQ(parseJson(kDocOffer, &offer), std::nullopt);
  EXPECT_EQ(offer.slave_id().value(), "M-S0");
  EXPECT_EQ(offer.allocation_info().role(), "engineering");
  ASSERT_EQ(offer.resources_size(), 1);
  const mesos::Resource& disk = offer.resources(0);
  EXPECT_EQ(disk.role(), "engineering");
  EXPECT_EQ(disk.reservation().principal(), "eng-framework");
  EXPECT_DOUBLE_EQ(disk.scalar().value(), 2048);
  EXPECT_FALSE(disk.has_shared());
  expectSameMeaningAfterRewrite(offer);

  // Evolved to v1 it is the offer a v1 framework sees, with agent_id.
  const auto v1Offer = evolve<mesos::v1::Offer>(offer);
  EXPECT_EQ(v1Offer.agent_id().value(), "M-S0");
  EXPECT_NE(toJsonString(v1Offer).find(R"("agent_id":{"value":"M-S0"})"), std::string::npos);
}

TEST(SharedResourcesDoc, OfferAsV1LacksAgentId) {
  // slave_id is an unknown key in v1, so the required agent_id is missing.
  mesos::v1::Offer offer;
  const auto error = parseJson(kDocOffer, &offer);
  ASSERT_TRUE(error.has_value());
  EXPECT_NE(error->find("Missing required fields: agent_id"), std::string::npos) << *error;
}

TEST(SharedResourcesDoc, CreateSharedVolume) {
  mesos::v1::Offer::Operation operation;
  ASSERT_EQ(parseJson(kDocCreate, &operation), std::nullopt);
  EXPECT_EQ(operation.type(), mesos::v1::Offer::Operation::CREATE);
  ASSERT_EQ(operation.create().volumes_size(), 1);
  const mesos::v1::Resource& volume = operation.create().volumes(0);
  EXPECT_TRUE(volume.has_shared());
  EXPECT_EQ(volume.disk().persistence().id(), "shared-dataset");
  EXPECT_FALSE(volume.disk().persistence().has_principal());
  EXPECT_EQ(volume.disk().volume().container_path(), "dataset");
  EXPECT_EQ(volume.disk().volume().mode(), mesos::v1::Volume::RW);
  EXPECT_EQ(volume.role(), "engineering");
  EXPECT_EQ(volume.allocation_info().role(), "engineering");
  expectSameMeaningAfterRewrite(operation);

  const std::string json = toJsonString(operation);
  EXPECT_NE(json.find(R"("shared":{})"), std::string::npos) << json;
  // Key order is Mesos's, not the doc's: mode before container_path.
  EXPECT_NE(json.find(R"("volume":{"mode":"RW","container_path":"dataset"})"), std::string::npos)
      << json;
}

}  // namespace
}  // namespace svh::wire
