#pragma once

// Protobuf <-> JSON exactly as Mesos (stout's JSON::protobuf and
// protobuf::parse) does it, so our master, agent and clients produce and
// accept the same JSON as a real Mesos. The rules are PROTOCOL.md section 2;
// in short:
//
// Output: proto field names in declaration order; enums by name; bytes as
// padded base64; every integer as a JSON number; an optional field is
// written when set, or when it has an explicit [default] and is not
// deprecated (so "refuse_seconds":5.0 and "shell":true appear unasked);
// empty repeated fields are omitted; a present empty message is {}; a map
// is an object.
//
// Input: a top-level object; unknown keys ignored; null means unset; enums
// only as name strings; numbers also as numeric strings; bools also as
// "true"/"false"; a lone value for a repeated field is one element; at most
// 200 levels of nesting; finally every required field must be present.
//
// None of these functions throws.

#include <google/protobuf/message.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace svh::wire {

// Deepest nesting of JSON objects and arrays accepted on input (stout's
// limit).
inline constexpr int kMaxJsonDepth = 200;

// Exceptions to the output rules that some Mesos endpoints make (see
// operator_json.hpp for where they apply).
struct JsonOptions {
  // Full names of repeated fields (e.g.
  // "mesos.v1.master.Response.GetTasks.tasks") written as [] when empty
  // instead of being omitted.
  std::set<std::string, std::less<>> emptyArrays;

  // Write each mesos.v1 message as Mesos's asV1Protobuf does: convert it to
  // its v0 twin and write that with "slave" -> "agent" in field names and
  // "SLAVE" -> "AGENT" in enum names. Names come out the same as in v1; the
  // difference is that v0-only fields appear, i.e. AgentInfo gains
  // "checkpoint" (from the unknown field 7, else its default false).
  bool viaV0 = false;
};

// The message as a JSON object, keys in .proto declaration order. Infinite
// doubles become the strings "Infinity" / "-Infinity", as Mesos writes them
// (its bundled rapidjson is patched to quote them; they occur in task
// `limits`). NaN stays a float: nlohmann's dump() writes null for it,
// toJsonString() writes a bare NaN like Mesos. Strings are copied as they
// are: dump the result with error_handler_t::replace (or dumpMesosJson) if
// they may hold invalid UTF-8, since nlohmann's default dump() throws then.
nlohmann::ordered_json toJson(const google::protobuf::Message& message,
                              const JsonOptions& options = {});

// Compact single-line JSON text of toJson(message), byte-compatible with
// Mesos: doubles in rapidjson's layout, always with a '.' or 'e' ("15.0",
// "0.1", "1e-7"); invalid UTF-8 in strings is replaced by U+FFFD rather
// than failing.
std::string toJsonString(const google::protobuf::Message& message, const JsonOptions& options = {});

// Serializes any JSON value the way toJsonString() does (compact, Mesos's
// double layout, NaN bare, invalid UTF-8 replaced).
std::string dumpMesosJson(const nlohmann::ordered_json& value);

// Replaces the contents of `message` with `json`. Returns nullopt on
// success, otherwise an error naming the offending field (the message is
// then left partially filled).
std::optional<std::string> fromJson(const nlohmann::json& json, google::protobuf::Message* message);
std::optional<std::string> fromJson(const nlohmann::ordered_json& json,
                                    google::protobuf::Message* message);

// Parses JSON text (strict: no comments, no trailing data, no bare NaN) into
// `message`. Returns nullopt on success, otherwise the error.
std::optional<std::string> parseJson(std::string_view text, google::protobuf::Message* message);

}  // namespace svh::wire
