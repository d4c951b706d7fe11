#pragma once
// Giving a role back: the undo a check's ledger (ledger.hpp) runs for each
// role its frameworks used. Through the scheduler API only, so it works
// against any master.

#include <string>
#include <vector>

#include "harness/client/scheduler_client.hpp"
#include "harness/http/client.hpp"

namespace svh::harness {

// Destroys every persistent volume and unreserves every dynamic reservation
// of `role` on `agent_ids`, and returns once offers from each of those agents
// show nothing left in the role. Throws AwaitTimeout (a failed teardown
// fails the check).
void releaseRole(const http::Url& master, const std::vector<std::string>& agent_ids,
                 const std::string& role, ContentType content_type);

}  // namespace svh::harness
