// Resizing (SPEC 1.11, HEAD only): GROW_VOLUME and SHRINK_VOLUME are
// refused for shared volumes, through the scheduler API and the v1 operator
// API. A non-shared volume grown alongside shows the check can tell.

#include "harness/client/operator_client.hpp"
#include "harness/scenario/common_steps.hpp"
#include "suites/check.hpp"

namespace svh::suites {

using namespace harness;  // the story API reads best unqualified

class Resize : public Check {
 protected:
  // Whether the master lists `capability` among the agent's (GET_AGENTS).
  bool agentCan(OperatorClient& op, const std::string& agent_id, const std::string& capability) {
    mesos::v1::master::Call call;
    call.set_type(mesos::v1::master::Call::GET_AGENTS);
    auto response = op.v1Response(call);
    for (const auto& a : response.get_agents().agents()) {
      if (a.agent_info().id().value() != agent_id) continue;
      for (const auto& c : a.capabilities()) {
        if (mesos::v1::AgentInfo::Capability::Type_Name(c.type()) == capability) return true;
      }
    }
    return false;
  }
};

SVH_MIRRORS(Resize, ASharedVolumeCannotBeGrownOrShrunk,
            "GrowVolumeOperationValidationTest.Shared ShrinkVolumeOperationValidationTest.Shared");
SVH_CHECK(Resize, ASharedVolumeCannotBeGrownOrShrunk, "SV-RESIZE-1") {
  if (runOptions().profile == "mesos-1.1") {
    GTEST_SKIP() << "SV-RESIZE-1: resizing arrived in Mesos 1.6 (profile mesos-1.1)";
  }
  auto& agent = cluster().agents().front();
  const std::string role = ownRole("resize");
  Framework fw(cluster().master(), {.role = role, .content_type = runOptions().content_type});
  fw.subscribe();
  auto v1 = volume("v1").role(role).size(32).shared();
  auto w1 = volume("w1").role(role).size(32);
  auto offer = fw.awaitOffer(allOf({onAgent(agent.id), hasScalar("disk", 128, "*")}),
                             "an offer with 128 MB of unreserved disk");
  fw.accept(offer, {reserve({reservedTo(disk(128), role, "svharness")}), create({v1, w1})});
  offer = fw.awaitOffer(allOf({onAgent(agent.id), hasSharedVolume("v1"), hasVolume("w1"),
                               hasScalar("disk", 64, role)}),
                        "an offer with v1, w1 and 64 MB of reserved disk");
  auto size = [](const Offer& o, const std::string& id) {
    auto found = findVolume(o, id);
    return found ? found->scalar().value() : -1.0;
  };
  auto addition = reservedTo(disk(16), role, "svharness");

  fw.accept(offer, {growVolume(*findVolume(offer, "v1"), addition)});
  offer = fw.awaitOffer(allOf({returnedFrom(offer), hasSharedVolume("v1")}),
                        "an offer after GROW_VOLUME of v1");
  EXPECT_EQ(size(offer, "v1"), 32) << "SV-RESIZE-1: shared v1 grew: " << describe(offer);
  EXPECT_DOUBLE_EQ(scalarIn(offer, "disk", role), 64) << describe(offer);

  fw.accept(offer, {shrinkVolume(*findVolume(offer, "v1"), 16)});
  offer = fw.awaitOffer(allOf({returnedFrom(offer), hasSharedVolume("v1")}),
                        "an offer after SHRINK_VOLUME of v1");
  EXPECT_EQ(size(offer, "v1"), 32) << "SV-RESIZE-1: shared v1 shrank: " << describe(offer);

  // The same GROW of the non-shared w1 works, on an agent that can resize.
  OperatorClient op(cluster().master());
  if (agentCan(op, agent.id, "RESIZE_VOLUME")) {
    fw.accept(offer, {growVolume(*findVolume(offer, "w1"), addition)});
    offer = fw.awaitOffer(
        allOf({onAgent(agent.id), [&](const Offer& o) { return size(o, "w1") == 48; }}),
        "an offer with w1 grown to 48 MB");
  } else {
    outcome("SV-RESIZE-1", "agent " + agent.id + " cannot resize, so w1 was not grown");
  }
  fw.decline(offer);

  // The v1 operator API says why.
  mesos::v1::master::Call grow;
  grow.set_type(mesos::v1::master::Call::GROW_VOLUME);
  grow.mutable_grow_volume()->mutable_agent_id()->set_value(agent.id);
  *grow.mutable_grow_volume()->mutable_volume() = v1.build();
  *grow.mutable_grow_volume()->mutable_addition() = addition;
  auto answer = op.v1(grow, runOptions().content_type);
  EXPECT_EQ(answer.result_int(), 400) << answer.body();
  EXPECT_NE(answer.body().find("Growing a shared persistent volume is not supported"),
            std::string::npos)
      << answer.body();
  mesos::v1::master::Call shrink;
  shrink.set_type(mesos::v1::master::Call::SHRINK_VOLUME);
  shrink.mutable_shrink_volume()->mutable_agent_id()->set_value(agent.id);
  *shrink.mutable_shrink_volume()->mutable_volume() = v1.build();
  shrink.mutable_shrink_volume()->mutable_subtract()->set_value(16);
  answer = op.v1(shrink, runOptions().content_type);
  EXPECT_EQ(answer.result_int(), 400) << answer.body();
  EXPECT_NE(answer.body().find("Shrinking a shared persistent volume is not supported"),
            std::string::npos)
      << answer.body();
  asserted("SV-RESIZE-1");
}

}  // namespace svh::suites
