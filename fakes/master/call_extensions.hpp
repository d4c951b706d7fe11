#pragma once
// Parts of mesos.v1.master.Call and Response that the wire layer's proto
// subset does not declare (the quota messages, proto/quota.proto). A
// protobuf call keeps them as unknown fields, a JSON call as keys the
// codec ignored; these helpers read them from either and write the answer's
// field the same way, so the v1 operator API serves them in both encodings.

#include <google/protobuf/message.h>

#include <string>

#include "harness/util/result.hpp"
#include "mesos/v1/master/master.pb.h"

namespace svh::master {

// The request as received: the parsed call plus, for JSON, its text.
struct OperatorRequest {
  const mesos::v1::master::Call& call;
  const std::string& json_body;  // empty for protobuf
  bool json = false;
};

// Whether field `number` (JSON key `key`) is present and not null.
bool hasCallField(const OperatorRequest& request, int number, const char* key);

// Reads field `number` (JSON key `key`) into `out`. An error names what did
// not parse, like the 400 "Failed to convert JSON into Call protobuf: ...".
Problem readCallField(const OperatorRequest& request, int number, const char* key,
                      google::protobuf::Message* out);

// The answer with `field` (number, JSON key) set to `message`, encoded.
std::string encodeResponse(const mesos::v1::master::Response& response, int number, const char* key,
                           const google::protobuf::Message& message, bool protobuf);

}  // namespace svh::master
