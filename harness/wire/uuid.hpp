#pragma once

// UUIDs as Mesos uses them: 16 raw bytes in protobuf `bytes` fields
// (TaskStatus.uuid, Acknowledge.uuid, UUID.value) and the canonical
// 36-character text form in headers (Mesos-Stream-Id) and ids.

#include <optional>
#include <string>
#include <string_view>

namespace svh::wire {

inline constexpr size_t kUuidSize = 16;

// A random (version 4, RFC 4122 variant) UUID as 16 raw bytes.
std::string randomUuidBytes();

// The same as canonical text, e.g. "130ae4e3-6b13-4ef4-baa9-9f2e85c3e9af".
std::string randomUuidString();

// Lower-case canonical text of 16 raw bytes; nullopt if not 16 bytes.
std::optional<std::string> uuidToString(std::string_view bytes);

// 16 raw bytes from canonical text (8-4-4-4-12 hex digits, either case);
// nullopt if malformed. Only checks the syntax, not version or variant.
std::optional<std::string> uuidFromString(std::string_view text);

// A well-formed RFC 4122 UUID: 16 bytes, variant bits 10, version 1..5.
// What our master and agent require, and what we always generate.
bool isValidUuid(std::string_view bytes);

// What a real Mesos accepts in ACKNOWLEDGE and status updates
// (stout UUID::fromBytes): 16 bytes and version 1..5; the variant is NOT
// checked. Use to predict Mesos's verdict on odd input.
bool isMesosAcceptedUuid(std::string_view bytes);

}  // namespace svh::wire
