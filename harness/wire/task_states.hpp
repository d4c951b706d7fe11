#pragma once
// What a task state means, the one definition the master, the agent and the
// harness share (the v0 TaskState is generated from the v1 one, so both
// number their states alike).

#include "mesos/mesos.pb.h"
#include "mesos/v1/mesos.pb.h"

namespace svh::wire {

// Mesos protobuf::isTerminalState: the task has ended and holds nothing.
inline bool isTerminalState(mesos::v1::TaskState state) {
  switch (state) {
    case mesos::v1::TASK_FINISHED:
    case mesos::v1::TASK_FAILED:
    case mesos::v1::TASK_KILLED:
    case mesos::v1::TASK_LOST:
    case mesos::v1::TASK_ERROR:
    case mesos::v1::TASK_DROPPED:
    case mesos::v1::TASK_GONE:
    case mesos::v1::TASK_GONE_BY_OPERATOR:
      return true;
    default:
      return false;
  }
}
inline bool isTerminalState(mesos::TaskState state) {
  return isTerminalState(static_cast<mesos::v1::TaskState>(state));
}

// Terminal, and never followed by another state: every terminal state but
// TASK_LOST, which a framework that is not partition-aware gets for a task
// that may still be found running when its agent comes back (Mesos
// reconciliation). A wait for some other state can stop at a final one.
inline bool isFinalState(mesos::v1::TaskState state) {
  return isTerminalState(state) && state != mesos::v1::TASK_LOST;
}

}  // namespace svh::wire
