#pragma once
// What a results.json (format 2) says about evidence, as the project tests
// hold a run to it (SPEC 0: nothing passes vacuously). Each function returns
// one line per problem, naming the check or clause; empty when there is
// none. They recompute from the checks' own "asserted" and "skipped_parts"
// rather than trusting the derived "standing" and "not_asserted" fields.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace svh::test {

// Clauses whose standing is "holds" although no check that passed asserted
// them.
std::vector<std::string> vacuousHolds(const nlohmann::json& results);
// Checks that passed while asserting none of the clauses they name.
std::vector<std::string> passedAssertingNothing(const nlohmann::json& results);
// Checks that passed while a clause they name was neither asserted nor
// skipped with a reason (a forgotten marker).
std::vector<std::string> clausesLeftUnaccounted(const nlohmann::json& results);

}  // namespace svh::test
