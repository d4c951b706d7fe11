#pragma once
// svharness --list-faults: the seeded fault catalogue as a user reads it.

#include <string>

namespace svh::cli {

// One block per fault: name, the process it is planted in, the clause it
// breaks, what a user would see, and the flags a run needs to meet it.
std::string describeFaults();

}  // namespace svh::cli
