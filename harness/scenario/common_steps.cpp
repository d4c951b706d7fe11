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

namespace {

// 'text' for the shell, whatever it holds.
std::string quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

std::string expectInTask(const std::string& condition, const std::string& what) {
  return "{ if " + condition + "; then true; else echo " + quoted("svh: expected " + what) +
         " >&2; exit 1; fi; }";
}

std::string expectFileHolds(const std::string& file, const std::string& text) {
  return "{ if [ \"$(cat " + file + ")\" = " + quoted(text) + " ]; then true; else echo " +
         quoted("svh: expected " + file + " to hold '" + text + "'; it holds:") + " >&2; cat " +
         file + " >&2; exit 1; fi; }";
}

std::string expectWriteRefused(const std::string& file) {
  return "{ if (echo x > " + file + ") 2> /dev/null; then echo " +
         quoted("svh: a write to " + file + " was allowed, expected it refused") +
         " >&2; exit 1; fi; }";
}

std::string awaitInTask(const std::string& condition, const std::string& what, int seconds) {
  return "{ svh_n=0; until " + condition + "; do svh_n=$((svh_n+1)); if [ $svh_n -gt " +
         std::to_string(seconds * 20) + " ]; then echo " +
         quoted("svh: waited " + std::to_string(seconds) + "s for " + what) +
         " >&2; exit 3; fi; sleep 0.05; done; }";
}

}  // namespace svh::harness
