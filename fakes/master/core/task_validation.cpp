// Mesos validation::executor and validation::task (src/master/validation.cpp):
// LAUNCH's TaskInfo with its ExecutorInfo (SV-LAUNCH-5, SV-LAUNCH-6, SV-RO-2)
// and LAUNCH_GROUP's TaskGroupInfo with its executor (SV-LAUNCH-7), in
// Mesos's check order and with its texts.

#include <google/protobuf/util/message_differencer.h>

#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "fakes/common/resource_validation.hpp"
#include "fakes/master/core/validation.hpp"
#include "fakes/master/core/validation_support.hpp"

namespace svh::master::validation {

using fakes::Resource;
using google::protobuf::util::MessageDifferencer;
using mesos::v1::ContainerInfo;
using mesos::v1::ExecutorInfo;
using mesos::v1::TaskInfo;

namespace {

// Mesos's minimum executor resources for task groups.
constexpr double kMinCpus = 0.01;
constexpr std::uint64_t kMegabyte = 1024 * 1024;
constexpr std::uint64_t kMinMemBytes = 32 * kMegabyte;

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

bool nonNegative(std::int64_t nanoseconds) {
  return nanoseconds >= 0;
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

}  // namespace

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

}  // namespace svh::master::validation
