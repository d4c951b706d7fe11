#pragma once
// HTTP Accept negotiation as libprocess does it (PROTOCOL.md 1.1): the most
// specific matching range decides (type/subtype, then type/*, then */*), a
// q=0 range excludes, and a missing Accept header accepts everything.

#include <optional>
#include <string_view>

namespace svh::http {

// The two media types of the Mesos v1 APIs.
inline constexpr std::string_view kJsonMediaType = "application/json";
inline constexpr std::string_view kProtobufMediaType = "application/x-protobuf";

bool acceptsMediaType(std::optional<std::string_view> accept_header, std::string_view media_type);

}  // namespace svh::http
