#pragma once
// Acts that many stories share, built on the Framework story API.

#include <string>
#include <vector>

#include "harness/scenario/framework.hpp"

namespace svh::harness {

// Reserves each volume's disk on the agent and creates the volumes in one
// ACCEPT (RES-8 allows both in one), then returns the first offer from that
// agent that shows every volume, held (not declined). Each volume's role and
// principal are its own (VolumeBuilder).
Offer createVolumes(Framework& fw, const std::string& agent_id,
                    const std::vector<VolumeBuilder>& volumes);

// An offer from `accepted`'s agent holding at least the unreserved cpus
// `accepted` held, less `used_cpus` (what the ACCEPT launched). Until the
// master has processed that ACCEPT those cpus are in no other offer, so such
// an offer fences it: whatever it shows comes after the ACCEPT (SPEC 0).
OfferMatch returnedFrom(const Offer& accepted, double used_cpus = 0);

// A task command: runs `before`, writes "up" to `started` in its sandbox (so a check
// can see it got going) and then runs until it is killed.
std::string runUntilKilled(const std::string& before = "true");

// A task command fragment: tries to write `text` to `file` and records the
// outcome as one line, "allowed" or "refused", in `result` (the shell's
// error, if any, in `result`.err), so a check can tell a refused write from
// a task that never tried.
std::string tryWrite(const std::string& file, const std::string& result = "write",
                     const std::string& text = "x");

// Task command fragments for tasks that test what they see, so that a check
// asserts through the task's end (TASK_FINISHED, or TASK_FAILED with the
// reason on the task's stderr) on any agent, also one whose disk and
// sandboxes the harness cannot read. Each is a shell command list; chain
// them with " && ".
//
// Fails the task unless the shell condition `condition` holds.
std::string expectInTask(const std::string& condition, const std::string& what);
// Fails the task unless `file` holds `text` (as $(cat file) reads it: a
// final newline does not count).
std::string expectFileHolds(const std::string& file, const std::string& text);
// Fails the task unless writing to `file` fails (a refused write).
std::string expectWriteRefused(const std::string& file);
// Waits until `condition` holds, looking every 50 ms; fails the task at
// the deadline, saying what it awaited.
std::string awaitInTask(const std::string& condition, const std::string& what, int seconds = 15);

}  // namespace svh::harness
