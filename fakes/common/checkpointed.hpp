#pragma once
// An agent's total = its advertised resources with its checkpointed ones
// (dynamic reservations and persistent volumes) applied: each checkpointed
// resource replaces the base resource it was made from (Mesos
// needCheckpointing / applyCheckpointedResources). Master and agent both
// need this, and a mismatch is a configuration error to report, never a crash
// (a real Mesos master CHECK-fails on it, PROTOCOL.md 5.5); an agent whose
// checkpointed volumes no longer fit its --resources refuses to start
// (PV-AGENT-1).

#include "fakes/common/resources.hpp"
#include "harness/util/result.hpp"

namespace svh::fakes {

// Dynamically reserved or a persistent volume, and not from a resource
// provider: what an agent checkpoints.
bool needsCheckpointing(const Resource& resource);

// The resource a reservation or volume was made from: without persistence,
// volume and shared (a disk source is kept), and without dynamic
// reservations (a static one is kept).
Resource baseOf(const Resource& resource);

// `advertised` with every checkpointed resource in place of its base.
// Errors (Mesos's texts): "Unexpected checkpointed resources <r>" for a
// resource that is not checkpointed, "Incompatible agent resources: <total
// so far> does not contain <base>".
Result<Resources> applyCheckpointed(const Resources& advertised, const Resources& checkpointed);

// Dynamic reservations and persistent volumes: what an agent checkpoints.
Resources checkpointedPart(const Resources& total);

}  // namespace svh::fakes
