#pragma once
// The two ways a reservation can be written (PROTOCOL.md 3.3), and moving
// resources between them the way Mesos 1.12 does (convertResourceFormat,
// upgradeResources, downgradeResources, validateAndUpgradeResources):
//
//   post-refinement (what the master keeps): unreserved = no role, no
//     reservations; static = reservations [{STATIC, R}]; dynamic =
//     reservations [{DYNAMIC, R, principal, labels}]; refined = several;
//   pre-refinement (old frameworks and agents): role "*" / role R /
//     role R + reservation {principal, labels}; refined cannot be written;
//   endpoint (/master/slaves *_full, GET_AGENTS): a single reservation in
//     both forms at once, unreserved with role "*".
//
// Upgrading validates first (Mesos CHECK-fails on input it cannot convert;
// we refuse it with the message validateResource() gives instead).

#include <google/protobuf/message.h>
#include <google/protobuf/repeated_field.h>

#include "harness/util/result.hpp"
#include "mesos/v1/mesos.pb.h"

namespace svh::fakes {

using Resource = mesos::v1::Resource;

enum class ResourceFormat { kPreRefinement, kPostRefinement, kEndpoint };

// Rewrites `resource` in `format`, unchecked. To pre-refinement, a resource
// with refined reservations keeps its reservations (it has no other form);
// use downgradeResource() to detect that.
void convertResourceFormat(Resource* resource, ResourceFormat format);

// Validates (validateResource) and converts to post-refinement. On an error
// the resource is left as it was.
Problem upgradeResource(Resource* resource);
// All or nothing: validates every resource (validateResources, i.e.
// "Resource '<r>' is invalid: <why>"), then converts them all.
Problem upgradeResources(google::protobuf::RepeatedPtrField<Resource>* resources);
// Every mesos.v1.Resource nested anywhere in `message` (TaskInfo, executor,
// AgentInfo, Offer.Operation, ...). Validates all, then converts all.
Problem upgradeResources(google::protobuf::Message* message);

// Converts a post-refinement resource to pre-refinement. False (resource
// unchanged) if it has refined reservations.
bool downgradeResource(Resource* resource);
// All or nothing: false, and nothing changed, if any resource is refined.
bool downgradeResources(google::protobuf::RepeatedPtrField<Resource>* resources);
// Every mesos.v1.Resource nested in `message`; all or nothing.
bool downgradeResources(google::protobuf::Message* message);

// The "ENDPOINT" format of a post-refinement resource: a single reservation
// is also written as role (+ reservation for a dynamic one); unreserved
// resources get role "*"; refined ones are left as they are.
void toEndpointFormat(Resource* resource);
void toEndpointFormat(google::protobuf::RepeatedPtrField<Resource>* resources);

// Mesos validateAndUpgradeResources(Offer::Operation*), run on each
// operation of an ACCEPT and by the operator endpoints: the operation's
// sub-message must be present ("A CREATE offer operation must have the
// Offer.Operation.create field set.", ...), every resource it names must
// be valid ("Resource '<r>' is invalid: ..."), UNKNOWN is "Unknown offer
// operation"; then everything is upgraded. The master drops a non-LAUNCH
// operation with "Operation attempted with invalid resources: " + this
// message, and fails LAUNCH tasks with it.
Problem validateAndUpgradeResources(mesos::v1::Offer::Operation* operation);

}  // namespace svh::fakes
