#pragma once

// JSON options for v1 operator API answers (POST /api/v1, JSON encoding).
//
// A real master writes GET_STATE, GET_TASKS, GET_EXECUTORS, GET_FRAMEWORKS
// and GET_AGENTS bodies with hand-written JSON writers rather than by
// converting the Response message. Two visible consequences:
//  * the top-level lists are always there, empty or not
//    ("unreachable_tasks":[], "recovered_agents":[], ...);
//  * the elements are v0 messages written with v1 names (asV1Protobuf), so
//    agent_info carries the v0-only "checkpoint".
// Pass these options to toJson()/toJsonString() for such a Response to get
// the same text. (Seen in tests/data/mesos-1.12/tour-1.12.jsonl.) Other
// answers (GET_HEALTH, GET_FLAGS, GET_VERSION, GET_METRICS, GET_MASTER,
// GET_OPERATIONS) are plain conversions: use the default options.
//
// The deprecated lists (pending_tasks, orphan_tasks, orphan_executors,
// recovered_frameworks) are never written by Mesos 1.12: leave them empty.

#include "harness/wire/json_codec.hpp"

namespace svh::wire {

const JsonOptions& operatorResponseJsonOptions();

}  // namespace svh::wire
