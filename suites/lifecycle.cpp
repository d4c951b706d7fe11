// Lifecycle: the whole life of one shared volume, told as one story, through
// the master's public APIs only. Mirrors the shape of Mesos's
// PersistentVolumeTest.SharedPersistentVolumeMultipleTasks followed by
// DestroyPersistentVolumeMultipleTasks.

#include <fstream>

#include "harness/scenario/common_steps.hpp"
#include "harness/scenario/files.hpp"
#include "suites/check.hpp"

namespace svh::suites {

using namespace harness;  // the story API reads best unqualified

class Lifecycle : public Check {};

SVH_MIRRORS(Lifecycle, CreateShareLaunchDestroy,
            "PersistentVolumeTest.SharedPersistentVolumeMultipleTasks "
            "PersistentVolumeTest.DestroyPersistentVolumeMultipleTasks");
SVH_CHECK(Lifecycle, CreateShareLaunchDestroy,
          "SV-CREATE-1 SV-OFFER-1 SV-LAUNCH-1 H-DATA-1 H-RO-1 H-RO-2 SV-DESTROY-1 SV-DESTROY-2 "
          "H-DATA-4 SV-DESTROY-7 H-DATA-3") {
  if (auto why = needsLocalAgents()) GTEST_SKIP() << *why;
  auto& agent = cluster().agents().front();
  if (auto why = needsReadOnlyEnforcement(agent)) GTEST_SKIP() << *why;
  const std::string role = unique("lifecycle");
  Framework fw(cluster().master(), {.role = role, .content_type = runOptions().content_type});
  fw.subscribe();

  auto shared = volume("v1").role(role).size(64).shared();
  auto volume_dir = agent.backing() / "volumes" / "roles" / role / "v1";

  // A framework with SHARED_RESOURCES reserves disk and creates a shared
  // volume on it in one ACCEPT.
  auto offer = fw.awaitOffer(allOf({onAgent(agent.id), hasScalar("disk", 64, "*")}),
                             "an offer with 64 MB of unreserved disk");
  fw.accept(offer, {reserve({shared.reservedDisk()}), create({shared})});
  offer = fw.awaitOffer(hasSharedVolume("v1"), "an offer with the new shared volume v1");

  // A writer (RW) and a reader (RO) on the one volume, in one ACCEPT.
  auto writer = task("writer").on(agent.id).uses(shared).command(
      "echo hello > data/f && i=0 && while true; do echo $i >> data/beat; i=$((i+1)); "
      "sleep 0.1; done");
  auto reader = task("reader")
                    .on(agent.id)
                    .uses(volume("v1").role(role).size(64).shared().readOnly())
                    .command("while [ ! -s data/f ]; do sleep 0.05; done; cat data/f > seen; " +
                             tryWrite("data/g", "ro_result") + "; exec sleep 3600");
  fw.accept(offer, {launch({writer, reader})});
  fw.awaitTaskState(writer.taskId(), {mesos::v1::TASK_RUNNING});
  fw.awaitTaskState(reader.taskId(), {mesos::v1::TASK_RUNNING});

  // The reader sees the writer's file, and its own write is refused.
  auto reader_sandbox = agent.sandboxOf(reader.taskId());
  EXPECT_EQ(awaitFile(reader_sandbox / "ro_result", kDefaultWait, "the reader's write attempt"),
            "refused\n")
      << "H-RO-1: a task with mode RO could write to the volume";
  EXPECT_EQ(readFile(reader_sandbox / "seen"), "hello\n")
      << "H-DATA-1: the reader did not see the writer's file";
  EXPECT_FALSE(std::filesystem::exists(volume_dir / "g"))
      << "H-RO-1: the RO task's write reached the agent's disk";

  // While both tasks use it, the volume is still offered (SV-OFFER-1).
  fw.declineOutstanding();
  offer = fw.awaitOffer(hasSharedVolume("v1"), "an offer with v1 while two tasks use it");

  // A DESTROY while the volume is in use is refused and changes nothing.
  fw.accept(offer, {destroy({*findVolume(offer, "v1")})});
  offer = fw.awaitOffer(hasSharedVolume("v1"),
                        "an offer with v1 after a DESTROY while in use (SV-DESTROY-2)");
  EXPECT_EQ(readFile(volume_dir / "f"), "hello\n") << "H-DATA-4: data changed by a refused DESTROY";
  awaitGrowth(volume_dir / "beat", sizeOrZero(volume_dir / "beat"), kDefaultWait,
              "the writer to keep writing after the refused DESTROY (H-DATA-4)");
  for (const auto& id : {writer.taskId(), reader.taskId()}) {
    for (const auto& status : fw.statuses(id)) {
      EXPECT_NE(status.state(), mesos::v1::TASK_KILLED) << id << " was killed by a DESTROY";
      EXPECT_NE(status.state(), mesos::v1::TASK_FAILED) << id << " failed: " << status.message();
    }
  }
  fw.decline(offer);

  // Once both tasks have ended, DESTROY succeeds: the volume leaves the
  // offers (its disk comes back as reserved disk) and its data is gone.
  fw.kill(writer.taskId(), agent.id);
  fw.kill(reader.taskId(), agent.id);
  fw.awaitTaskState(writer.taskId(), {mesos::v1::TASK_KILLED});
  fw.awaitTaskState(reader.taskId(), {mesos::v1::TASK_KILLED});
  fw.declineOutstanding();
  offer = fw.awaitOffer(hasSharedVolume("v1"), "an offer with v1 after its tasks ended");
  fw.accept(offer, {destroy({*findVolume(offer, "v1")})});
  offer = fw.awaitOfferWithout(hasVolume("v1"), "volume v1", hasScalar("disk", 64, role),
                               "an offer with the 64 MB reserved disk back");
  awaitGone(volume_dir, kDefaultWait, "the destroyed volume's data to leave the agent (H-DATA-3)");

  // Leave the cluster as we found it.
  Resource reserved;
  for (const auto& r : offer.resources()) {
    if (r.name() == "disk" && reservedRole(r) == role && !r.has_disk()) reserved = r;
  }
  fw.accept(offer, {unreserve({reserved})});
  fw.teardown();
}

}  // namespace svh::suites
