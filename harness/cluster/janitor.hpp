#pragma once
// The janitor: a process forked by svharness before anything else that
// outlives it, so that even a SIGKILLed svharness leaves no temp dir behind.
// svharness tells it which run dirs exist; when svharness goes away (the
// janitor sees its pipe close) the janitor waits for the fakes to exit (they
// get SIGTERM from PR_SET_PDEATHSIG and unmount their FUSE disks), unmounts
// whatever is still mounted, and removes the dirs. After a normal exit there
// is nothing left for it to do.

#include <filesystem>
#include <string>
#include <vector>

namespace svh::harness {

// Name of the environment variable every fake gets: its run dir. The janitor
// (and the leak tests) find a run's processes by it.
inline constexpr const char* kRunDirEnv = "SVH_RUN_DIR";

// Call first thing in main, while the process has one thread.
void startJanitor();
// From now on, `dir` is removed if svharness dies without removing it.
void janitorWatch(const std::filesystem::path& dir);

// Processes (other than this one) whose environment holds `entry`
// ("NAME=value").
std::vector<int> processesWithEnvironment(const std::string& entry);
// Processes whose environment carries SVH_RUN_DIR=`dir`.
std::vector<int> processesOfRun(const std::filesystem::path& dir);

}  // namespace svh::harness
