// Data lifecycle (SPEC H-DATA, H-STATE-1, SV-CREATE-4): where a volume's
// data lives on the agent, who sees it and for how long (also once the
// agent's GC removed the sandboxes of the tasks that used it), and whether
// the master's state agrees with its offers.

#include <chrono>

#include "fakes/common/duration.hpp"
#include "harness/client/operator_client.hpp"
#include "harness/scenario/common_steps.hpp"
#include "harness/scenario/files.hpp"
#include "harness/util/eventually.hpp"
#include "suites/check.hpp"

namespace svh::suites {

using namespace harness;  // the story API reads best unqualified

class DataLifecycle : public Check {};

SVH_MIRRORS(DataLifecycle, LaterTasksSeeWhatEarlierTasksWrote,
            "PersistentVolumeTest.AccessPersistentVolume");
SVH_CHECK(DataLifecycle, LaterTasksSeeWhatEarlierTasksWrote, "H-DATA-1 H-DATA-2") {
  auto& agent = cluster().agents().front();
  const std::string role = ownRole("data");
  Framework fw(cluster().master(), spec(role));
  fw.subscribe();
  auto w1 = volume("w1").role(role).size(32);
  auto offer = createVolumes(fw, agent.id, {w1});
  auto writer = task("writer").on(agent.id).uses(w1).command("echo first > data/f");
  fw.accept(offer, {launch({writer})});
  fw.awaitTaskState(writer.taskId(), {TASK_FINISHED});

  offer = fw.awaitOffer(allOf({onAgent(agent.id), hasVolume("w1")}),
                        "an offer with w1 after its writer finished");
  auto reader = task("reader").on(agent.id).uses(w1).command("test \"$(cat data/f)\" = first");
  fw.accept(offer, {launch({reader})});
  auto end = fw.awaitTaskState(reader.taskId(), {TASK_FINISHED, TASK_FAILED});
  EXPECT_EQ(end.state(), TASK_FINISHED)
      << "H-DATA-2: a later task did not find what an earlier one wrote: " << describe(end);
  asserted("H-DATA-1 H-DATA-2");
}

// H-DATA-5 (MESOS-7366): the agent's sandbox GC removes an ended task's
// sandbox, in which the task left symlinks to the volume (its view, a file
// in it and, on our agents, the volume's backing directory); the volume's
// data stays, for the next task. The run's svh-agents have a short
// --gc_delay (ClusterOptions::gc_delay); /state tells when the GC removed a
// sandbox (svh-agent's /state does; an agent whose /state does not, or
// whose --gc_delay is too long to wait for, skips the check).
SVH_CHECK(DataLifecycle, RemovingAnEndedTasksSandboxLeavesTheVolumeData, "H-DATA-5") {
  auto& agent = cluster().agents().front();
  if (!agent.state().contains("removed_sandboxes")) {
    GTEST_SKIP() << "agent " << agent.id
                 << "'s /state does not say when it removed a sandbox (svh-agent's does)";
  }
  std::string delay_flag = agent.flags()["flags"].value("gc_delay", "");
  auto delay = fakes::parseDuration(delay_flag);
  ASSERT_TRUE(delay.has_value()) << "the agent's /flags has no gc_delay: '" << delay_flag << "'";
  if (*delay > std::chrono::minutes(2)) {
    GTEST_SKIP() << "agent " << agent.id << " removes sandboxes after --gc_delay=" << delay_flag
                 << ", too long to wait for (svharness starts its agents with 10secs)";
  }
  const std::string role = ownRole("data");
  Framework fw(cluster().master(), spec(role));
  fw.subscribe();
  auto v1 = volume("v1").role(role).size(32).shared();
  auto offer = createVolumes(fw, agent.id, {v1});
  std::string links = "ln -s data view-link && ln -s \"$PWD/data/f\" file-link";
  std::filesystem::path backing;
  if (auto why = needsLocalAgents()) {
    skipPart("H-DATA-5", "a link to the volume's backing directory: " + *why);
  } else {
    backing = volumeDir(agent, role, "v1");
    links += " && ln -s '" + backing.string() + "' backing-link";
  }
  auto writer = task("writer").on(agent.id).uses(v1).command(
      "echo precious > data/f && mkdir data/sub && echo deep > data/sub/g && " + links);
  fw.accept(offer, {launch({writer})});
  auto end = fw.awaitTaskState(writer.taskId(), {TASK_FINISHED, TASK_FAILED});
  ASSERT_EQ(end.state(), TASK_FINISHED) << "the writer could not set up: " << describe(end);
  auto sandbox = agent.sandboxOf(writer.taskId());

  const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(*delay) + kDefaultWait;
  auto removed = [&] {
    for (const auto& t : agent.state().value("completed_tasks", nlohmann::json::array())) {
      if (t.value("id", "") == writer.taskId()) return t.value("sandbox_removed", false);
    }
    return false;
  };
  // /state is an HTTP request: look every 50 ms at most.
  ASSERT_TRUE(util::eventually(removed, wait, std::chrono::milliseconds(50)))
      << "waited " << wait.count() << "ms (--gc_delay=" << delay_flag
      << " and more) for the agent's /state to show the writer's sandbox removed";
  if (agent.local()) {
    EXPECT_FALSE(std::filesystem::exists(std::filesystem::symlink_status(sandbox)))
        << "/state says the GC removed " << sandbox << ", but it is still there";
    EXPECT_EQ(readFile(backing / "f"), "precious\n") << "H-DATA-5: the sandbox GC touched the data";
    EXPECT_EQ(readFile(backing / "sub" / "g"), "deep\n")
        << "H-DATA-5: the sandbox GC touched the data";
  }

  offer = fw.awaitOffer(allOf({onAgent(agent.id), hasVolume("v1")}),
                        "an offer with v1 after its writer's sandbox was removed");
  auto reader = task("reader").on(agent.id).uses(v1).command(
      expectFileHolds("data/f", "precious") + " && " + expectFileHolds("data/sub/g", "deep"));
  fw.accept(offer, {launch({reader})});
  expectTaskPasses(fw, agent, reader.taskId(),
                   "H-DATA-5: after the sandbox GC a later task did not find the data");
  asserted("H-DATA-5");
}

SVH_CHECK(DataLifecycle, AVolumeLivesUnderItsRoleOnTheAgent, "SV-CREATE-4") {
  if (auto why = needsLocalAgents()) GTEST_SKIP() << *why;
  if (runOptions().profile == "mesos-1.1") {
    GTEST_SKIP() << "SV-CREATE-4 with a sub-role: Mesos 1.1 has no hierarchical roles";
  }
  auto& agent = cluster().agents().front();
  const std::string role = ownRole("data") + "/sub";
  Framework fw(cluster().master(), spec(role));
  fw.subscribe();
  auto v1 = volume("v1").role(role).size(32).shared();
  auto offer = createVolumes(fw, agent.id, {v1});
  auto t = task("t").on(agent.id).uses(v1).command("echo here > data/f");
  fw.accept(offer, {launch({t})});
  fw.awaitTaskState(t.taskId(), {TASK_FINISHED});
  // <work_dir>/volumes/roles/<role with '/' as ' '>/<id>
  EXPECT_EQ(readFile(volumeDir(agent, role, "v1") / "f"), "here\n");
  asserted("SV-CREATE-4");
}

// H-STATE-1: /master/slaves and the v1 GET_AGENTS list a created volume
// under the agent's reserved resources, and not once it is destroyed.
SVH_MIRRORS(DataLifecycle, TheMastersStateAgreesWithItsOffers,
            "PersistentVolumeEndpointsTest.SlavesEndpointFullResources");
SVH_CHECK(DataLifecycle, TheMastersStateAgreesWithItsOffers, "H-STATE-1") {
  auto& agent = cluster().agents().front();
  const std::string role = ownRole("data");
  Framework fw(cluster().master(), spec(role));
  fw.subscribe();
  auto offer = createVolumes(fw, agent.id, {volume("v1").role(role).size(32).shared()});
  OperatorClient op(cluster().master());

  auto listed_in_state = [&] {
    for (const auto& slave : op.slaves().value("slaves", nlohmann::json::array())) {
      if (slave.value("id", "") != agent.id) continue;
      auto reserved = slave.value("reserved_resources_full", nlohmann::json::object());
      for (const auto& r : reserved.value(role, nlohmann::json::array())) {
        if (r.contains("disk") && r["disk"].contains("persistence") &&
            r["disk"]["persistence"].value("id", "") == "v1") {
          return true;
        }
      }
    }
    return false;
  };
  auto listed_in_agents = [&] {
    mesos::v1::master::Call call;
    call.set_type(mesos::v1::master::Call::GET_AGENTS);
    auto response = op.v1Response(call, runOptions().content_type);
    for (const auto& a : response.get_agents().agents()) {
      if (a.agent_info().id().value() != agent.id) continue;
      for (const auto& r : a.total_resources()) {
        if (r.has_disk() && r.disk().has_persistence() && r.disk().persistence().id() == "v1" &&
            reservedRole(r) == role) {
          return true;
        }
      }
    }
    return false;
  };
  EXPECT_TRUE(listed_in_state()) << "/master/slaves does not list offered volume v1";
  EXPECT_TRUE(listed_in_agents()) << "GET_AGENTS does not list offered volume v1";

  fw.accept(offer, {destroy({*findVolume(offer, "v1")})});
  fw.decline(fw.awaitOfferWithout(hasVolume("v1"), "destroyed v1",
                                  allOf({returnedFrom(offer), hasScalar("disk", 32, role)}),
                                  "the volume's disk back"));
  EXPECT_FALSE(listed_in_state()) << "/master/slaves still lists destroyed volume v1";
  EXPECT_FALSE(listed_in_agents()) << "GET_AGENTS still lists destroyed volume v1";
  asserted("H-STATE-1");
}

SVH_MIRRORS(DataLifecycle, EachVolumeHasItsOwnDirectoryUntilItIsDestroyed,
            "PersistentVolumeTest.CreateAndDestroyPersistentVolumes "
            "PersistentVolumeTest.PreparePersistentVolume");
SVH_CHECK(DataLifecycle, EachVolumeHasItsOwnDirectoryUntilItIsDestroyed,
          "SV-CREATE-4 PV-DESTROY-3 H-DATA-3") {
  auto& agent = cluster().agents().front();
  const std::string role = ownRole("data");
  const auto disk = needsLocalAgents();  // why the agent's disk cannot be read, if it cannot
  Framework fw(cluster().master(), spec(role));
  fw.subscribe();
  auto offer = createVolumes(
      fw, agent.id, {volume("v1").role(role).size(32).shared(), volume("v2").role(role).size(32)});
  // Created before any task used them.
  if (disk) {
    skipPart("SV-CREATE-4", *disk);
  } else {
    EXPECT_TRUE(std::filesystem::is_directory(volumeDir(agent, role, "v1")));
    EXPECT_TRUE(std::filesystem::is_directory(volumeDir(agent, role, "v2")));
    asserted("SV-CREATE-4");
  }
  auto writer = task("writer")
                    .on(agent.id)
                    .uses(volume("v1").role(role).size(32).shared())
                    .uses(volume("v2").role(role).size(32).path("other"))
                    .command("echo one > data/f && echo two > other/f");
  fw.accept(offer, {launch({writer})});
  fw.awaitTaskState(writer.taskId(), {TASK_FINISHED});

  offer = fw.awaitOffer(allOf({onAgent(agent.id), hasVolume("v1"), hasVolume("v2")}),
                        "an offer with v1 and v2");
  fw.accept(offer, {destroy({*findVolume(offer, "v1")})});
  offer =
      fw.awaitOfferWithout(hasVolume("v1"), "destroyed v1",
                           allOf({returnedFrom(offer), hasVolume("v2")}), "an offer with v2 only");
  if (disk) {
    skipPart("PV-DESTROY-3 H-DATA-3",
             "the destroyed volume's directory leaving the agent's disk: " + *disk);
  } else {
    awaitGone(volumeDir(agent, role, "v1"), kDefaultWait, "destroyed v1's directory to go");
    asserted("PV-DESTROY-3 H-DATA-3");
  }

  // v1 created again starts empty; v2 kept its data.
  fw.accept(offer, {create({volume("v1").role(role).size(32).shared()})});
  offer = fw.awaitOffer(allOf({onAgent(agent.id), hasSharedVolume("v1"), hasVolume("v2")}),
                        "an offer with v1 created again and v2");
  auto looker = task("looker")
                    .on(agent.id)
                    .uses(volume("v1").role(role).size(32).shared())
                    .uses(volume("v2").role(role).size(32).path("other"))
                    .command(expectInTask("[ -z \"$(ls -A data)\" ]",
                                          "v1, created again after its DESTROY, to be empty") +
                             " && " + expectFileHolds("other/f", "two"));
  fw.accept(offer, {launch({looker})});
  expectTaskPasses(fw, agent, looker.taskId(),
                   "H-DATA-3: a re-created v1 holds the old one's files, or destroying v1 "
                   "touched v2's data");
  asserted("PV-DESTROY-3 H-DATA-3");
}

// Mirrors RoleTest.VolumesInOverlappingHierarchies: a volume of role R with
// id x and a volume of role R/x would share a directory if roles were laid
// out as paths; each keeps its own data, and destroying one leaves the other.
SVH_MIRRORS(DataLifecycle, VolumesOfOverlappingRoleHierarchiesStayApart,
            "RoleTest.VolumesInOverlappingHierarchies");
SVH_CHECK(DataLifecycle, VolumesOfOverlappingRoleHierarchiesStayApart,
          "SV-CREATE-4 H-DATA-3 SV-OFFER-4") {
  if (runOptions().profile == "mesos-1.1") {
    GTEST_SKIP() << "Mesos 1.1 has no hierarchical roles (profile mesos-1.1)";
  }
  auto& agent = cluster().agents().front();
  const std::string parent = ownRole("data");
  const std::string child = parent + "/x";
  Framework fp(cluster().master(), spec(parent));
  fp.subscribe();
  auto offer = createVolumes(fp, agent.id, {volume("x").role(parent).size(32).shared()});
  auto t1 = task("t1")
                .on(agent.id)
                .uses(volume("x").role(parent).size(32).shared())
                .command("echo parent > data/owner && " + expectFileHolds("data/owner", "parent"));
  fp.accept(offer, {launch({t1})});
  fp.awaitTaskState(t1.taskId(), {TASK_FINISHED});

  // The sub-role's own volume holds only what its task wrote.
  Framework fc(cluster().master(), spec(child));
  fc.subscribe();
  offer = createVolumes(fc, agent.id, {volume("v").role(child).size(32).shared()});
  auto t2 = task("t2")
                .on(agent.id)
                .uses(volume("v").role(child).size(32).shared())
                .command("echo child > data/owner && " +
                         expectInTask("[ \"$(ls data)\" = owner ]",
                                      "the sub-role's new volume to hold only its own file"));
  fc.accept(offer, {launch({t2})});
  expectTaskPasses(fc, agent, t2.taskId(),
                   "the volumes of " + parent + " and " + child + " share a directory");
  if (auto why = needsLocalAgents()) {
    skipPart("SV-CREATE-4", *why);
  } else {
    EXPECT_EQ(readFile(volumeDir(agent, parent, "x") / "owner"), "parent\n");
    EXPECT_EQ(readFile(volumeDir(agent, child, "v") / "owner"), "child\n");
    asserted("SV-CREATE-4");
  }

  // Destroying the parent's volume leaves the child's.
  offer = fp.awaitOffer(allOf({onAgent(agent.id), hasSharedVolume("x")}), "an offer with x");
  fp.accept(offer, {destroy({*findVolume(offer, "x")})});
  fp.decline(fp.awaitOfferWithout(hasVolume("x"), "destroyed volume x",
                                  allOf({returnedFrom(offer), hasScalar("disk", 32, parent)}),
                                  "x's disk back"));
  offer = fc.awaitOffer(allOf({onAgent(agent.id), hasSharedVolume("v")}),
                        "the sub-role's volume v, still there");
  asserted("SV-OFFER-4");
  auto t3 = task("t3")
                .on(agent.id)
                .uses(volume("v").role(child).size(32).shared())
                .command(expectFileHolds("data/owner", "child"));
  fc.accept(offer, {launch({t3})});
  expectTaskPasses(
      fc, agent, t3.taskId(),
      "H-DATA-3: destroying " + parent + "'s volume x touched " + child + "'s volume v");
  asserted("H-DATA-3");
}

}  // namespace svh::suites
