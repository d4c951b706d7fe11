#pragma once

// Conversion between the v0 (`mesos`) and v1 (`mesos.v1`) types.
//
// The two packages have identical field numbers and differ only in names
// (SlaveID/AgentID, slave_id/agent_id, ...), so converting is serialize +
// parse, which is also what Mesos does. Fields one side does not know (such
// as v0 SlaveInfo.checkpoint inside v1 AgentInfo) survive as unknown fields.
//
//   mesos::v1::TaskStatus v1 = evolve<mesos::v1::TaskStatus>(v0Status);
//   mesos::TaskStatus v0 = devolve<mesos::TaskStatus>(v1Status);
//
// Only pair types that correspond (same Mesos message); nothing checks it.

#include <google/protobuf/message.h>

#include <string>
#include <type_traits>

namespace svh::wire {

template <class To, class From>
To evolve(const From& from) {
  static_assert(std::is_base_of_v<google::protobuf::Message, To> &&
                    std::is_base_of_v<google::protobuf::Message, From>,
                "evolve converts between protobuf messages");
  std::string bytes;
  // Partial: a message missing required fields still converts.
  from.SerializePartialToString(&bytes);
  To to;
  to.ParsePartialFromString(bytes);
  return to;
}

// v1 -> v0; the same operation, named for readability at call sites.
template <class To, class From>
To devolve(const From& from) {
  return evolve<To>(from);
}

}  // namespace svh::wire
