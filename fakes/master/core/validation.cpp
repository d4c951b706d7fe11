#include "fakes/master/core/validation.hpp"

#include <google/protobuf/util/message_differencer.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <sstream>

#include "fakes/common/resource_validation.hpp"
#include "harness/wire/json_codec.hpp"
#include "harness/wire/uuid.hpp"

namespace svh::master::validation {

using fakes::Resource;
using google::protobuf::util::MessageDifferencer;
using mesos::v1::CommandInfo;
using mesos::v1::ContainerInfo;
using mesos::v1::ExecutorInfo;
using mesos::v1::TaskInfo;
using Operation = mesos::v1::Offer::Operation;
using Call = mesos::v1::scheduler::Call;
using Capability = mesos::v1::FrameworkInfo::Capability;

namespace {

// Mesos's minimum executor resources for task groups.
constexpr double kMinCpus = 0.01;
constexpr std::uint64_t kMegabyte = 1024 * 1024;
constexpr std::uint64_t kMinMemBytes = 32 * kMegabyte;

// stout stringify(double): an ostream with default formatting.
std::string formatDouble(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

// stout's Bytes printing: the largest unit that loses nothing.
std::string formatBytes(std::uint64_t bytes) {
  constexpr std::uint64_t kKilo = 1024;
  if (bytes == 0) return "0B";
  if (bytes % kKilo != 0) return std::to_string(bytes) + "B";
  if (bytes % (kKilo * kKilo) != 0) return std::to_string(bytes / kKilo) + "KB";
  if (bytes % (kKilo * kKilo * kKilo) != 0) return std::to_string(bytes / (kKilo * kKilo)) + "MB";
  if (bytes % (kKilo * kKilo * kKilo * kKilo) != 0) {
    return std::to_string(bytes / (kKilo * kKilo * kKilo)) + "GB";
  }
  return std::to_string(bytes / (kKilo * kKilo * kKilo * kKilo)) + "TB";
}

// Mesos Resources::mem()/disk(): whole megabytes, in bytes.
std::optional<std::uint64_t> megabytesOf(const std::optional<double>& value) {
  if (!value) return std::nullopt;
  return static_cast<std::uint64_t>(*value) * kMegabyte;
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

bool nonNegative(std::int64_t nanoseconds) {
  return nanoseconds >= 0;
}

std::string reservationRoleOf(const Resource& resource) {
  return fakes::reservationRole(resource);
}

bool hasRefinedReservations(const Resource& resource) {
  return resource.reservations_size() > 1;
}

Resources unallocated(const Resources& resources) {
  return resources.unallocate();
}

// Mesos ResourceQuantities::fromResources: per name, scalar sum, set size or
// number of range elements; each distinct shared resource once.
std::map<std::string, long long> quantities(const Resources& resources) {
  std::map<std::string, long long> out;
  for (const auto& entry : resources.entries()) {
    const Resource& resource = entry.resource;
    long long amount = 0;
    switch (resource.type()) {
      case mesos::v1::Value::SCALAR:
        amount = toFixed(resource.scalar().value());
        break;
      case mesos::v1::Value::SET:
        amount = 1000LL * resource.set().item_size();
        break;
      case mesos::v1::Value::RANGES:
        for (const auto& range : resource.ranges().range()) {
          amount += 1000LL * static_cast<long long>(range.end() - range.begin() + 1);
        }
        break;
      default:
        break;
    }
    out[resource.name()] += amount;
  }
  for (auto it = out.begin(); it != out.end();) {
    it = it->second == 0 ? out.erase(it) : std::next(it);
  }
  return out;
}

// Overlapping ranges or sets between the lists: the parts' quantities add
// up to more than the quantities of their sum.
bool overlapping(const std::vector<Resources>& parts) {
  std::map<std::string, long long> separate;
  Resources total;
  for (const auto& part : parts) {
    for (const auto& [name, amount] : quantities(part)) separate[name] += amount;
    total += part;
  }
  return separate != quantities(total);
}

// ---- common::validation ----------------------------------------------------

Problem validateSecret(const mesos::v1::Secret& secret) {
  switch (secret.type()) {
    case mesos::v1::Secret::REFERENCE:
      if (!secret.has_reference()) {
        return "Secret of type REFERENCE must have the 'reference' field set";
      }
      if (secret.has_value()) {
        return "Secret '" + secret.reference().name() +
               "' of type REFERENCE must not have the 'value' field set";
      }
      break;
    case mesos::v1::Secret::VALUE:
      if (!secret.has_value()) return "Secret of type VALUE must have the 'value' field set";
      if (secret.has_reference()) {
        return "Secret of type VALUE must not have the 'reference' field set";
      }
      break;
    default:
      break;
  }
  return std::nullopt;
}

Problem validateEnvironment(const mesos::v1::Environment& environment) {
  using Variable = mesos::v1::Environment::Variable;
  for (const Variable& variable : environment.variables()) {
    const std::string name = "Environment variable '" + variable.name() + "'";
    switch (variable.type()) {
      case Variable::SECRET: {
        if (!variable.has_secret()) return name + " of type 'SECRET' must have a secret set";
        if (variable.has_value()) return name + " of type 'SECRET' must not have a value set";
        if (auto error = validateSecret(variable.secret())) {
          return name + " specifies an invalid secret: " + *error;
        }
        if (variable.secret().value().data().find('\0') != std::string::npos) {
          return name +
                 " specifies a secret containing null bytes, which is not allowed in the "
                 "environment";
        }
        break;
      }
      case Variable::VALUE:
        if (!variable.has_value()) return name + " of type 'VALUE' must have a value set";
        if (variable.has_secret()) return name + " of type 'VALUE' must not have a secret set";
        break;
      default:
        return "Environment variable of type 'UNKNOWN' is not allowed";
    }
  }
  return std::nullopt;
}

Problem validateCommandInfo(const CommandInfo& command) {
  return validateEnvironment(command.environment());
}

Problem validateVolume(const mesos::v1::Volume& volume) {
  int set = (volume.has_host_path() ? 1 : 0) + (volume.has_image() ? 1 : 0) +
            (volume.has_source() ? 1 : 0);
  if (set != 1) return "Only one of them should be set: 'host_path', 'image' and 'source'";
  if (!volume.has_source()) return std::nullopt;

  using Source = mesos::v1::Volume::Source;
  const Source& source = volume.source();
  switch (source.type()) {
    case Source::DOCKER_VOLUME:
      if (!source.has_docker_volume()) {
        return "'source.docker_volume' is not set for DOCKER_VOLUME volume";
      }
      break;
    case Source::HOST_PATH:
      if (!source.has_host_path()) return "'source.host_path' is not set for HOST_PATH volume";
      break;
    case Source::SANDBOX_PATH:
      if (!source.has_sandbox_path()) {
        return "'source.sandbox_path' is not set for SANDBOX_PATH volume";
      }
      break;
    case Source::SECRET:
      if (!source.has_secret()) return "'source.secret' is not set for SECRET volume";
      break;
    case Source::CSI_VOLUME:
      // Our protocol subset has no csi_volume field, so it is never set.
      return "'source.csi_volume' is not set for CSI volume";
    default:
      return "'source.type' is unknown";
  }
  return std::nullopt;
}

Problem validateContainerInfo(const ContainerInfo& container) {
  for (const auto& volume : container.volumes()) {
    if (auto error = validateVolume(volume)) return "Invalid volume: " + *error;
  }
  if (container.type() == ContainerInfo::DOCKER) {
    if (!container.has_docker()) {
      return "DockerInfo 'docker' is not set for DOCKER typed ContainerInfo";
    }
    for (const auto& parameter : container.docker().parameters()) {
      if (parameter.key() == "name") return "Parameter in DockerInfo must not be 'name'";
    }
  }
  return std::nullopt;
}

std::string commandKind(const CommandInfo& command) {
  return command.shell() ? "'shell command'" : "'executable path'";
}

Problem validateHealthCheck(const mesos::v1::HealthCheck& check) {
  using HealthCheck = mesos::v1::HealthCheck;
  if (!check.has_type()) return "HealthCheck must specify 'type'";
  switch (check.type()) {
    case HealthCheck::COMMAND: {
      if (!check.has_command()) return "Expecting 'command' to be set for COMMAND health check";
      if (!check.command().has_value()) {
        return "Command health check must contain " + commandKind(check.command());
      }
      if (auto error = validateCommandInfo(check.command())) {
        return "Health check's `CommandInfo` is invalid: " + *error;
      }
      break;
    }
    case HealthCheck::HTTP: {
      if (!check.has_http()) return "Expecting 'http' to be set for HTTP health check";
      const auto& http = check.http();
      if (http.has_scheme() && http.scheme() != "http" && http.scheme() != "https") {
        return "Unsupported HTTP health check scheme: '" + http.scheme() + "'";
      }
      if (http.has_path() && (http.path().empty() || http.path().front() != '/')) {
        return "The path '" + http.path() + "' of HTTP health check must start with '/'";
      }
      break;
    }
    case HealthCheck::TCP:
      if (!check.has_tcp()) return "Expecting 'tcp' to be set for TCP health check";
      break;
    default:
      return "'" + HealthCheck::Type_Name(check.type()) + "' is not a valid health check type";
  }
  if (check.has_delay_seconds() && check.delay_seconds() < 0.0) {
    return "Expecting 'delay_seconds' to be non-negative";
  }
  if (check.has_grace_period_seconds() && check.grace_period_seconds() < 0.0) {
    return "Expecting 'grace_period_seconds' to be non-negative";
  }
  if (check.has_interval_seconds() && check.interval_seconds() < 0.0) {
    return "Expecting 'interval_seconds' to be non-negative";
  }
  if (check.has_timeout_seconds() && check.timeout_seconds() < 0.0) {
    return "Expecting 'timeout_seconds' to be non-negative";
  }
  return std::nullopt;
}

Problem validateCheckInfo(const mesos::v1::CheckInfo& check) {
  using CheckInfo = mesos::v1::CheckInfo;
  if (!check.has_type()) return "CheckInfo must specify 'type'";
  switch (check.type()) {
    case CheckInfo::COMMAND: {
      if (!check.has_command()) return "Expecting 'command' to be set for COMMAND check";
      const CommandInfo& command = check.command().command();
      if (!command.has_value()) return "Command check must contain " + commandKind(command);
      if (auto error = validateCommandInfo(command)) {
        return "Check's `CommandInfo` is invalid: " + *error;
      }
      break;
    }
    case CheckInfo::HTTP: {
      if (!check.has_http()) return "Expecting 'http' to be set for HTTP check";
      const auto& http = check.http();
      if (http.has_path() && (http.path().empty() || http.path().front() != '/')) {
        return "The path '" + http.path() + "' of HTTP check must start with '/'";
      }
      break;
    }
    case CheckInfo::TCP:
      if (!check.has_tcp()) return "Expecting 'tcp' to be set for TCP check";
      break;
    default:
      return "'" + CheckInfo::Type_Name(check.type()) + "' is not a valid check type";
  }
  if (check.has_delay_seconds() && check.delay_seconds() < 0.0) {
    return "Expecting 'delay_seconds' to be non-negative";
  }
  if (check.has_interval_seconds() && check.interval_seconds() < 0.0) {
    return "Expecting 'interval_seconds' to be non-negative";
  }
  if (check.has_timeout_seconds() && check.timeout_seconds() < 0.0) {
    return "Expecting 'timeout_seconds' to be non-negative";
  }
  return std::nullopt;
}


Problem validateOfferFilters(const mesos::v1::OfferFilters& filters) {
  if (!filters.has_min_allocatable_resources()) return std::nullopt;
  for (const auto& group : filters.min_allocatable_resources().quantities()) {
    if (group.quantities().empty()) {
      return "Resource quantities must contain at least one quantity";
    }
    // Sorted by name for a stable first error (Mesos walks a hash map).
    std::map<std::string, double> sorted;
    for (const auto& [name, scalar] : group.quantities()) sorted[name] = scalar.value();
    for (const auto& [name, value] : sorted) {
      if (auto error = validateInputScalarValue(value)) {
        return "Invalid resource quantity for '" + name + "': " + *error;
      }
    }
  }
  return std::nullopt;
}

// ---- resources --------------------------------------------------------------

Problem validateGpus(const ResourceList& resources) {
  double gpus = Resources(resources).scalar("gpus");
  if (static_cast<long long>(gpus * 1000.0) % 1000 != 0) {
    return "The 'gpus' resource must be an unsigned integer";
  }
  return std::nullopt;
}

Problem validateDiskInfo(const ResourceList& resources) {
  for (const Resource& resource : resources) {
    if (!resource.has_disk()) continue;
    const auto& disk = resource.disk();
    if (disk.has_persistence()) {
      if (resource.has_revocable()) {
        return "Persistent volumes cannot be created from revocable resources";
      }
      if (!fakes::isReserved(resource)) {
        return "Persistent volumes cannot be created from unreserved resources";
      }
      if (!disk.has_volume()) return "Expecting 'volume' to be set for persistent volume";
      if (disk.volume().has_host_path()) {
        return "Expecting 'host_path' to be unset for persistent volume";
      }
      if (auto error = fakes::validateId(disk.persistence().id())) {
        return "Invalid persistence ID for persistent volume: " + *error;
      }
    } else if (disk.has_volume()) {
      return "Non-persistent volume not supported";
    } else if (!disk.has_source()) {
      return "DiskInfo is set but empty";
    }
  }
  return std::nullopt;
}

Problem validateDynamicReservationInfo(const ResourceList& resources) {
  for (const Resource& resource : resources) {
    if (fakes::isDynamicallyReserved(resource) && resource.has_revocable()) {
      return "Dynamically reserved resource " + fakes::toString(resource) +
             " cannot be created from revocable resources";
    }
  }
  return std::nullopt;
}

// ---- executors --------------------------------------------------------------

Problem validateExecutorType(const ExecutorInfo& executor) {
  switch (executor.type()) {
    case ExecutorInfo::DEFAULT:
      if (executor.has_command()) {
        return "'ExecutorInfo.command' must not be set for 'DEFAULT' executor";
      }
      if (executor.has_container()) {
        if (executor.container().type() != ContainerInfo::MESOS) {
          return "'ExecutorInfo.container.type' must be 'MESOS' for 'DEFAULT' executor";
        }
        if (executor.container().mesos().has_image()) {
          return "'ExecutorInfo.container.mesos.image' must not be set for 'DEFAULT' executor";
        }
      }
      return std::nullopt;
    case ExecutorInfo::CUSTOM:
      if (!executor.has_command()) {
        return "'ExecutorInfo.command' must be set for 'CUSTOM' executor";
      }
      return std::nullopt;
    default:
      return std::nullopt;
  }
}

// Mesos operator==(ExecutorInfo): the fields it compares, resources as
// Resources.
bool sameExecutor(const ExecutorInfo& left, const ExecutorInfo& right) {
  auto same = [](const google::protobuf::Message& a, const google::protobuf::Message& b) {
    return MessageDifferencer::Equals(a, b);
  };
  return left.has_type() == right.has_type() && (!left.has_type() || left.type() == right.type()) &&
         left.executor_id().value() == right.executor_id().value() && left.data() == right.data() &&
         Resources(left.resources()) == Resources(right.resources()) &&
         same(left.command(), right.command()) &&
         left.framework_id().value() == right.framework_id().value() &&
         left.name() == right.name() && left.source() == right.source() &&
         same(left.container(), right.container()) && same(left.discovery(), right.discovery());
}

Problem validateExecutorResources(const ExecutorInfo& executor) {
  if (auto error = validateResourceList(executor.resources())) {
    return "Executor uses invalid resources: " + *error;
  }
  Resources resources(executor.resources());
  if (auto error = validateUniquePersistenceIds(resources)) {
    return "Executor uses duplicate persistence ID: " + *error;
  }
  if (auto error = validateAllocatedToSingleRole(resources)) {
    return "Invalid executor resources: " + *error;
  }
  if (auto error = validateRevocableAndNonRevocable(resources)) {
    return "Executor mixes revocable and non-revocable resources: " + *error;
  }
  return std::nullopt;
}

// Mesos executor::internal::validate: the general checks plus those that
// need the framework and the agent.
Problem validateExecutorFor(const ExecutorInfo& executor, const TaskContext& context) {
  if (auto error = validateExecutorInfo(executor)) return error;

  if (!executor.has_framework_id()) return "'ExecutorInfo.framework_id' must be set";
  const std::string framework_id =
      context.framework != nullptr ? context.framework->id().value() : std::string();
  if (executor.framework_id().value() != framework_id) {
    return "ExecutorInfo has an invalid FrameworkID (Actual: " + executor.framework_id().value() +
           " vs Expected: " + framework_id + ")";
  }

  if (auto error = validateExecutorResources(executor)) return error;

  auto known = context.executors.find(executor.executor_id().value());
  if (known != context.executors.end() && !sameExecutor(executor, known->second)) {
    const std::string rule(60, '-');
    return "ExecutorInfo is not compatible with existing ExecutorInfo with same ExecutorID.\n" +
           rule + "\nExisting ExecutorInfo:\n" + known->second.DebugString() + "\n" + rule +
           "\nExecutorInfo:\n" + executor.DebugString() + "\n" + rule + "\n";
  }
  return std::nullopt;
}

bool executorKnown(const TaskContext& context, const ExecutorInfo& executor) {
  return context.executors.count(executor.executor_id().value()) > 0;
}

// ---- tasks ------------------------------------------------------------------

Problem validateTaskResources(const TaskInfo& task) {
  if (task.resources().empty()) return "Task uses no resources";
  if (auto error = validateResourceList(task.resources())) {
    return "Task uses invalid resources: " + *error;
  }
  Resources resources(task.resources());
  if (auto error = validateUniquePersistenceIds(resources)) {
    return "Task uses duplicate persistence ID: " + *error;
  }
  if (auto error = validateAllocatedToSingleRole(resources)) {
    return "Invalid task resources: " + *error;
  }
  if (auto error = validateRevocableAndNonRevocable(resources)) {
    return "Task mixes revocable and non-revocable resources: " + *error;
  }
  return std::nullopt;
}

Problem validateResourceLimits(const TaskInfo& task, const TaskContext& context) {
  if (task.limits().empty()) return std::nullopt;
  if (!context.agent_capabilities.task_resource_limits) {
    return "Agent is not capable of handling task resource limits";
  }
  std::size_t cpus = task.limits().count("cpus");
  std::size_t mem = task.limits().count("mem");
  if (task.limits().size() > cpus + mem) {
    return "Only cpus and mem may be included in a task's resource limits";
  }
  Resources resources(task.resources());
  if (cpus > 0) {
    auto requested = resources.cpus();
    if (!requested) {
      return "When a CPU limit is specified, a CPU request must also be specified";
    }
    if (task.limits().at("cpus").value() < *requested) {
      return "The cpu limit must be greater than or equal to the cpu request";
    }
  }
  if (mem > 0) {
    auto requested = megabytesOf(resources.mem());
    if (!requested) {
      return "When a memory limit is specified, a memory request must also be specified";
    }
    double limit = task.limits().at("mem").value();
    if (!std::isinf(limit) && static_cast<std::uint64_t>(limit) * kMegabyte < *requested) {
      return "The memory limit must be greater than or equal to the memory request";
    }
  }
  return std::nullopt;
}

// Mesos task::internal::validateTask: the task's own fields, in Mesos's
// order.
Problem validateTaskFields(const TaskInfo& task, const TaskContext& context) {
  const std::string& id = task.task_id().value();
  if (auto error = fakes::validateId(id)) return error;
  if (context.task_id_in_use && context.task_id_in_use(id)) {
    return "Task has duplicate ID: " + id;
  }
  if (context.task_id_unreachable && context.task_id_unreachable(id)) {
    return "Task reuses the ID of an unreachable task: " + id;
  }
  if (task.agent_id().value() != context.agent_id) {
    return "Task uses invalid agent " + task.agent_id().value() + " while agent " +
           context.agent_id + " is expected";
  }
  if (task.has_kill_policy() && task.kill_policy().has_grace_period() &&
      !nonNegative(task.kill_policy().grace_period().nanoseconds())) {
    return "Task's 'kill_policy.grace_period' must be non-negative";
  }
  if (task.has_max_completion_time() && !nonNegative(task.max_completion_time().nanoseconds())) {
    return "Task's `max_completion_time` must be non-negative";
  }
  if (task.has_check()) {
    if (auto error = validateCheckInfo(task.check())) {
      return "Task uses invalid check: " + *error;
    }
  }
  if (task.has_health_check()) {
    if (auto error = validateHealthCheck(task.health_check())) {
      return "Task uses invalid health check: " + *error;
    }
  }
  if (auto error = validateTaskResources(task)) return error;
  if (task.has_command()) {
    if (auto error = validateCommandInfo(task.command())) {
      return "Task's `CommandInfo` is invalid: " + *error;
    }
  }
  if (task.has_container()) {
    if (auto error = validateContainerInfo(task.container())) {
      return "Task's `ContainerInfo` is invalid: " + *error;
    }
  }
  return validateResourceLimits(task, context);
}

Problem validateTaskAndExecutorResources(const TaskInfo& task) {
  Resources total(task.resources());
  if (task.has_executor()) total += Resources(task.executor().resources());

  if (auto error = validateResourceList(total.toRepeated())) {
    return "Task and its executor use invalid resources: " + *error;
  }
  if (task.has_executor() &&
      overlapping({Resources(task.resources()), Resources(task.executor().resources())})) {
    return "There are overlapping resources in the task resources " + formatJson(task.resources()) +
           " and executor resources " + formatJson(task.executor().resources());
  }
  if (auto error = validateUniquePersistenceIds(total)) {
    return "Task and its executor use duplicate persistence ID: " + *error;
  }
  if (auto error = validateRevocableAndNonRevocable(total)) {
    return "Task and its executor mix revocable and non-revocable resources: " + *error;
  }
  return std::nullopt;
}

// Mesos task::internal::validateExecutor, ending with the check against the
// available resources (SV-LAUNCH-5, SV-LAUNCH-6).
Problem validateTaskExecutor(const TaskInfo& task, const TaskContext& context,
                             const Resources& available) {
  if (task.has_executor() == task.has_command()) {
    return "Task should have at least one (but not both) of CommandInfo or ExecutorInfo present";
  }

  Resources total(task.resources());
  if (task.has_executor()) {
    const ExecutorInfo& executor = task.executor();
    if (auto error = validateExecutorFor(executor, context)) return error;
    if (executor.has_type() && executor.type() != ExecutorInfo::CUSTOM) {
      return "'ExecutorInfo.type' must be 'CUSTOM'";
    }
    if (!executor.has_command()) return "'ExecutorInfo.command' must be set";

    // SV-LAUNCH-5: the allocator only accounts for extra shared copies of
    // task resources.
    Resources executor_resources(executor.resources());
    if (!executor_resources.shared().empty()) {
      return "Executor resources " + executor_resources.str() +
             " should not contain any shared resources";
    }
    if (!executorKnown(context, executor)) total += executor_resources;
  }

  if (auto error = validateTaskAndExecutorResources(task)) return error;

  if (!available.contains(total)) {
    return "Total resources " + total.str() +
           " required by task and its executor is more than available " + available.str();
  }
  return std::nullopt;
}

Problem validateGroupTask(const TaskInfo& task, const TaskContext& context) {
  if (auto error = validateTaskFields(task, context)) return error;
  if (!task.has_executor()) return "'TaskInfo.executor' must be set";
  if (task.has_container()) {
    using HealthCheck = mesos::v1::HealthCheck;
    if (!task.container().network_infos().empty() && task.has_health_check() &&
        (task.health_check().type() == HealthCheck::HTTP ||
         task.health_check().type() == HealthCheck::TCP)) {
      return "HTTP and TCP health checks are not supported for nested containers not joining "
             "parent's network";
    }
    if (task.container().type() == ContainerInfo::DOCKER) {
      return "Docker ContainerInfo is not supported on the task";
    }
  }
  // Our protocol subset has no LinuxInfo, so share_cgroups is never false.
  if (!task.limits().empty()) {
    return "Resource limits may only be set for tasks within a task group when the "
           "'share_cgroups' field is set to 'false'.";
  }
  return std::nullopt;
}

std::string formatResourcesList(const std::vector<Resources>& list) {
  std::string out = "[ ";
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (i > 0) out += ", ";
    out += list[i].str();
  }
  return out + " ]";
}

Problem validateGroupResources(const mesos::v1::TaskGroupInfo& group,
                               const ExecutorInfo& executor) {
  Resources total(executor.resources());
  std::vector<Resources> task_resources;
  for (const auto& task : group.tasks()) {
    task_resources.emplace_back(task.resources());
    total += task_resources.back();
  }
  if (auto error = validateUniquePersistenceIds(total)) {
    return "Task group and executor use duplicate persistence ID: " + *error;
  }
  if (auto error = validateRevocableAndNonRevocable(total)) {
    return "Task group and executor mix revocable and non-revocable resources: " + *error;
  }
  std::vector<Resources> parts = task_resources;
  parts.emplace_back(executor.resources());
  if (overlapping(parts)) {
    return "There are overlapping resources in the task group's task resources " +
           formatResourcesList(task_resources) + " and/or executor resources " +
           formatJson(executor.resources());
  }
  return std::nullopt;
}

Problem validateGroupExecutor(const mesos::v1::TaskGroupInfo& group, const ExecutorInfo& executor,
                              const TaskContext& context, const Resources& available) {
  if (auto error = validateExecutorFor(executor, context)) return error;
  if (!executor.has_type()) return "'ExecutorInfo.type' must be set";
  if (executor.type() == ExecutorInfo::UNKNOWN) return "Unknown executor type";
  if (executor.has_container() && executor.container().type() == ContainerInfo::DOCKER) {
    return "Docker ContainerInfo is not supported on the executor";
  }
  const std::string& executor_id = executor.executor_id().value();
  for (const auto& task : group.tasks()) {
    if (task.has_executor() && !sameExecutor(task.executor(), executor)) {
      return "The `ExecutorInfo` of task '" + task.task_id().value() +
             "' is different from executor '" + executor_id + "'";
    }
  }

  Resources executor_resources(executor.resources());
  auto cpus = executor_resources.cpus();
  if (!cpus || *cpus < kMinCpus) {
    return "Executor '" + executor_id + "' uses less CPUs (" +
           (cpus ? formatDouble(*cpus) : std::string("None")) + ") than the minimum required (" +
           formatDouble(kMinCpus) + ")";
  }
  auto mem = megabytesOf(executor_resources.mem());
  if (!mem || *mem < kMinMemBytes) {
    return "Executor '" + executor_id + "' uses less memory (" +
           (mem ? formatBytes(*mem) : std::string("None")) + ") than the minimum required (" +
           formatBytes(kMinMemBytes) + ")";
  }
  if (!executor_resources.disk()) return "Executor '" + executor_id + "' uses no disk";

  if (auto error = validateGroupResources(group, executor)) return error;

  Resources total;
  for (const auto& task : group.tasks()) total += Resources(task.resources());
  if (!executorKnown(context, executor)) total += executor_resources;
  if (!available.contains(total)) {
    return "Total resources " + total.str() +
           " required by task group and its executor are more than available " + available.str();
  }

  if (executor.has_command()) {
    if (auto error = validateCommandInfo(executor.command())) {
      return "Executor '" + executor_id + "'" + "contains an invalid command: " + *error;
    }
  }
  return std::nullopt;
}

// ---- operations -------------------------------------------------------------

Problem validateVolumeCapabilities(const Resource& volume, const AgentCapabilities& agent,
                                   const std::string& verb) {
  const std::string role = reservationRoleOf(volume);
  if (!agent.hierarchical_role && role.find('/') != std::string::npos) {
    return "with reservation for hierarchical role '" + role + "' cannot be " + verb +
           " on an agent without HIERARCHICAL_ROLE capability";
  }
  if (!agent.reservation_refinement && hasRefinedReservations(volume)) {
    return "with reservation refinement cannot be " + verb +
           " on an agent without RESERVATION_REFINEMENT capability";
  }
  return std::nullopt;
}

// RESERVE with `source`: each side one reservation stack, same amounts.
Problem validateReservationSides(const ResourceList& resources) {
  if (resources.empty()) return "Resource cannot be empty";
  const auto& first = resources.begin()->reservations();
  for (const auto& resource : resources) {
    bool same = resource.reservations_size() == first.size() &&
                std::equal(resource.reservations().begin(), resource.reservations().end(),
                           first.begin(), fakes::sameReservation);
    if (!same) return "Mixed reservations are not supported" + formatJson(resources);
  }
  return std::nullopt;
}

Resources toUnreserved(const Resources& resources) {
  Resources out;
  for (const auto& entry : resources.entries()) {
    Resource resource = entry.resource;
    resource.clear_reservations();
    out.add(resource, entry.count);
  }
  return out;
}

}  // namespace

Problem validateInputScalarValue(double value) {
  switch (std::fpclassify(value)) {
    case FP_INFINITE:
      return "Infinite values not supported";
    case FP_NAN:
      return "NaN not supported";
    case FP_SUBNORMAL:
      return "Subnormal values not supported";
    case FP_ZERO:
      return std::nullopt;
    case FP_NORMAL:
      return value < 0 ? Problem("Negative values not supported") : std::nullopt;
    default:
      return "Unknown error";
  }
}

// ---------------------------------------------------------------------------

AgentCapabilities agentCapabilities(const std::vector<int>& types) {
  AgentCapabilities capabilities;
  for (int type : types) {
    switch (type) {
      case 1:
        capabilities.multi_role = true;
        break;
      case 2:
        capabilities.hierarchical_role = true;
        break;
      case 3:
        capabilities.reservation_refinement = true;
        break;
      case 4:
        capabilities.resource_provider = true;
        break;
      case 5:
        capabilities.resize_volume = true;
        break;
      case 6:
        capabilities.agent_operation_feedback = true;
        break;
      case 7:
        capabilities.agent_draining = true;
        break;
      case 8:
        capabilities.task_resource_limits = true;
        break;
      default:
        break;
    }
  }
  return capabilities;
}

bool hasCapability(const FrameworkInfo& framework, Capability::Type type) {
  return std::any_of(framework.capabilities().begin(), framework.capabilities().end(),
                     [&](const Capability& capability) { return capability.type() == type; });
}

std::set<std::string> frameworkRoles(const FrameworkInfo& framework) {
  if (hasCapability(framework, Capability::MULTI_ROLE)) {
    return {framework.roles().begin(), framework.roles().end()};
  }
  return {framework.role()};
}

Problem validateResourceList(const ResourceList& resources) {
  if (auto error = fakes::validateResources(resources)) return "Invalid resources: " + *error;
  if (auto error = validateGpus(resources)) return "Invalid 'gpus' resource: " + *error;
  if (auto error = validateDiskInfo(resources)) return "Invalid DiskInfo: " + *error;
  if (auto error = validateDynamicReservationInfo(resources)) {
    return "Invalid ReservationInfo: " + *error;
  }
  return std::nullopt;
}

Problem validateUniquePersistenceIds(const Resources& resources) {
  std::map<std::string, std::set<std::string>> ids_by_role;
  const Resources volumes = resources.persistentVolumes();
  for (const auto& entry : volumes.entries()) {
    const std::string& id = entry.resource.disk().persistence().id();
    if (!ids_by_role[reservationRoleOf(entry.resource)].insert(id).second) {
      return "Persistence ID '" + id + "' is not unique";
    }
  }
  return std::nullopt;
}

Problem validateAllocatedToSingleRole(const Resources& resources) {
  std::optional<std::string> first;
  for (const auto& entry : resources.entries()) {
    const auto& allocation = entry.resource.allocation_info();
    if (!allocation.has_role()) return "The resources are not allocated to a role";
    if (!first) {
      first = allocation.role();
    } else if (allocation.role() != *first) {
      return "The resources have multiple allocation roles ('" + allocation.role() + "' and '" +
             *first + "') but only one allocation role is allowed";
    }
  }
  return std::nullopt;
}

Problem validateSingleResourceProvider(const ResourceList& resources) {
  bool without = false;
  std::vector<std::string> providers;
  for (const auto& resource : resources) {
    if (!resource.has_provider_id()) {
      without = true;
    } else if (std::find(providers.begin(), providers.end(), resource.provider_id().value()) ==
               providers.end()) {
      providers.push_back(resource.provider_id().value());
    }
  }
  std::size_t kinds = providers.size() + (without ? 1 : 0);
  if (kinds == 1) return std::nullopt;
  if (without) return "Some resources have a resource provider and some do not";
  // Mesos lists the ids in hash-set order; for two ids that is the reverse
  // of first use, which is what we print.
  std::string list;
  for (auto it = providers.rbegin(); it != providers.rend(); ++it) {
    if (!list.empty()) list += ", ";
    list += *it;
  }
  return "The resources have multiple resource providers: " + list;
}

Problem validatePersistentVolumes(const ResourceList& resources, bool read_only_allowed) {
  for (const Resource& volume : resources) {
    if (!volume.has_disk()) {
      return "Resource " + fakes::toString(volume) + " does not have DiskInfo";
    }
    if (!volume.disk().has_persistence()) return "'persistence' is not set in DiskInfo";
    if (!volume.disk().has_volume()) return "Expecting 'volume' to be set for persistent volume";
    if (volume.disk().volume().mode() == mesos::v1::Volume::RO && !read_only_allowed) {
      return "Read-only persistent volume not supported";
    }
  }
  return std::nullopt;
}

Problem validateRevocableAndNonRevocable(const Resources& resources) {
  std::set<std::string> names;
  for (const auto& entry : resources.entries()) names.insert(entry.resource.name());
  for (const auto& name : names) {
    Resources named = resources.filter([&](const Resource& r) { return r.name() == name; });
    Resources revocable = named.revocable();
    if (!revocable.empty() && named != revocable) {
      return "Cannot use both revocable and non-revocable '" + name + "' at the same time";
    }
  }
  return std::nullopt;
}

Problem validateReserve(const Operation::Reserve& reserve, const Principal& principal,
                        const AgentCapabilities& agent, const FrameworkInfo* framework) {
  if (auto error = validateResourceList(reserve.resources())) {
    return "Invalid resources: " + *error;
  }
  if (auto error = validateResourceList(reserve.source())) return "Invalid source: " + *error;

  if (reserve.source_size() > 0) {
    Resources source(reserve.source());
    Resources target(reserve.resources());
    if (auto error = validateReservationSides(source.toRepeated())) {
      return "Invalid source: " + *error;
    }
    if (auto error = validateReservationSides(target.toRepeated())) {
      return "Invalid resources: " + *error;
    }
    if (toUnreserved(source) != toUnreserved(target)) {
      return "Source and target resources should refer to identical resource quantities: " +
             toUnreserved(source).str() + " vs. " + toUnreserved(target).str();
    }
  }

  if (auto error = validateSingleResourceProvider(reserve.resources())) {
    return "Invalid resources: " + *error;
  }

  std::optional<std::set<std::string>> roles;
  if (framework != nullptr) roles = frameworkRoles(*framework);

  for (const Resource& resource : reserve.resources()) {
    const std::string text = fakes::toString(resource);
    if (!fakes::isDynamicallyReserved(resource)) {
      return "Resource " + text + " is not dynamically reserved";
    }
    const std::string role = reservationRoleOf(resource);
    if (!agent.hierarchical_role && role.find('/') != std::string::npos) {
      return "Resource " + text + " with reservation for hierarchical role '" + role +
             "' cannot be reserved on an agent without HIERARCHICAL_ROLE capability";
    }
    if (!agent.reservation_refinement && hasRefinedReservations(resource)) {
      return "Resource " + text +
             " with reservation refinement cannot be reserved on an agent without "
             "RESERVATION_REFINEMENT capability";
    }
    if (principal) {
      const auto& reservation = *resource.reservations().rbegin();
      if (!reservation.has_principal()) {
        return "A reserve operation was attempted by principal '" + *principal +
               "', but there is a reserved resource in the request with no principal set";
      }
      if (reservation.principal() != *principal) {
        return "A reserve operation was attempted by authenticated principal '" + *principal +
               "', which does not match a reserved resource in the request with principal '" +
               reservation.principal() + "'";
      }
    }
    if (roles) {
      if (!resource.allocation_info().has_role()) {
        return "A reserve operation was attempted on unallocated resource " + text +
               ", but frameworks can only perform reservations on allocated resources";
      }
      const std::string& allocated = resource.allocation_info().role();
      if (allocated != role) {
        return "A reserve operation was attempted for a resource with role '" + role +
               "', but the resource was allocated to role '" + allocated + "'";
      }
      if (roles->count(allocated) == 0) {
        return "A reserve operation was attempted for a resource allocated to role '" + allocated +
               "', but the framework only has roles '" + formatSet(*roles) + "'";
      }
      if (roles->count(role) == 0) {
        return "A reserve operation was attempted for a resource with role '" + role +
               "', but the framework can only reserve resources with roles '" + formatSet(*roles) +
               "'";
      }
    } else if (resource.has_allocation_info()) {
      return "A reserve operation was attempted with an allocated resource, but the operator "
             "API only allows reservations to be made to unallocated resources";
    }
  }

  if (framework != nullptr) {
    if (auto error = validateAllocatedToSingleRole(Resources(reserve.resources()))) {
      return "Invalid reservation resources: " + *error;
    }
  }
  return std::nullopt;
}

Problem validateUnreserve(const Operation::Unreserve& unreserve, const FrameworkInfo*,
                          const fakes::Faults& faults) {
  if (auto error = validateResourceList(unreserve.resources())) {
    return "Invalid resources: " + *error;
  }
  if (auto error = validateSingleResourceProvider(unreserve.resources())) {
    return "Invalid resources: " + *error;
  }
  for (const Resource& resource : unreserve.resources()) {
    if (!fakes::isDynamicallyReserved(resource)) {
      return "Resource " + fakes::toString(resource) + " is not dynamically reserved";
    }
    if (fakes::isPersistentVolume(resource) && !faults.has(fakes::Fault::kUnreserveUnderVolume)) {
      return "A dynamically reserved persistent volume " + fakes::toString(resource) +
             " cannot be unreserved directly. Please destroy the persistent volume first then "
             "unreserve the resource";
    }
  }
  return std::nullopt;
}

Problem validateCreate(const Operation::Create& create, const Resources& checkpointed,
                       const Principal& principal, const AgentCapabilities& agent,
                       const FrameworkInfo* framework, bool shared_needs_capability,
                       const fakes::Faults& faults) {
  if (auto error = validateResourceList(create.volumes())) return "Invalid resources: " + *error;
  if (auto error = validateSingleResourceProvider(create.volumes())) {
    return "Invalid resources: " + *error;
  }
  bool read_only_allowed = faults.has(fakes::Fault::kCreateReadOnlyVolume);
  if (auto error = validatePersistentVolumes(create.volumes(), read_only_allowed)) {
    return "Not a persistent volume: " + *error;
  }
  if (auto error = validateUniquePersistenceIds(checkpointed + Resources(create.volumes()))) {
    return error;
  }

  for (const Resource& volume : create.volumes()) {
    const std::string text = fakes::toString(volume);
    // SV-CAP-2, only on the scheduler API (SV-CAP-3).
    if (framework != nullptr && shared_needs_capability && volume.has_shared() &&
        !hasCapability(*framework, Capability::SHARED_RESOURCES)) {
      return "Create volume operation for '" + text + "' has been attempted by framework '" +
             framework->id().value() + "' with no SHARED_RESOURCES capability";
    }
    if (auto error = validateVolumeCapabilities(volume, agent, "created")) {
      return "Volume " + text + " " + *error;
    }
    if (principal) {
      if (!volume.disk().persistence().has_principal()) {
        return "Create volume operation attempted by principal '" + *principal +
               "', but there is a volume in the operation with no principal set in "
               "'disk.persistence'";
      }
      if (volume.disk().persistence().principal() != *principal) {
        return "Create volume operation attempted by authenticated principal '" + *principal +
               "', which does not match a volume in the operation with principal '" +
               volume.disk().persistence().principal() + "' set in 'disk.persistence'";
      }
    }
  }

  if (framework != nullptr) {
    if (auto error = validateAllocatedToSingleRole(Resources(create.volumes()))) {
      return "Invalid volume resources: " + *error;
    }
  }
  return std::nullopt;
}

Problem validateDestroy(const Operation::Destroy& destroy, const Resources& checkpointed,
                        const std::map<std::string, Resources>& used, const FrameworkInfo*) {
  // Offered volumes are allocated, endpoint ones are not: compare both
  // sides unallocated.
  Resources volumes = unallocated(Resources(destroy.volumes()));
  const ResourceList list = volumes.toRepeated();

  if (auto error = validateResourceList(list)) return "Invalid resources: " + *error;
  if (auto error = validateSingleResourceProvider(list)) return "Invalid resources: " + *error;
  if (auto error = validatePersistentVolumes(list)) return "Not a persistent volume: " + *error;

  // PV-DESTROY-2; resource providers' volumes are not checkpointed here.
  for (const auto& entry : volumes.entries()) {
    if (entry.resource.has_provider_id()) continue;
    if (!checkpointed.contains(entry.resource)) return "Persistent volumes not found";
  }

  // SV-DESTROY-1: in use by any framework's tasks or executors.
  for (const auto& [framework_id, resources] : used) {
    Resources in_use = unallocated(resources);
    for (const auto& entry : volumes.entries()) {
      if (in_use.contains(entry.resource)) return "Persistent volumes in use";
    }
  }
  return std::nullopt;
}

Problem validateDestroyPendingTasks(const Operation::Destroy& destroy,
                                    const std::vector<Resources>& pending) {
  Resources volumes = unallocated(Resources(destroy.volumes()));
  for (const auto& resources : pending) {
    Resources listed = unallocated(resources);
    for (const auto& entry : volumes.entries()) {
      if (listed.contains(entry.resource)) return "Persistent volume in pending tasks";
    }
  }
  return std::nullopt;
}

Problem validateGrowVolume(const Operation::GrowVolume& grow, const AgentCapabilities& agent) {
  if (auto error = fakes::validateResource(grow.volume())) {
    return "Invalid resource in the 'GrowVolume.volume' field: " + *error;
  }
  if (auto error = fakes::validateResource(grow.addition())) {
    return "Invalid resource in the 'GrowVolume.addition' field: " + *error;
  }
  if (toFixed(grow.addition().scalar().value()) <= 0) {
    return "The size of 'GrowVolume.addition' field must be greater than zero";
  }
  if (grow.volume().has_provider_id()) {
    return "Growing a volume from a resource provider is not supported";
  }
  if (auto error = validatePersistentVolumes(Resources(grow.volume()).toRepeated())) {
    return "Invalid persistent volume in the 'GrowVolume.volume' field: " + *error;
  }
  if (grow.volume().has_shared()) return "Growing a shared persistent volume is not supported";

  Resource plain = grow.volume();
  if (plain.disk().has_source()) {
    plain.mutable_disk()->clear_persistence();
    plain.mutable_disk()->clear_volume();
  } else {
    plain.clear_disk();
  }
  if ((Resources(plain) + Resources(grow.addition())).size() != 1) {
    return "Incompatible resources in the 'GrowVolume.volume' and 'GrowVolume.addition' fields";
  }
  if (!agent.resize_volume) {
    return "Volume " + fakes::toString(grow.volume()) +
           " cannot be grown on an agent without RESIZE_VOLUME capability";
  }
  return std::nullopt;
}

Problem validateShrinkVolume(const Operation::ShrinkVolume& shrink,
                             const AgentCapabilities& agent) {
  if (auto error = fakes::validateResource(shrink.volume())) {
    return "Invalid resource in the 'ShrinkVolume.volume' field: " + *error;
  }
  if (toFixed(shrink.subtract().value()) <= 0) {
    return "Value of 'ShrinkVolume.subtract' must be greater than zero";
  }
  if (toFixed(shrink.volume().scalar().value()) <= toFixed(shrink.subtract().value())) {
    return "Value of 'ShrinkVolume.subtract' must be smaller than the size of "
           "'ShrinkVolume.volume'";
  }
  if (shrink.volume().has_provider_id()) {
    return "Shrinking a volume from a resource provider is not supported";
  }
  if (shrink.volume().disk().source().type() == Resource::DiskInfo::Source::MOUNT) {
    return "Shrinking a volume on a MOUNT disk is not supported";
  }
  if (auto error = validatePersistentVolumes(Resources(shrink.volume()).toRepeated())) {
    return "Invalid persistent volume in the 'ShrinkVolume.volume' field: " + *error;
  }
  if (shrink.volume().has_shared()) return "Shrinking a shared persistent volume is not supported";
  if (!agent.resize_volume) {
    return "Volume " + fakes::toString(shrink.volume()) +
           " cannot be shrunk on an agent without RESIZE_VOLUME capability";
  }
  return std::nullopt;
}

Problem validateExecutorInfo(const ExecutorInfo& executor) {
  if (auto error = validateExecutorType(executor)) return error;
  if (auto error = fakes::validateId(executor.executor_id().value())) return error;
  if (executor.has_shutdown_grace_period() &&
      !nonNegative(executor.shutdown_grace_period().nanoseconds())) {
    return "ExecutorInfo's 'shutdown_grace_period' must be non-negative";
  }
  if (executor.has_command()) {
    if (auto error = validateCommandInfo(executor.command())) {
      return "Executor's `CommandInfo` is invalid: " + *error;
    }
  }
  if (executor.has_container()) {
    if (auto error = validateContainerInfo(executor.container())) {
      return "Executor's `ContainerInfo` is invalid: " + *error;
    }
  }
  return std::nullopt;
}

Problem validateTask(const TaskInfo& task, const TaskContext& context, const Resources& available) {
  if (auto error = validateTaskFields(task, context)) return error;
  return validateTaskExecutor(task, context, available);
}

Problem validateTaskGroup(const mesos::v1::TaskGroupInfo& group, const ExecutorInfo& executor,
                          const TaskContext& context, const Resources& available) {
  for (const auto& task : group.tasks()) {
    if (auto error = validateGroupTask(task, context)) {
      return "Task '" + task.task_id().value() + "' is invalid: " + *error;
    }
  }
  return validateGroupExecutor(group, executor, context, available);
}

Problem validateFrameworkInfo(const FrameworkInfo& framework) {
  bool multi_role = hasCapability(framework, Capability::MULTI_ROLE);
  if (multi_role && framework.has_role()) {
    return "'FrameworkInfo.role' must not be set when the framework is MULTI_ROLE capable";
  }
  if (!multi_role && framework.roles_size() > 0) {
    return "'FrameworkInfo.roles' must not be set when the framework is not MULTI_ROLE capable";
  }

  if (multi_role) {
    std::set<std::string> seen;
    std::vector<std::string> duplicates;
    for (const auto& role : framework.roles()) {
      if (!seen.insert(role).second &&
          std::find(duplicates.begin(), duplicates.end(), role) == duplicates.end()) {
        duplicates.push_back(role);
      }
    }
    if (!duplicates.empty()) {
      std::string list = "{ ";
      for (std::size_t i = 0; i < duplicates.size(); ++i) {
        if (i > 0) list += ", ";
        list += duplicates[i];
      }
      return "'FrameworkInfo.roles' contains duplicate items: " + list + " }";
    }
    for (const auto& role : framework.roles()) {
      if (auto error = fakes::validateRole(role)) {
        return "'FrameworkInfo.roles' contains invalid role: " + *error;
      }
    }
  } else if (auto error = fakes::validateRole(framework.role())) {
    return "'FrameworkInfo.role' is not a valid role: " + *error;
  }

  if (framework.has_id() && !framework.id().value().empty()) {
    if (auto error = fakes::validateId(framework.id().value())) return error;
  }

  std::map<std::string, const mesos::v1::OfferFilters*> filters;
  for (const auto& [role, filter] : framework.offer_filters()) filters[role] = &filter;
  for (const auto& [role, filter] : filters) {
    if (auto error = validateOfferFilters(*filter)) return error;
  }

  // stout Duration::create: the timeout must fit int64 nanoseconds.
  double nanoseconds = framework.failover_timeout() * 1e9;
  if (nanoseconds > static_cast<double>(std::numeric_limits<std::int64_t>::max()) ||
      nanoseconds < static_cast<double>(std::numeric_limits<std::int64_t>::min())) {
    return "The framework failover_timeout (" + formatDouble(framework.failover_timeout()) +
           ") is invalid";
  }
  return std::nullopt;
}

Problem validateFrameworkUpdate(const FrameworkInfo& old_info, const FrameworkInfo& new_info) {
  bool same_principal = old_info.has_principal() == new_info.has_principal() &&
                        old_info.principal() == new_info.principal();
  if (!same_principal) return "Changing framework's principal is not allowed.";
  if (new_info.user() != old_info.user()) {
    return "Updating 'FrameworkInfo.user' is unsupported; attempted to update from '" +
           old_info.user() + "' to '" + new_info.user() + "'";
  }
  if (new_info.checkpoint() != old_info.checkpoint()) {
    auto text = [](bool value) { return value ? std::string("true") : std::string("false"); };
    return "Updating 'FrameworkInfo.checkpoint' is unsupported; attempted to update from '" +
           text(old_info.checkpoint()) + "' to '" + text(new_info.checkpoint()) + "'";
  }
  return std::nullopt;
}

Problem validateSuppressedRoles(const std::set<std::string>& roles,
                                const std::set<std::string>& suppressed) {
  std::set<std::string> unknown;
  std::set_difference(suppressed.begin(), suppressed.end(), roles.begin(), roles.end(),
                      std::inserter(unknown, unknown.begin()));
  if (unknown.empty()) return std::nullopt;
  return "Suppressed roles " + formatSet(unknown) + " are not contained in the set of roles";
}

Problem validateSchedulerCall(const Call& call, const Principal& principal) {
  if (!call.IsInitialized()) return "Not initialized: " + call.InitializationErrorString();
  if (!call.has_type()) return "Expecting 'type' to be present";

  if (call.type() == Call::SUBSCRIBE) {
    if (!call.has_subscribe()) return "Expecting 'subscribe' to be present";
    const FrameworkInfo& framework = call.subscribe().framework_info();
    if (framework.id().value() != call.framework_id().value()) {
      return "'framework_id' differs from 'subscribe.framework_info.id'";
    }
    if (principal && framework.has_principal() && *principal != framework.principal()) {
      return "Authenticated principal '" + *principal + "' does not match principal '" +
             framework.principal() + "' set in `FrameworkInfo`";
    }
    return std::nullopt;
  }

  if (!call.has_framework_id()) return "Expecting 'framework_id' to be present";

  auto expect = [](bool present, const char* field) -> Problem {
    if (present) return std::nullopt;
    return std::string("Expecting '") + field + "' to be present";
  };
  switch (call.type()) {
    case Call::TEARDOWN:
    case Call::REVIVE:
    case Call::SUPPRESS:
      return std::nullopt;
    case Call::ACCEPT:
      return expect(call.has_accept(), "accept");
    case Call::DECLINE:
      return expect(call.has_decline(), "decline");
    case Call::ACCEPT_INVERSE_OFFERS:
      return expect(call.has_accept_inverse_offers(), "accept_inverse_offers");
    case Call::DECLINE_INVERSE_OFFERS:
      return expect(call.has_decline_inverse_offers(), "decline_inverse_offers");
    case Call::KILL:
      return expect(call.has_kill(), "kill");
    case Call::SHUTDOWN:
      return expect(call.has_shutdown(), "shutdown");
    case Call::ACKNOWLEDGE:
      if (!call.has_acknowledge()) return "Expecting 'acknowledge' to be present";
      if (!wire::isMesosAcceptedUuid(call.acknowledge().uuid())) return "Not a valid UUID";
      return std::nullopt;
    case Call::ACKNOWLEDGE_OPERATION_STATUS: {
      if (!call.has_acknowledge_operation_status()) {
        return "Expecting 'acknowledge_operation_status' to be present";
      }
      const auto& acknowledge = call.acknowledge_operation_status();
      if (!wire::isMesosAcceptedUuid(acknowledge.uuid())) return "Not a valid UUID";
      if (!acknowledge.has_agent_id()) return "Expecting 'agent_id' to be present";
      return std::nullopt;
    }
    case Call::RECONCILE:
      return expect(call.has_reconcile(), "reconcile");
    case Call::RECONCILE_OPERATIONS:
      return expect(call.has_reconcile_operations(), "reconcile_operations");
    case Call::MESSAGE:
      return expect(call.has_message(), "message");
    case Call::REQUEST:
      return expect(call.has_request(), "request");
    case Call::UPDATE_FRAMEWORK:
      if (!call.has_update_framework()) return "Expecting 'update_framework' to be present";
      if (call.framework_id().value() != call.update_framework().framework_info().id().value()) {
        return "'framework_id' differs from 'update_framework.framework_info.id'";
      }
      return std::nullopt;
    default:
      return std::nullopt;
  }
}

Problem validateOperatorCall(const mesos::v1::master::Call& call,
                             const std::function<bool(int)>& has_field) {
  using MasterCall = mesos::v1::master::Call;
  if (!call.IsInitialized()) return "Not initialized: " + call.InitializationErrorString();
  if (!call.has_type()) return "Expecting 'type' to be present";
  auto expect = [](bool present, const char* field) -> Problem {
    if (present) return std::nullopt;
    return std::string("Expecting '") + field + "' to be present";
  };
  auto field = [&](int number) { return has_field && has_field(number); };
  switch (call.type()) {
    case MasterCall::GET_METRICS:
      return expect(call.has_get_metrics(), "get_metrics");
    case MasterCall::SET_LOGGING_LEVEL:
      return expect(field(3), "set_logging_level");
    case MasterCall::LIST_FILES:
      return expect(field(4), "list_files");
    case MasterCall::READ_FILE:
      return expect(field(5), "read_file");
    case MasterCall::UPDATE_WEIGHTS:
      return expect(field(6), "update_weights");
    case MasterCall::RESERVE_RESOURCES:
      if (!call.has_reserve_resources()) return "Expecting 'reserve_resources' to be present";
      return fakes::validateResources(call.reserve_resources().resources());
    case MasterCall::UNRESERVE_RESOURCES:
      if (!call.has_unreserve_resources()) return "Expecting 'unreserve_resources' to be present";
      return fakes::validateResources(call.unreserve_resources().resources());
    case MasterCall::CREATE_VOLUMES:
      return expect(call.has_create_volumes(), "create_volumes");
    case MasterCall::DESTROY_VOLUMES:
      return expect(call.has_destroy_volumes(), "destroy_volumes");
    case MasterCall::GROW_VOLUME:
      if (!call.has_grow_volume()) return "Expecting 'grow_volume' to be present";
      if (!call.grow_volume().has_agent_id()) {
        return "Expecting 'agent_id' to be present; only agent default resources are supported "
               "right now";
      }
      return std::nullopt;
    case MasterCall::SHRINK_VOLUME:
      if (!call.has_shrink_volume()) return "Expecting 'shrink_volume' to be present";
      if (!call.shrink_volume().has_agent_id()) {
        return "Expecting 'agent_id' to be present; only agent default resources are supported "
               "right now";
      }
      return std::nullopt;
    case MasterCall::UPDATE_MAINTENANCE_SCHEDULE:
      return expect(field(11), "update_maintenance_schedule");
    case MasterCall::START_MAINTENANCE:
      return expect(field(12), "start_maintenance");
    case MasterCall::STOP_MAINTENANCE:
      return expect(field(13), "stop_maintenance");
    case MasterCall::DRAIN_AGENT:
      return expect(field(21), "drain_agent");
    case MasterCall::DEACTIVATE_AGENT:
      return expect(call.has_deactivate_agent(), "deactivate_agent");
    case MasterCall::REACTIVATE_AGENT:
      return expect(call.has_reactivate_agent(), "reactivate_agent");
    case MasterCall::UPDATE_QUOTA:
      return expect(field(20), "update_quota");
    case MasterCall::SET_QUOTA:
      return expect(field(14), "set_quota");
    case MasterCall::REMOVE_QUOTA:
      return expect(field(15), "remove_quota");
    case MasterCall::TEARDOWN:
      return expect(call.has_teardown(), "teardown");
    case MasterCall::MARK_AGENT_GONE:
      return expect(call.has_mark_agent_gone(), "mark_agent_gone");
    default:
      return std::nullopt;
  }
}

Problem validateOffers(const google::protobuf::RepeatedPtrField<mesos::v1::OfferID>& offer_ids,
                       const std::string& framework_id,
                       const std::function<std::optional<OfferFacts>(const std::string&)>& lookup) {
  std::set<std::string> seen;
  for (const auto& id : offer_ids) {
    if (!seen.insert(id.value()).second) {
      return "Duplicate offer " + id.value() + " in offer list";
    }
  }
  std::vector<std::pair<std::string, OfferFacts>> offers;
  for (const auto& id : offer_ids) {
    auto facts = lookup(id.value());
    if (!facts) return "Offer " + id.value() + " is no longer valid";
    offers.emplace_back(id.value(), *facts);
  }
  for (const auto& [id, facts] : offers) {
    if (facts.framework_id != framework_id) {
      return "Offer " + id + " has invalid framework " + facts.framework_id + " while framework " +
             framework_id + " is expected";
    }
  }
  for (const auto& [id, facts] : offers) {
    const std::string& first = offers.front().second.role;
    if (facts.role != first) {
      return "Aggregated offers must be allocated to the same role. Offer " + id + " uses role '" +
             facts.role + " but another is using role '" + first;
    }
  }
  for (const auto& [id, facts] : offers) {
    const std::string& first = offers.front().second.agent_id;
    if (facts.agent_id != first) {
      return "Aggregated offers must belong to one single agent. Offer " + id + " uses agent " +
             facts.agent_id + " and agent " + first;
    }
  }
  return std::nullopt;
}

}  // namespace svh::master::validation
