#pragma once
// The version-dependent behaviour of SPEC.md section 5, one named rule per
// difference, so that every place where mesos-1.1 and mesos-1.12 disagree is
// a visible `if (profile.rule)` rather than a version comparison. The
// reference master runs `mesos-1.12` unless --profile says otherwise.

#include <optional>
#include <string>

namespace svh::master {

struct Profile {
  std::string name;

  // SV-CAP-2: a framework CREATE of a shared volume needs SHARED_RESOURCES
  // (added in 1.2; 1.1 let any framework create one).
  bool create_shared_needs_capability = true;

  // SV-DESTROY-4: 1.1 refused a DESTROY of a volume that a task still
  // pending in the same ACCEPT lists ("Persistent volume in pending
  // tasks"); HEAD has no pending tasks.
  bool destroy_checks_pending_tasks = false;

  // SV-OFFER-3: 1.1 offered a shared volume at most once per agent per
  // allocation cycle. In HEAD the bookkeeping meant for that compares
  // allocated with unallocated resources and never removes anything, so a
  // volume can go to every eligible framework of one cycle (OQ-1).
  bool shared_once_per_cycle = false;

  // SV-OFFER-4: HEAD offers a reservation of role R to R and to R's
  // sub-roles; 1.1 knew no hierarchy (exactly R).
  bool hierarchical_roles = true;

  // SV-HTTP-3: the resources an operator operation may use. HEAD: every
  // shared volume is always available; 1.1: total minus everything offered
  // or used, shared copies included.
  bool operator_sees_shared_as_available = true;

  // SV-HTTP-3: the body of the 409 an operator DESTROY gets when the volume
  // is not available. 1.1 (its Resources::apply): "Invalid DESTROY
  // Operation: Persistent volume does not exist"; HEAD: "<available> does
  // not contain <volume>". The other 409 bodies are HEAD's in both
  // profiles (1.1 also printed resources differently).
  bool destroy_conflict_says_does_not_exist = false;

  // "Dropped" operations (SPEC.md preamble): HEAD counts them in
  // master/operations/<type>/error and answers an operation `id` with
  // OPERATION_ERROR (1.6+); 1.1 only logged them.
  bool operation_feedback = true;

  // SV-RESIZE-1: GROW_VOLUME and SHRINK_VOLUME exist since 1.6; 1.1 treats
  // them as unknown operations.
  bool resize_volumes = true;

  static Profile mesos112();
  static Profile mesos11();
  // "mesos-1.12" or "mesos-1.1"; nullopt otherwise.
  static std::optional<Profile> named(const std::string& name);
};

}  // namespace svh::master
