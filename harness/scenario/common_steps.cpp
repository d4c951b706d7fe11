#include "harness/scenario/common_steps.hpp"

namespace svh::harness {

Offer createVolumes(Framework& fw, const std::string& agent_id,
                    const std::vector<VolumeBuilder>& volumes) {
  std::vector<Resource> disks;
  std::vector<Resource> created;
  for (const auto& v : volumes) {
    disks.push_back(v.reservedDisk());
    created.push_back(v.build());
  }
  double size = 0;
  for (const auto& d : disks) size += d.scalar().value();
  auto offer = fw.awaitOffer(allOf({onAgent(agent_id), hasScalar("disk", size, "*")}),
                             "an offer with " + std::to_string(static_cast<int>(size)) +
                                 " MB of unreserved disk to create volumes on");
  fw.accept(offer, {reserve(disks), create(created)});
  std::vector<OfferMatch> all = {onAgent(agent_id)};
  std::string names;
  for (const auto& v : volumes) {
    all.push_back(hasVolume(v.id()));
    names += " " + v.id();
  }
  return fw.awaitOffer(allOf(all), "an offer with the new volumes" + names);
}

OfferMatch returnedFrom(const Offer& accepted, double used_cpus) {
  double cpus = scalarIn(accepted, "cpus", "*") - used_cpus;
  return allOf({onAgent(accepted.agent_id().value()), hasScalar("cpus", cpus, "*")});
}

std::string runUntilKilled(const std::string& before) {
  return before + " && echo up > started && exec sleep 3600";
}

std::string tryWrite(const std::string& file, const std::string& result, const std::string& text) {
  return "if echo " + text + " > " + file + " 2> " + result + ".err; then echo allowed > " +
         result + "; else echo refused > " + result + "; fi";
}

}  // namespace svh::harness
