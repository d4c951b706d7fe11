#pragma once
// What a check reserved it gives back, so that checks stay independent even
// when the suite is repeated on one cluster (csi-sanity's resource ledger):
// every Framework records its role here, and after the check the harness
// destroys the volumes and unreserves the disk left in those roles, through
// the scheduler API only (so it works against any master).

#include <string>
#include <vector>

#include "harness/client/scheduler_client.hpp"
#include "harness/http/client.hpp"

namespace svh::harness {

// The ledger of roles used since the last takeRoles().
void recordRole(const std::string& role);
std::vector<std::string> takeRoles();

// Destroys every persistent volume and unreserves every dynamic reservation
// of `role` on `agent_ids`, and returns once offers from each of those agents
// show nothing left in the role. Throws AwaitTimeout (a failed teardown
// fails the check).
void releaseRole(const http::Url& master, const std::vector<std::string>& agent_ids,
                 const std::string& role, ContentType content_type);

}  // namespace svh::harness
