#pragma once
// The agent's `--resources` flag in Mesos syntax (Resources::parse and
// Resources::fromString), so Mesos users can reuse their agent flags:
//
//   cpus:4;mem:4096;disk(eng):2048;ports:[31000-32000];foo:{a,b}
//
// `name(role):value`, ';'-separated; a role in parentheses is a STATIC
// reservation, otherwise `default_role` applies ("*" = unreserved). Values
// are scalars ("4", "0.5"), ranges ("[31000-32000, 40000-40010]") or sets
// ("{a,b}"); spaces inside a value are ignored. Alternatively the whole
// flag is a JSON array of Resource objects (either reservation format):
//
//   [{"name":"disk","type":"SCALAR","scalar":{"value":2048},"role":"eng"}]
//
// The result is in post-refinement format, validated like Mesos does for
// command-line resources: no persistent volumes, no revocable resources,
// no dynamic reservations, and no name used with two value types. Zero
// values are dropped.

#include <string>
#include <string_view>

#include "fakes/common/resources.hpp"
#include "harness/util/result.hpp"

namespace svh::fakes {

// Mesos Resources::parse(name, value, role): one resource, statically
// reserved to `role` unless it is "*". Not validated beyond the value's
// syntax. Errors are Mesos's: "Failed to parse resource <name> value
// <value> error <why>", "Bad type for resource <name> value <value> type
// TEXT".
Result<Resource> parseResource(const std::string& name, const std::string& value,
                               const std::string& role = "*");

// The whole flag. Errors are one line and name the offending token, e.g.
// "Bad value for resources, missing or extra ':' in cpus", "Invalid scalar
// resource: value <= 0 in 'cpus:0.0001'".
Result<Resources> parseResourcesFlag(std::string_view text, const std::string& default_role = "*");

}  // namespace svh::fakes
