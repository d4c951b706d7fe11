#pragma once
// Whether a single resource, a role name or an id is well formed, with the
// exact messages Mesos 1.12 gives (Resources::validate, roles::validate,
// common::validation::validateID). These are the syntactic checks every
// resource list goes through; the master's semantic checks (reserved disk
// for volumes, unique persistence ids, ...) live in fakes/master/core.
//
// SPEC.md: SV-MODEL-2 (only persistent volumes can be shared), RES-2 ("*"
// cannot be reserved), PV-CREATE-2 (persistence id format); PROTOCOL.md 1.6
// "Every resource" and 3.3 (the two reservation formats).

#include <google/protobuf/repeated_field.h>

#include <string>
#include <vector>

#include "harness/util/result.hpp"
#include "mesos/v1/mesos.pb.h"

namespace svh::fakes {

using Resource = mesos::v1::Resource;

// Mesos Resources::validate(Resource): name, value shape (SCALAR > 0 or
// exactly 0, RANGES not inverted and not overlapping, SET without
// duplicates, no TEXT), DiskInfo only on "disk", either reservation format
// (pre-refinement `role`/`reservation`, or post-refinement `reservations`
// possibly with a consistent `role`/`reservation` for a single
// reservation), and `shared` only on persistent volumes (SV-MODEL-2).
Problem validateResource(const Resource& resource);

// Mesos Resources::validate(list): the first invalid resource as
// "Resource '<resource>' is invalid: <why>".
Problem validateResources(const google::protobuf::RepeatedPtrField<Resource>& resources);

// Mesos roles::validate: "*" or '/'-separated components that are not
// empty, ".", "..", "*", do not start with '-' and contain no whitespace
// or DEL.
Problem validateRole(const std::string& role);
// The first invalid role of the list, same messages.
Problem validateRoles(const std::vector<std::string>& roles);

// Mesos roles::isStrictSubroleOf: "a/b" is a strict subrole of "a".
bool isStrictSubroleOf(const std::string& role, const std::string& ancestor);

// Mesos common::validation::validateID (task, executor, agent, framework
// and persistence ids): non-empty, at most NAME_MAX (255) characters, not
// "." or "..", no control characters, no '/' or '\'.
Problem validateId(const std::string& id);

}  // namespace svh::fakes
