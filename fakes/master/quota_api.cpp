// Quota on the v1 operator API (Mesos Master::QuotaHandler): UPDATE_QUOTA
// sets guarantees and limits per top-level role (SV-ALLOC-3 becomes
// observable through them), GET_QUOTA reports them, and the deprecated
// SET_QUOTA / REMOVE_QUOTA still work. The messages travel as fields the
// wire subset does not declare (call_extensions.hpp).

#include "fakes/master/call_extensions.hpp"
#include "fakes/master/master.hpp"
#include "fakes/master/proto/quota.pb.h"
#include "harness/util/log.hpp"

namespace svh::master {

using http::bhttp::status;
namespace v1master = mesos::v1::master;
namespace quota = svh::master::quota;

namespace {

constexpr int kUpdateQuotaField = 20;
constexpr int kSetQuotaField = 14;
constexpr int kRemoveQuotaField = 15;
constexpr int kGetQuotaField = 19;

QuotaConfig fromProto(const quota::QuotaConfig& proto) {
  QuotaConfig config;
  config.role = proto.role();
  config.has_role = proto.has_role();
  for (const auto& [name, scalar] : proto.guarantees()) config.guarantees[name] = scalar.value();
  for (const auto& [name, scalar] : proto.limits()) config.limits[name] = scalar.value();
  return config;
}

}  // namespace

Quantities Master::consumedQuota(const std::string& role) const {
  std::map<std::string, Resources> totals;
  std::map<std::string, Resources> held;
  for (const auto& [id, agent] : agents_) totals[id] = agent.total.unallocate();
  for (const auto& h : heldResources(view())) held[h.agent_id] += h.resources;
  return master::consumedQuota(role, totals, held);
}

void Master::quotaCall(std::shared_ptr<http::Exchange> exchange, const v1master::Call& call,
                       const std::string& body_json, bool json_request, bool protobuf_answer) {
  auto reply = [&](status code, std::string body = {}) {
    exchange->respond(http::makeResponse(code, std::move(body)));
  };
  OperatorRequest request{call, body_json, json_request};
  auto whitelisted = [this](const std::string& role) {
    return !flags_.roles || flags_.roles->count(role) > 0;
  };

  switch (call.type()) {
    case v1master::Call::GET_QUOTA: {
      quota::GetQuota get;
      auto* status = get.mutable_status();
      for (const auto& [role, entry] : quotas_) {
        auto* info = status->add_infos();
        info->set_role(role);
        for (const auto& [name, value] : entry.guarantees.values()) {
          auto* resource = info->add_guarantee();
          resource->set_name(name);
          resource->set_type(mesos::v1::Value::SCALAR);
          resource->mutable_scalar()->set_value(value);
        }
        auto* config = status->add_configs();
        config->set_role(role);
        for (const auto& [name, value] : entry.guarantees.values()) {
          (*config->mutable_guarantees())[name].set_value(value);
        }
        for (const auto& [name, value] : entry.limits) {
          (*config->mutable_limits())[name].set_value(value);
        }
      }
      v1master::Response response;
      response.set_type(v1master::Response::GET_QUOTA);
      std::string body =
          encodeResponse(response, kGetQuotaField, "get_quota", get, protobuf_answer);
      return exchange->respond(
          http::makeResponse(status::ok, std::move(body),
                             protobuf_answer ? "application/x-protobuf" : "application/json"));
    }
    case v1master::Call::UPDATE_QUOTA: {
      quota::UpdateQuota update;
      if (auto error = readCallField(request, kUpdateQuotaField, "update_quota", &update)) {
        return reply(status::bad_request, "Failed to convert JSON into Call protobuf: " + *error);
      }
      std::vector<QuotaConfig> configs;
      for (const auto& config : update.quota_configs()) configs.push_back(fromProto(config));
      QuotaUpdateContext context;
      context.whitelisted = whitelisted;
      context.consumed = [this](const std::string& role) { return consumedQuota(role); };
      context.current = quotas_;
      for (const auto& [id, agent] : agents_) {
        context.capacity += Quantities::of(
            agent.total.filter([](const fakes::Resource& r) { return !r.has_revocable(); }));
      }
      if (auto error = validateQuotaUpdate(configs, update.force(), context)) {
        return reply(status::bad_request, *error);
      }
      for (const auto& config : configs) {
        Quota entry;
        for (const auto& [name, value] : config.guarantees) entry.guarantees.set(name, value);
        entry.limits = config.limits;
        if (entry.isDefault()) {
          quotas_.erase(config.role);
        } else {
          quotas_[config.role] = entry;
        }
        log::info("Updated quota for role '", config.role,
                  "', guarantees: ", entry.guarantees.str());
      }
      reply(status::ok);
      return allocateSoon();
    }
    case v1master::Call::SET_QUOTA: {
      quota::SetQuota set;
      if (auto error = readCallField(request, kSetQuotaField, "set_quota", &set)) {
        return reply(status::bad_request, "Failed to convert JSON into Call protobuf: " + *error);
      }
      const auto& request_info = set.quota_request();
      if (!request_info.has_role()) {
        return reply(status::bad_request,
                     "Failed to validate set quota request: QuotaInfo must specify a role");
      }
      if (!whitelisted(request_info.role())) {
        return reply(status::bad_request, "Failed to validate set quota request: Unknown role '" +
                                              request_info.role() + "'");
      }
      if (quotas_.count(request_info.role())) {
        return reply(status::bad_request,
                     "Failed to validate set quota request: Cannot set quota for role '" +
                         request_info.role() + "' which already has quota");
      }
      QuotaConfig config;
      config.role = request_info.role();
      for (const auto& resource : request_info.guarantee()) {
        if (resource.type() != mesos::v1::Value::SCALAR) {
          return reply(status::bad_request,
                       "Failed to validate set quota request: QuotaInfo must not include "
                       "non-scalar resources");
        }
        config.guarantees[resource.name()] += resource.scalar().value();
      }
      config.limits = config.guarantees;  // a legacy guarantee is also the limit
      QuotaUpdateContext context;
      context.whitelisted = whitelisted;
      context.consumed = [](const std::string&) { return Quantities{}; };
      context.current = quotas_;
      for (const auto& [id, agent] : agents_) {
        context.capacity += Quantities::of(
            agent.total.filter([](const fakes::Resource& r) { return !r.has_revocable(); }));
      }
      if (auto error = validateQuotaUpdate({config}, request_info.force(), context)) {
        return reply(status::bad_request, *error);
      }
      Quota entry;
      for (const auto& [name, value] : config.guarantees) entry.guarantees.set(name, value);
      entry.limits = config.limits;
      quotas_[config.role] = entry;
      reply(status::ok);
      return allocateSoon();
    }
    case v1master::Call::REMOVE_QUOTA: {
      quota::RemoveQuota remove;
      if (auto error = readCallField(request, kRemoveQuotaField, "remove_quota", &remove)) {
        return reply(status::bad_request, "Failed to convert JSON into Call protobuf: " + *error);
      }
      quotas_.erase(remove.role());
      reply(status::ok);
      return allocateSoon();
    }
    default:
      return reply(status::not_implemented);
  }
}

}  // namespace svh::master
