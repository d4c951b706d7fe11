# Generates the v0 Mesos types (package `mesos`) from our v1 subset
# (package `mesos.v1`). Run at build time:
#
#   cmake -DV1_PROTO=<mesos/v1/mesos.proto> -DV0_PROTO=<out mesos/mesos.proto> \
#         -P cmake/v0_from_v1.cmake
#
# Mesos keeps two hand-maintained copies that differ only by these renames
# (same field numbers), so deriving one from the other keeps them from
# drifting apart:
#   package mesos.v1 -> mesos, AgentID -> SlaveID, AgentInfo -> SlaveInfo,
#   agent_id -> slave_id, SOURCE_AGENT -> SOURCE_SLAVE,
#   REASON_AGENT_* -> REASON_SLAVE_*,
# and lines `// v0: <declaration>` become real declarations (fields that
# exist only in v0, such as SlaveInfo.checkpoint).

if(NOT DEFINED V1_PROTO OR NOT DEFINED V0_PROTO)
  message(FATAL_ERROR "usage: cmake -DV1_PROTO=<in> -DV0_PROTO=<out> -P v0_from_v1.cmake")
endif()

file(READ "${V1_PROTO}" text)

if(NOT text MATCHES "\npackage mesos\\.v1;")
  message(FATAL_ERROR "${V1_PROTO}: no 'package mesos.v1;' line")
endif()
string(REPLACE "\npackage mesos.v1;" "\npackage mesos;" text "${text}")

foreach(pair
    "AgentID=SlaveID"
    "AgentInfo=SlaveInfo"
    "agent_id=slave_id"
    "SOURCE_AGENT=SOURCE_SLAVE"
    "REASON_AGENT_=REASON_SLAVE_")
  string(REPLACE "=" ";" pair "${pair}")
  list(GET pair 0 from)
  list(GET pair 1 to)
  string(REPLACE "${from}" "${to}" text "${text}")
endforeach()

# Uncomment the v0-only declarations, keeping their indentation.
string(REGEX REPLACE "\n( *)// v0: " "\n\\1" text "${text}")

get_filename_component(v1_name "${V1_PROTO}" NAME)
set(header
"// GENERATED FILE, DO NOT EDIT.
// Made by cmake/v0_from_v1.cmake from the v1 subset (${v1_name}, package
// mesos.v1): the v0 package `mesos` used by the libprocess messages and the
// v0 JSON endpoints. Edit the v1 file instead.

")
file(WRITE "${V0_PROTO}" "${header}${text}")
