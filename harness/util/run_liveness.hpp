#pragma once
// A run's own processes (the bundled svh-master, its svh-agents) can die
// while a check waits on them. Then nothing awaited will come, and waiting
// out each deadline only hides the cause for minutes. So the waits of the
// story API ask checkRunAlive() between looks, and the cluster installs the
// probe that looks at its processes: the first wait after a death fails at
// once, naming the process ("svh-agent-0 exited with code 137"), and the run
// stops (environment.hpp). Waits outside a run (the janitor, tests of the
// fakes) have no probe and never fail this way.

#include <functional>
#include <optional>
#include <stdexcept>
#include <string>

namespace svh::util {

// A process of the run died: what the first wait to notice throws.
class RunProcessDied : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Returns which process died ("svh-agent-0 exited with code 137"), or
// nullopt while all live. Called on the waiting thread, as often as every
// few milliseconds; `thorough` (between checks) asks it to look at what it
// otherwise looks at only now and then (a master at a URL). An empty
// function removes the probe.
using LivenessProbe = std::function<std::optional<std::string>(bool thorough)>;
void setLivenessProbe(LivenessProbe probe);

// Asks the probe; once it has named a dead process, throws RunProcessDied
// with that text now and every time after.
void checkRunAlive(bool thorough = false);

// The death found so far, if any (without asking the probe).
std::optional<std::string> runProcessDeath();

}  // namespace svh::util
