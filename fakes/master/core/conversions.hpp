#pragma once
// What an offer operation does to resources: the resources it consumes and
// the ones it produces instead (Mesos getResourceConversions and
// ResourceConversion::apply). The master applies the conversions of each
// RESERVE/UNRESERVE/CREATE/DESTROY/GROW/SHRINK of an ACCEPT to the
// remaining offered resources in order, then to the agent's total; the
// operator endpoints apply them to the agent's available resources.
//
// SPEC.md: SV-MODEL-5 (shared is only set by CREATE), SV-CREATE-2,
// SV-DESTROY-3 (additional shared copies), SV-DESTROY-9, PV-CREATE-6/7;
// PROTOCOL.md 1.6 "Resource conversions".

#include <functional>
#include <vector>

#include "fakes/common/resources.hpp"
#include "harness/util/result.hpp"
#include "mesos/v1/mesos.pb.h"

namespace svh::master {

using fakes::Resources;

struct ResourceConversion {
  Resources consumed;
  Resources converted;
  // Checked on the result of applying this conversion; may be empty.
  std::function<Problem(const Resources&)> post_validation;
};

// The conversions of one operation (its resources must already be valid and
// in post-refinement format):
//  * RESERVE: consumes `source`, or `resources` with the last reservation
//    popped when there is no source; produces `resources`.
//  * UNRESERVE: per resource, consumes it and produces it with the last
//    reservation popped.
//  * CREATE (SV-MODEL-5): per volume, consumes the volume without
//    persistence and volume (without its whole DiskInfo when it has no
//    source) and without `shared`; produces the volume.
//  * DESTROY: the reverse, with a post-validation that the volume is gone
//    from the result: "Persistent volume <v> cannot be removed due to
//    additional shared copies" (SV-DESTROY-3).
//  * GROW_VOLUME: consumes volume + addition, produces the volume grown by
//    the addition. SHRINK_VOLUME: consumes the volume, produces the shrunk
//    volume plus the freed plain disk (never shared).
// Errors: "Unknown operation" (UNKNOWN), "Operation not supported" (LAUNCH,
// LAUNCH_GROUP, CREATE_DISK, DESTROY_DISK), "Operation not supported for
// resource provider" (GROW/SHRINK of a resource provider's volume).
Result<std::vector<ResourceConversion>> conversionsFor(
    const mesos::v1::Offer::Operation& operation);

// `resources` minus `consumed` plus `converted`, if `resources` contains
// `consumed` (copies of shared resources count, SV-ARITH-5). Otherwise the
// error is Mesos's, unprefixed: "<resources> does not contain <consumed>"
// (SV-CREATE-2, SV-DESTROY-9, PV-CREATE-6; a partial volume on a MOUNT disk
// fails this way too, PV-CREATE-7). Then the post-validation, if any.
Result<Resources> applyConversion(const Resources& resources, const ResourceConversion& conversion);

// Each conversion in order; the first error stops.
Result<Resources> applyConversions(const Resources& resources,
                                   const std::vector<ResourceConversion>& conversions);

// Mesos Resources::apply(Offer::Operation): conversionsFor + applyConversions;
// a conversionsFor error becomes "Cannot get conversions: <error>".
Result<Resources> applyOperation(const Resources& resources,
                                 const mesos::v1::Offer::Operation& operation);

}  // namespace svh::master
