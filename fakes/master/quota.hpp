#pragma once
// Quota as the Mesos 1.12 allocator sees it (SPEC.md 3.6, SV-ALLOC-3):
// scalar quantities by resource name (Mesos ResourceQuantities), limits
// (ResourceLimits: a name without a limit is unlimited), a role's
// guarantees and limits, the "shrink" that trims offers to fit them, and
// the validation of a v1 QuotaConfig with Mesos's texts. Pure code.

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "fakes/common/resources.hpp"
#include "harness/util/result.hpp"

namespace svh::master {

using fakes::Resources;

// Scalar amounts by name, kept at Mesos's three decimals; a name with zero
// is absent.
class Quantities {
 public:
  Quantities() = default;
  Quantities(std::initializer_list<std::pair<const std::string, double>> values);

  // Each distinct scalar resource once, so a shared volume counts once
  // whatever its copies (ResourceQuantities::fromScalarResources, SV-ARITH-6).
  static Quantities of(const Resources& resources);

  double get(const std::string& name) const;
  void set(const std::string& name, double value);
  bool empty() const { return values_.empty(); }
  const std::map<std::string, double>& values() const { return values_; }

  Quantities& operator+=(const Quantities& other);
  // Clamped at zero (Mesos ResourceQuantities::operator-).
  Quantities& operator-=(const Quantities& other);
  Quantities operator+(const Quantities& other) const;
  Quantities operator-(const Quantities& other) const;
  bool operator==(const Quantities& other) const { return values_ == other.values_; }
  // Every amount of `other` is at most ours.
  bool contains(const Quantities& other) const;

  // "cpus:1; mem:512" in name order, "{}" when empty.
  std::string str() const;

 private:
  std::map<std::string, double> values_;
};

// A role's quota: guarantees (held back for it, allocated first) and limits
// (never exceeded). An absent limit is no limit.
struct Quota {
  Quantities guarantees;
  std::map<std::string, double> limits;

  bool isDefault() const { return guarantees.empty() && limits.empty(); }
  bool operator==(const Quota& other) const {
    return guarantees == other.guarantees && limits == other.limits;
  }
};

// limits - consumed, clamped at zero; names without a limit stay unlimited.
std::map<std::string, double> remainingLimits(const std::map<std::string, double>& limits,
                                              const Quantities& consumed);
// Whether `quantities` fit under `limits` (ResourceLimits::contains).
bool withinLimits(const std::map<std::string, double>& limits, const Quantities& quantities);

// Mesos shrinkResources(resources, ResourceQuantities): scalars trimmed so
// that the result fits `target`; names absent from `target` are dropped.
Resources shrinkToQuantities(const Resources& resources, Quantities target);
// Mesos shrinkResources(resources, ResourceLimits): names absent from
// `limits` are kept whole.
Resources shrinkToLimits(const Resources& resources, std::map<std::string, double> limits);

// A v1 quota.QuotaConfig.
struct QuotaConfig {
  std::string role;
  bool has_role = true;
  std::map<std::string, double> guarantees;
  std::map<std::string, double> limits;
};

// Mesos quota::validate(QuotaConfig): role set and valid, values not too
// large, valid scalars, guarantees within limits. The operator API answers
// 400 "Invalid QuotaConfig: " + this.
Problem validateQuotaConfig(const QuotaConfig& config);

// The checks of UPDATE_QUOTA that need the cluster (Mesos
// QuotaHandler::update), in its order; each text is the whole 400 body:
//   "Invalid QuotaConfig: '<r>' is not on the roles whitelist"
//   "Updating quota on nested role '<r>' is not supported yet"
//   "Invalid QuotaConfig: <validateQuotaConfig>"
//   "Invalid QuotaConfig: Role '<r>' is already consuming '<q>'; this is
//    more than the requested limits '<l>' (use 'force' flag to bypass this check)"
//   "Invalid QuotaConfig: total quota guarantees '<g>' exceed cluster
//    capacity '<c>' (use 'force' flag to bypass this check)"
struct QuotaUpdateContext {
  std::function<bool(const std::string&)> whitelisted;     // --roles
  std::function<Quantities(const std::string&)> consumed;  // per role
  std::map<std::string, Quota> current;                    // quotas now
  Quantities capacity;                                     // cluster, non-revocable
};
Problem validateQuotaUpdate(const std::vector<QuotaConfig>& configs, bool force,
                            const QuotaUpdateContext& context);

// A role's consumed quota (SV-ALLOC-3, Mesos Role::quotaOfferedOrConsumed):
// every reservation to the role or a sub-role on every agent, allocated or
// not, each shared volume once per agent, plus what the role's subtree holds
// unreserved and non-revocable in offers, tasks and executors.
//   `agent_totals`: each agent's total (unallocated);
//   `held`: per agent, everything offered or allocated (allocated form).
Quantities consumedQuota(const std::string& role,
                         const std::map<std::string, Resources>& agent_totals,
                         const std::map<std::string, Resources>& held);

}  // namespace svh::master
