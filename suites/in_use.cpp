// What "in use" means (SPEC SV-DESTROY-1, SV-DESTROY-4, PV-OFFER-1): every
// task that uses a volume counts, whichever framework it belongs to and
// whatever state it is in before it ends, including a task launched a moment
// ago in the same ACCEPT. Masters that look at only some of those tasks
// destroy or offer a volume under a running task.

#include "harness/scenario/common_steps.hpp"
#include "suites/check.hpp"

namespace svh::suites {

using namespace harness;  // the story API reads best unqualified

class InUse : public Check {
 protected:
  // A task on `volume` that reads what it wrote before, then runs until
  // killed: it exits non-zero (TASK_FAILED) if the file changes under it.
  static TaskBuilder guard(const std::string& name, const std::string& agent_id,
                           const VolumeBuilder& volume) {
    return task(name).on(agent_id).uses(volume).command(
        "echo " + name + " > data/" + name + " && touch started && "
        "while test \"$(cat data/" + name + ")\" = " + name + "; do sleep 0.05; done; exit 1");
  }
};

// SV-DESTROY-1: "for any framework. The framework that asks does not matter."
SVH_CHECK(InUse, AnotherFrameworksTaskKeepsTheVolumeFromADestroy,
          "SV-DESTROY-1 SV-DESTROY-2 H-DATA-4 SV-LAUNCH-3") {
  auto& agent = cluster().agents().front();
  const std::string role = ownRole("inuse");
  Framework owner(cluster().master(), spec(role));
  owner.subscribe();
  auto v1 = volume("v1").role(role).size(32).shared();
  auto offer = createVolumes(owner, agent.id, {v1});
  auto user = guard("user", agent.id, v1);
  owner.accept(offer, {launch({user})});
  owner.awaitTaskState(user.taskId(), {TASK_RUNNING});

  // Another framework of the role, which has no task on v1, destroys it.
  Framework other(cluster().master(), spec(role));
  other.subscribe();
  offer = other.awaitOffer(allOf({onAgent(agent.id), hasSharedVolume("v1")}),
                           "the other framework: an offer with v1 while the owner's task uses it");
  other.accept(offer, {destroy({offered(offer, "v1")})});
  // Refused: still offered, and the owner's task goes on undisturbed.
  other.decline(other.awaitOffer(allOf({returnedFrom(offer), hasSharedVolume("v1")}),
                                 "an offer with v1 after the other framework's DESTROY"));
  expectUndisturbed(owner, user.taskId());
  owner.kill(user.taskId(), agent.id);
  owner.awaitTaskState(user.taskId(), {TASK_KILLED});
  // The guard saw its data unchanged until it was killed (else TASK_FAILED).
  asserted("SV-DESTROY-1 SV-DESTROY-2 H-DATA-4 SV-LAUNCH-3");
}

// SV-DESTROY-4, second half: with [LAUNCH(t uses V), DESTROY(V)] the launch
// makes V used at once, in every version. The ACCEPT uses two offers that
// each hold V (offer_filters let the second hold V alone), so a copy is
// left for the DESTROY after the launch: only the task's use can stop it.
SVH_CHECK(InUse, ATaskLaunchedEarlierInTheSameAcceptKeepsTheVolumeFromADestroy,
          "SV-DESTROY-4 SV-DESTROY-1 H-DATA-4") {
  if (runOptions().profile == "mesos-1.1") {
    GTEST_SKIP() << "two accepted copies of one shared volume in an ACCEPT with a DESTROY would "
                    "abort a Mesos 1.1 master (OQ-12; profile mesos-1.1)";
  }
  auto& agent = cluster().agents().front();
  const std::string role = ownRole("inuse");
  auto with_filters = spec(role);
  with_filters.min_allocatable = {{"disk", 1}};
  Framework fw(cluster().master(), with_filters);
  fw.subscribe();
  auto v1 = volume("v1").role(role).size(32).shared();
  auto first = createVolumes(fw, agent.id, {v1});
  auto second = fw.awaitOffer(allOf({onAgent(agent.id), hasSharedVolume("v1")}),
                              "a second offer with v1 while the first is held");
  ASSERT_NE(first.id().value(), second.id().value());

  auto user = guard("user", agent.id, v1);
  Call call;
  call.set_type(Call::ACCEPT);
  *call.mutable_accept()->add_offer_ids() = first.id();
  *call.mutable_accept()->add_offer_ids() = second.id();
  *call.mutable_accept()->add_operations() = launch({user});
  *call.mutable_accept()->add_operations() = destroy({offered(first, "v1")});
  call.mutable_accept()->mutable_filters()->set_refuse_seconds(0);
  fw.client().call(call);
  fw.awaitTaskState(user.taskId(), {TASK_RUNNING});
  fw.decline(fw.awaitOffer(allOf({returnedFrom(first, 0.1), hasSharedVolume("v1")}),
                           "an offer with v1 after [LAUNCH(t uses v1), DESTROY(v1)]"));
  expectUndisturbed(fw, user.taskId());
  fw.kill(user.taskId(), agent.id);
  fw.awaitTaskState(user.taskId(), {TASK_KILLED});
  asserted("SV-DESTROY-4 SV-DESTROY-1 H-DATA-4");
}

// PV-OFFER-1: withheld "from all offers", not only from the framework whose
// task uses it.
SVH_CHECK(InUse, ANonSharedVolumeInUseIsWithheldFromEveryFrameworkOfTheRole, "PV-OFFER-1") {
  auto& agent = cluster().agents().front();
  const std::string role = ownRole("inuse");
  Framework owner(cluster().master(), spec(role));
  owner.subscribe();
  auto w1 = volume("w1").role(role).size(32);
  auto offer = createVolumes(owner, agent.id, {w1});
  auto user = task("user").on(agent.id).uses(w1).command(runUntilKilled());
  owner.accept(offer, {launch({user})});
  owner.awaitTaskState(user.taskId(), {TASK_RUNNING});

  Framework other(cluster().master(), spec(role));
  other.subscribe();
  for (int round = 0; round < 3; ++round) {
    other.decline(other.awaitOfferWithout(hasVolume("w1"),
                                          "the non-shared volume w1 the owner's task uses",
                                          allOf({onAgent(agent.id), hasScalar("cpus", 0.1)}),
                                          "an offer of the agent to the other framework"));
  }
  owner.kill(user.taskId(), agent.id);
  owner.awaitTaskState(user.taskId(), {TASK_KILLED});
  other.decline(other.awaitOffer(allOf({onAgent(agent.id), hasVolume("w1")}),
                                 "the other framework: an offer with w1 once its task ended"));
  asserted("PV-OFFER-1");
}

}  // namespace svh::suites
