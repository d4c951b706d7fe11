// Confinement of real tasks on a real svh-agent (issue 4 item 1: "a task
// cannot reach another task's view or the backing dir through its own path,
// no `..` escape"). An RO task tries every way round its view that a root
// task with the host's filesystem has: `..` out of the volume, absolute
// paths to the agent's work dir, /proc/<agent pid>/root, unmounting what
// covers them. A second task keeps another volume's view busy meanwhile.

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include "tests/agent/agent_test_support.hpp"

namespace svh::agent::test {
namespace {

class AgentConfinement : public AgentTest {};

// One line "name rc" per attempt in `results`, its output in out.<name>.
constexpr const char* kAttempts = R"(
try() { name=$1; shift; "$@" > out.$name 2>&1; echo "$name $?" >> results; }
W=$SVH_WORK
try own_volume cat data/f
try dotdot_backing ls -A data/../../../../disk
try dotdot_views ls -A data/../../../../mnt
try abs_backing ls -A $W/disk
try abs_views ls -A $W/mnt
try abs_meta ls -A $W/meta
try abs_trace cat $W/trace.jsonl
try read_other_volume cat $W/disk/volumes/roles/eng/v-victim/secret
try write_backing sh -c "echo escaped > $W/disk/volumes/roles/eng/v-mine/escaped"
try write_dotdot sh -c "echo escaped > data/../../../../disk/volumes/roles/eng/v-mine/escaped"
try agent_root ls -A /proc/$SVH_AGENT_PID/root$W/disk
try umount_backing umount $W/disk
try umount_views umount -l $W/mnt
try remount_proc umount -l /proc
try nsenter nsenter -t 1 -m ls
try caps grep CapBnd /proc/self/status
echo done >> results
)";

std::map<std::string, int> parseResults(const std::string& text) {
  std::map<std::string, int> results;
  std::istringstream lines(text);
  std::string name;
  int rc;
  while (lines >> name) {
    if (name == "done") break;
    lines >> rc;
    results[name] = rc;
  }
  return results;
}

TEST_F(AgentConfinement, ATaskReachesNeitherTheBackingStoreNorOtherViewsNorTheAgent) {
  startAgent();
  auto fw = framework("fw-confine");
  auto mine = volume("v-mine", 8, mesos::Volume::RO);
  auto victim = volume("v-victim", 8);
  checkpoint({mine, victim});
  ASSERT_TRUE(eventually([&] { return fs::is_directory(volumeDir("v-mine")); }));
  std::ofstream(volumeDir("v-mine") / "f") << "mine\n";
  run(fw, commandTask("t-victim", "echo secret > data/secret; exec sleep 1000", {victim}));
  master_->awaitState("t-victim", mesos::TASK_RUNNING);
  ASSERT_TRUE(eventually([&] { return fs::exists(volumeDir("v-victim") / "secret"); }));

  auto attacker = commandTask("t-attacker", kAttempts, {mine});
  auto* env = attacker.mutable_command()->mutable_environment();
  auto* work = env->add_variables();
  work->set_name("SVH_WORK");
  work->set_value((dir_ / "work").string());
  auto* pid = env->add_variables();
  pid->set_name("SVH_AGENT_PID");
  pid->set_value(std::to_string(agent_->pid()));
  run(fw, attacker);
  master_->awaitState("t-attacker", mesos::TASK_FINISHED);
  auto sandbox = agent_->sandboxOf("t-attacker");
  auto results = parseResults(readFile(sandbox / "results"));
  auto out = [&](const std::string& name) { return readFile(sandbox / ("out." + name)); };
  ASSERT_EQ(results.size(), 16u) << readFile(sandbox / "results") << readFile(sandbox / "stderr");

  EXPECT_EQ(results["own_volume"], 0) << out("own_volume");
  EXPECT_EQ(out("own_volume"), "mine\n");
  // `..` and absolute paths lead to empty covers.
  for (const char* name :
       {"dotdot_backing", "dotdot_views", "abs_backing", "abs_views", "abs_meta", "abs_trace"}) {
    EXPECT_EQ(out(name), "") << name << " showed the task what it must not see";
  }
  EXPECT_NE(results["read_other_volume"], 0) << out("read_other_volume");
  EXPECT_EQ(("\n" + out("read_other_volume")).find("\nsecret\n"), std::string::npos)
      << "the task read another volume's data";
  EXPECT_NE(results["write_backing"], 0);
  EXPECT_NE(results["write_dotdot"], 0);
  EXPECT_FALSE(fs::exists(volumeDir("v-mine") / "escaped")) << "the RO task wrote its volume";
  // Its /proc shows its own PID namespace only, so the agent's root is not
  // a way round.
  EXPECT_NE(results["agent_root"], 0) << out("agent_root");
  // Without CAP_SYS_ADMIN the covers stay and no namespace can be entered.
  EXPECT_NE(results["umount_backing"], 0) << out("umount_backing");
  EXPECT_NE(results["umount_views"], 0) << out("umount_views");
  EXPECT_NE(results["remount_proc"], 0) << out("remount_proc");
  EXPECT_NE(results["nsenter"], 0) << out("nsenter");
  auto caps = out("caps");
  ASSERT_EQ(caps.rfind("CapBnd:", 0), 0u) << caps;
  auto bounding = std::strtoull(caps.substr(7).c_str(), nullptr, 16);
  EXPECT_EQ(bounding & (1ull << 21), 0u) << "CAP_SYS_ADMIN is in the task's bounding set: " << caps;
  EXPECT_EQ(bounding & (1ull << 2), 0u) << "CAP_DAC_READ_SEARCH is in the bounding set: " << caps;
  // Meanwhile the victim's data is intact.
  EXPECT_EQ(readFile(volumeDir("v-victim") / "secret"), "secret\n");
}

}  // namespace
}  // namespace svh::agent::test
