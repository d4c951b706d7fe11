// Lifecycle: the whole life of one shared volume, told as one story, through
// the master's public APIs only; tasks check what they see, so the story
// holds on any agent (mode RO where the agent enforces it). Mirrors the shape of Mesos's
// PersistentVolumeTest.SharedPersistentVolumeMultipleTasks followed by
// DestroyPersistentVolumeMultipleTasks.

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
  auto& agent = cluster().agents().front();
  // Mode RO is asserted where the agent enforces it, and skipped elsewhere.
  const auto no_ro = needsReadOnlyEnforcement(agent);
  const std::string role = ownRole("lifecycle");
  Framework fw(cluster().master(), {.role = role, .content_type = runOptions().content_type});
  fw.subscribe();

  auto shared = volume("v1").role(role).size(64).shared();

  // A framework with SHARED_RESOURCES reserves disk and creates a shared
  // volume on it in one ACCEPT.
  auto offer = fw.awaitOffer(allOf({onAgent(agent.id), hasScalar("disk", 64, "*")}),
                             "an offer with 64 MB of unreserved disk");
  fw.accept(offer, {reserve({shared.reservedDisk()}), create({shared})});
  offer = fw.awaitOffer(hasSharedVolume("v1"), "an offer with the new shared volume v1");
  asserted("SV-CREATE-1");

  // A writer (RW) and a reader (RO) on the one volume, in one ACCEPT. The
  // reader checks that it sees the writer's file and (where RO is enforced)
  // cannot write, and then stays; had it found otherwise it would have
  // failed, which the end of the story would show. The writer also leaves
  // what a careless wipe misses (a dot-file, a nested directory, a
  // symlink), for the DESTROY at the end (H-DATA-3).
  const std::string refused = no_ro ? "true" : expectWriteRefused("data/g");
  auto writer = task("writer").on(agent.id).uses(shared).command(
      "echo hello > data/f && echo hidden > data/.hidden && mkdir -p data/d/e && "
      "echo deep > data/d/e/f && ln -s f data/link && i=0 && while true; do echo $i >> data/beat; i=$((i+1)); "
      "sleep 0.1; done");
  auto reader =
      task("reader")
          .on(agent.id)
          .uses(volume("v1").role(role).size(64).shared().readOnly())
          .command(awaitInTask("[ -s data/f ]", "the writer's file data/f") + " && " +
                   expectFileHolds("data/f", "hello") + " && " + refused + " && exec sleep 3600");
  fw.accept(offer, {launch({writer, reader})});
  fw.awaitTaskState(writer.taskId(), {mesos::v1::TASK_RUNNING});
  fw.awaitTaskState(reader.taskId(), {mesos::v1::TASK_RUNNING});
  asserted("SV-LAUNCH-1");

  // While both tasks use it, the volume is still offered (SV-OFFER-1).
  fw.declineOutstanding();
  offer = fw.awaitOffer(hasSharedVolume("v1"), "an offer with v1 while two tasks use it");
  asserted("SV-OFFER-1");

  // A DESTROY while the volume is in use is refused...
  fw.accept(offer, {destroy({*findVolume(offer, "v1")})});
  offer = fw.awaitOffer(hasSharedVolume("v1"),
                        "an offer with v1 after a DESTROY while in use (SV-DESTROY-2)");
  asserted("SV-DESTROY-1 SV-DESTROY-2");

  // ...and changes nothing: a third task (RO) finds the writer's file, sees
  // the writer still writing, and (where RO is enforced) cannot write
  // either; the reader's refused write left nothing behind.
  auto peer = task("peer")
                  .on(agent.id)
                  .uses(volume("v1").role(role).size(64).shared().readOnly())
                  .command(expectFileHolds("data/f", "hello") + " && " +
                           expectInTask("[ ! -e data/g ]", "no data/g: the RO reader's write") +
                           " && " + refused + " && size=$(wc -c < data/beat) && " +
                           awaitInTask("[ $(wc -c < data/beat) -gt $size ]",
                                       "the writer to keep writing after the refused DESTROY"));
  fw.accept(offer, {launch({peer})});
  expectTaskPasses(fw, agent, peer.taskId(),
                   "H-DATA-1, H-RO-2, H-DATA-4: an RO task on the volume in use did not find "
                   "the writer's data, or the writer had stopped after the refused DESTROY");
  for (const auto& id : {writer.taskId(), reader.taskId()}) expectUndisturbed(fw, id);
  asserted("H-DATA-1 H-RO-2 H-DATA-4");
  if (no_ro) {
    skipPart("H-RO-1", *no_ro);
  } else {
    asserted("H-RO-1");
  }

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
  asserted("SV-DESTROY-1 SV-DESTROY-7");
  if (auto why = needsLocalAgents()) {
    skipPart("H-DATA-3", "the destroyed volume's data leaving the agent's disk: " + *why);
  } else {
    awaitGone(agent.backing() / "volumes" / "roles" / role / "v1", kDefaultWait,
              "the destroyed volume's data to leave the agent (H-DATA-3)");
    asserted("H-DATA-3");
  }
  // A volume created again with the id starts empty: none of the old
  // volume's entries, hidden or nested, are there.
  fw.accept(offer, {create({shared})});
  offer = fw.awaitOffer(hasSharedVolume("v1"), "an offer with v1 created again");
  auto looker = task("looker").on(agent.id).uses(shared).command(
      expectInTask("[ -z \"$(ls -A data)\" ]", "v1, created again after its DESTROY, to be empty"));
  fw.accept(offer, {launch({looker})});
  expectTaskPasses(fw, agent, looker.taskId(),
                   "H-DATA-3: a re-created volume v1 holds the old one's files");
  asserted("H-DATA-3");

  // Leave the cluster as we found it.
  offer = fw.awaitOffer(hasSharedVolume("v1"), "an offer with v1 after the looker");
  fw.accept(offer, {destroy({*findVolume(offer, "v1")})});
  offer = fw.awaitOfferWithout(hasVolume("v1"), "volume v1", hasScalar("disk", 64, role),
                               "an offer with the 64 MB reserved disk back");
  Resource reserved;
  for (const auto& r : offer.resources()) {
    if (r.name() == "disk" && reservedRole(r) == role && !r.has_disk()) reserved = r;
  }
  fw.accept(offer, {unreserve({reserved})});
  fw.teardown();
}

}  // namespace svh::suites
