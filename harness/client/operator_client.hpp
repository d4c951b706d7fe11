#pragma once
// The operator's view of a master: /master/state, /metrics/snapshot, the form
// endpoints and the v1 operator API (PROTOCOL.md 4), each answer returned
// as the master gave it so that checks can assert on status codes.

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "harness/client/scheduler_client.hpp"
#include "harness/http/client.hpp"
#include "mesos/v1/master/master.pb.h"

namespace svh::harness {

class OperatorClient {
 public:
  explicit OperatorClient(http::Url master);

  // GET a JSON endpoint; throws HarnessError unless 200 with valid JSON.
  nlohmann::json getJson(const std::string& path);
  nlohmann::json state() { return getJson("/master/state"); }
  nlohmann::json slaves() { return getJson("/master/slaves"); }
  nlohmann::json metrics() { return getJson("/metrics/snapshot"); }

  // POST a form endpoint (/master/create-volumes, ...), fields url-encoded.
  http::Response form(const std::string& path, const std::map<std::string, std::string>& fields);
  // The form endpoints with Mesos's field names (slaveId and resources or
  // volumes, each a JSON array of v1 Resources).
  http::Response reserve(const std::string& agent_id,
                         const std::vector<mesos::v1::Resource>& resources);
  http::Response unreserve(const std::string& agent_id,
                           const std::vector<mesos::v1::Resource>& resources);
  http::Response createVolumes(const std::string& agent_id,
                               const std::vector<mesos::v1::Resource>& volumes);
  http::Response destroyVolumes(const std::string& agent_id,
                                const std::vector<mesos::v1::Resource>& volumes);
  // POST /api/v1 in the given encoding.
  http::Response v1(const mesos::v1::master::Call& call, ContentType type = ContentType::kJson);
  // Decodes a 200 answer of v1(); throws HarnessError otherwise.
  mesos::v1::master::Response v1Response(const mesos::v1::master::Call& call,
                                         ContentType type = ContentType::kJson);

 private:
  http::Url master_;
  http::Client client_;
};

std::string urlEncode(const std::string& text);

}  // namespace svh::harness
