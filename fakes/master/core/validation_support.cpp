// The small helpers more than one part of the master's validation uses:
// stout's printing of doubles, sets and raw resource lists, Mesos's fixed-point
// scalar comparison and the reservation role of a resource. Declared in
// validation_support.hpp; they mirror no one Mesos function but the
// formatting that src/master/validation.cpp gets from stout.

#include "fakes/master/core/validation_support.hpp"

#include <cmath>
#include <sstream>

#include "harness/wire/json_codec.hpp"

namespace svh::master::validation {

using fakes::Resource;

// stout stringify(double): an ostream with default formatting.
std::string formatDouble(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

// stout stringify of a set: "{ a, b }".
std::string formatSet(const std::set<std::string>& values) {
  std::string out = "{ ";
  bool first = true;
  for (const auto& value : values) {
    if (!first) out += ", ";
    out += value;
    first = false;
  }
  return out + " }";
}

// Mesos prints a raw resource list (not a Resources value) as JSON.
std::string formatJson(const ResourceList& resources) {
  nlohmann::ordered_json array = nlohmann::ordered_json::array();
  for (const auto& resource : resources) array.push_back(wire::toJson(resource));
  return wire::dumpMesosJson(array);
}

long long toFixed(double value) {
  return std::llround(value * 1000.0);
}

std::string reservationRoleOf(const Resource& resource) {
  return fakes::reservationRole(resource);
}

}  // namespace svh::master::validation
