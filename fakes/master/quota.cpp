#include "fakes/master/quota.hpp"

#include <cmath>
#include <limits>
#include <sstream>

#include "fakes/common/resource_validation.hpp"
#include "fakes/master/core/validation.hpp"

namespace svh::master {

namespace {

std::string formatScalar(double value) {
  std::ostringstream out;
  out.precision(std::numeric_limits<double>::digits10);
  out << fakes::roundScalar(value);
  return out.str();
}

// stout stringify(map): "{ key: value, ... }".
std::string formatMap(const std::map<std::string, double>& values) {
  std::string out = "{ ";
  bool first = true;
  for (const auto& [name, value] : values) {
    if (!first) out += ", ";
    first = false;
    out += name + ": " + formatScalar(value);
  }
  return out + " }";
}

std::string formatLimits(const std::map<std::string, double>& limits) {
  if (limits.empty()) return "{}";
  std::string out;
  for (const auto& [name, value] : limits) {
    if (!out.empty()) out += "; ";
    out += name + ":" + formatScalar(value);
  }
  return out;
}


}  // namespace

Quantities::Quantities(std::initializer_list<std::pair<const std::string, double>> values) {
  for (const auto& [name, value] : values) set(name, value);
}

Quantities Quantities::of(const Resources& resources) {
  Quantities out;
  for (const auto& entry : resources.entries()) {
    if (entry.resource.type() != mesos::v1::Value::SCALAR) continue;
    out.set(entry.resource.name(),
            out.get(entry.resource.name()) + entry.resource.scalar().value());
  }
  return out;
}

double Quantities::get(const std::string& name) const {
  auto it = values_.find(name);
  return it == values_.end() ? 0.0 : it->second;
}

void Quantities::set(const std::string& name, double value) {
  value = fakes::roundScalar(value);
  if (value > 0) {
    values_[name] = value;
  } else {
    values_.erase(name);
  }
}

Quantities& Quantities::operator+=(const Quantities& other) {
  for (const auto& [name, value] : other.values_) set(name, get(name) + value);
  return *this;
}

Quantities& Quantities::operator-=(const Quantities& other) {
  for (const auto& [name, value] : other.values_) set(name, get(name) - value);
  return *this;
}

Quantities Quantities::operator+(const Quantities& other) const {
  Quantities out = *this;
  out += other;
  return out;
}

Quantities Quantities::operator-(const Quantities& other) const {
  Quantities out = *this;
  out -= other;
  return out;
}

bool Quantities::contains(const Quantities& other) const {
  for (const auto& [name, value] : other.values_) {
    if (get(name) + 1e-9 < value) return false;
  }
  return true;
}

std::string Quantities::str() const {
  if (values_.empty()) return "{}";
  std::string out;
  for (const auto& [name, value] : values_) {
    if (!out.empty()) out += "; ";
    out += name + ":" + formatScalar(value);
  }
  return out;
}

std::map<std::string, double> remainingLimits(const std::map<std::string, double>& limits,
                                              const Quantities& consumed) {
  std::map<std::string, double> out;
  for (const auto& [name, limit] : limits) {
    out[name] = std::max(0.0, fakes::roundScalar(limit - consumed.get(name)));
  }
  return out;
}

bool withinLimits(const std::map<std::string, double>& limits, const Quantities& quantities) {
  for (const auto& [name, limit] : limits) {
    if (quantities.get(name) > limit + 1e-9) return false;
  }
  return true;
}

namespace {

// Trims one scalar resource to at most `amount`; false when nothing is left.
// Persistent volumes and MOUNT disks cannot be split (Resources::shrink).
bool shrink(fakes::Resource* resource, double amount) {
  if (resource->type() != mesos::v1::Value::SCALAR) return false;
  double value = resource->scalar().value();
  if (value <= amount + 1e-9) return true;
  bool whole = fakes::isPersistentVolume(*resource) ||
               (resource->has_disk() && resource->disk().has_source() &&
                resource->disk().source().type() == fakes::Resource::DiskInfo::Source::MOUNT);
  if (whole || amount <= 0) return false;
  resource->mutable_scalar()->set_value(fakes::roundScalar(amount));
  return true;
}

}  // namespace

Resources shrinkToQuantities(const Resources& resources, Quantities target) {
  Resources result;
  if (target.empty()) return result;
  for (const auto& entry : resources.entries()) {
    auto resource = entry.resource;
    double amount = target.get(resource.name());
    if (amount <= 0) continue;
    if (shrink(&resource, amount)) {
      Quantities used;
      used.set(resource.name(), resource.scalar().value());
      target -= used;
      result.add(resource, entry.count);
    }
  }
  return result;
}

Resources shrinkToLimits(const Resources& resources, std::map<std::string, double> limits) {
  if (limits.empty()) return resources;
  Resources result;
  for (const auto& entry : resources.entries()) {
    auto resource = entry.resource;
    auto it = limits.find(resource.name());
    if (it == limits.end()) {
      result.add(resource, entry.count);
      continue;
    }
    if (shrink(&resource, it->second)) {
      it->second = std::max(0.0, fakes::roundScalar(it->second - resource.scalar().value()));
      result.add(resource, entry.count);
    }
  }
  return result;
}

Problem validateQuotaConfig(const QuotaConfig& config) {
  if (!config.has_role) return "'QuotaConfig.role' must be set";
  if (auto error = fakes::validateRole(config.role)) {
    return "Invalid 'QuotaConfig.role': " + *error;
  }
  constexpr double kExabyteInMegabytes = 1024.0 * 1024.0 * 1024.0 * 1024.0;
  constexpr double kOtherLimit = 1000.0 * 1000.0 * 1000.0 * 1000.0;
  auto tooLarge = [&](const std::map<std::string, double>& values) -> Problem {
    for (const auto& [name, value] : values) {
      if (name == "mem" || name == "disk") {
        if (value > kExabyteInMegabytes) {
          return "{'" + name + "': " + formatScalar(value) +
                 "} is invalid: values greater than 1 exabyte (1099511627776) are not supported";
        }
      } else if (value > kOtherLimit) {
        return "{'" + name + "': " + formatScalar(value) +
               "} is invalid: values greater than 1 trillion (1000000000000) are not supported";
      }
    }
    return std::nullopt;
  };
  if (auto error = tooLarge(config.guarantees)) {
    return "Invalid 'QuotaConfig.guarantees': " + *error;
  }
  if (auto error = tooLarge(config.limits)) return "Invalid 'QuotaConfig.limits': " + *error;
  for (const auto& [name, value] : config.guarantees) {
    if (auto error = validation::validateInputScalarValue(value)) {
      return "Invalid guarantee configuration {'" + name + "': " + formatScalar(value) +
             "}: " + *error;
    }
  }
  for (const auto& [name, value] : config.limits) {
    if (auto error = validation::validateInputScalarValue(value)) {
      return "Invalid limit configuration {'" + name + "': " + formatScalar(value) + "}: " + *error;
    }
  }
  Quantities guarantees;
  for (const auto& [name, value] : config.guarantees) guarantees.set(name, value);
  if (!withinLimits(config.limits, guarantees)) {
    return "'QuotaConfig.guarantees' " + formatMap(config.guarantees) +
           " is not contained within the 'QuotaConfig.limits' " + formatMap(config.limits);
  }
  return std::nullopt;
}

Problem validateQuotaUpdate(const std::vector<QuotaConfig>& configs, bool force,
                            const QuotaUpdateContext& context) {
  for (const auto& config : configs) {
    if (context.whitelisted && !context.whitelisted(config.role)) {
      return "Invalid QuotaConfig: '" + config.role + "' is not on the roles whitelist";
    }
    if (config.role.find('/') != std::string::npos) {
      return "Updating quota on nested role '" + config.role + "' is not supported yet";
    }
    if (auto error = validateQuotaConfig(config)) return "Invalid QuotaConfig: " + *error;
  }
  for (const auto& config : configs) {
    Quantities consumed = context.consumed ? context.consumed(config.role) : Quantities{};
    if (!withinLimits(config.limits, consumed) && !force) {
      return "Invalid QuotaConfig: Role '" + config.role + "' is already consuming '" +
             consumed.str() + "'; this is more than the requested limits '" +
             formatLimits(config.limits) + "' (use 'force' flag to bypass this check)";
    }
  }
  std::map<std::string, Quota> quotas = context.current;
  for (const auto& config : configs) {
    Quota quota;
    for (const auto& [name, value] : config.guarantees) quota.guarantees.set(name, value);
    quota.limits = config.limits;
    quotas[config.role] = quota;
  }
  Quantities guarantees;
  for (const auto& [role, quota] : quotas) guarantees += quota.guarantees;
  if (!context.capacity.contains(guarantees) && !force) {
    return "Invalid QuotaConfig: total quota guarantees '" + guarantees.str() +
           "' exceed cluster capacity '" + context.capacity.str() +
           "' (use 'force' flag to bypass this check)";
  }
  return std::nullopt;
}

Quantities consumedQuota(const std::string& role,
                         const std::map<std::string, Resources>& agent_totals,
                         const std::map<std::string, Resources>& held) {
  Quantities consumed;
  for (const auto& [agent, total] : agent_totals) {
    consumed += Quantities::of(total.reserved().filter([&](const fakes::Resource& r) {
      return fakes::isRoleOrSubroleOf(fakes::reservationRole(r), role);
    }));
  }
  for (const auto& [agent, resources] : held) {
    consumed += Quantities::of(resources.filter([&](const fakes::Resource& r) {
      return !fakes::isReserved(r) && !r.has_revocable() && r.has_allocation_info() &&
             fakes::isRoleOrSubroleOf(r.allocation_info().role(), role);
    }));
  }
  return consumed;
}

}  // namespace svh::master
