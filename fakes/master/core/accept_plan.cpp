#include "fakes/master/core/accept_plan.hpp"

#include "fakes/common/resource_format.hpp"
#include "fakes/master/core/conversions.hpp"
#include "fakes/master/core/operation_resources.hpp"

namespace svh::master {

using mesos::v1::TaskInfo;
using mesos::v1::TaskStatus;
using Operation = mesos::v1::Offer::Operation;
using fakes::Fault;

namespace {

TaskStatus::Reason invalidReason(const Operation& operation) {
  return operation.type() == Operation::LAUNCH_GROUP ? TaskStatus::REASON_TASK_GROUP_INVALID
                                                     : TaskStatus::REASON_TASK_INVALID;
}

// One ACCEPT being planned: what is left of the offers, and what the
// operations so far did to the agent as later ones must see it.
class Planner {
 public:
  Planner(const AcceptFacts& facts)
      : facts_(facts),
        remaining_(facts.offered),
        remaining_shared_(facts.offered.shared()),
        total_(facts.agent_total),
        checkpointed_(facts.checkpointed),
        uses_(facts.uses),
        executors_(facts.executors),
        other_offers_(facts.other_offers) {}

  std::vector<Effect> plan(const mesos::v1::scheduler::Call::Accept& accept) {
    std::vector<Operation> operations = prepare(accept);
    if (!facts_.agent_connected) {
      for (const auto& operation : operations) {
        taskUpdates(operation, lostState(), TaskStatus::REASON_AGENT_DISCONNECTED,
                    "Agent disconnected");
      }
      return std::move(effects_);
    }
    for (std::size_t index = 0; index < operations.size(); ++index) {
      apply(operations, index);
    }
    decline(accept);
    return std::move(effects_);
  }

 private:
  mesos::v1::TaskState lostState() const {
    return validation::hasCapability(facts_.framework,
                                     mesos::v1::FrameworkInfo::Capability::PARTITION_AWARE)
               ? mesos::v1::TASK_DROPPED
               : mesos::v1::TASK_LOST;
  }

  void drop(const Operation& operation, std::string message) {
    effects_.push_back(effect::Drop{operation, std::move(message)});
  }
  void taskUpdates(const Operation& operation, mesos::v1::TaskState state,
                   TaskStatus::Reason reason, const std::string& message) {
    for (const auto& task : tasksOf(operation)) {
      effects_.push_back(effect::TaskUpdate{task.task_id().value(), task.agent_id().value(), state,
                                            reason, message});
    }
  }
  void taskErrors(const Operation& operation, TaskStatus::Reason reason,
                  const std::string& message) {
    taskUpdates(operation, mesos::v1::TASK_ERROR, reason, message);
  }

  // Every operation's resources are validated and upgraded first; invalid
  // ones and unusable feedback requests go here. The rest get the offers'
  // allocation role, and their tasks the executor's framework id.
  std::vector<Operation> prepare(const mesos::v1::scheduler::Call::Accept& accept) {
    std::vector<Operation> operations;
    for (Operation operation : accept.operations()) {
      Problem problem = fakes::validateAndUpgradeResources(&operation);
      if (!problem && operation.type() == Operation::RESERVE &&
          operation.reserve().source_size() > 0) {
        problem = "Reservation updates are not yet implemented for the scheduler API.";
      }
      if (problem) {
        if (operation.type() == Operation::UNKNOWN) {
          effects_.push_back(effect::Ignore{});
        } else if (isLaunch(operation)) {
          taskErrors(operation, invalidReason(operation), *problem);
        } else {
          drop(operation, "Operation attempted with invalid resources: " + *problem);
        }
        continue;
      }
      if (feedbackUnusable(operation)) continue;
      addAllocationInfo(&operation, facts_.role);
      if (operation.type() == Operation::LAUNCH) {
        for (auto& task : *operation.mutable_launch()->mutable_task_infos()) {
          if (task.has_executor() && !task.executor().has_framework_id()) {
            *task.mutable_executor()->mutable_framework_id() = facts_.framework.id();
          }
        }
      } else if (operation.type() == Operation::LAUNCH_GROUP) {
        auto* group = operation.mutable_launch_group();
        for (auto& task : *group->mutable_task_group()->mutable_tasks()) {
          if (!task.has_executor()) *task.mutable_executor() = group->executor();
        }
      }
      operations.push_back(std::move(operation));
    }
    return operations;
  }

  // Operation feedback (`id`) needs operation-feedback agents (1.6+; the
  // field does not exist in 1.1 and is ignored there).
  bool feedbackUnusable(const Operation& operation) {
    if (!operation.has_id() || !facts_.profile.operation_feedback) return false;
    if (operation.type() == Operation::LAUNCH) {
      taskErrors(operation, TaskStatus::REASON_TASK_INVALID,
                 "The `id` field cannot be set on LAUNCH operations");
    } else if (operation.type() == Operation::LAUNCH_GROUP) {
      taskErrors(operation, TaskStatus::REASON_TASK_GROUP_INVALID,
                 "The `id` field cannot be set on LAUNCH_GROUP operations");
    } else if (!facts_.agent_capabilities.resource_provider) {
      drop(operation, "Operation requested feedback, but agent " + facts_.agent_id +
                          " does not have the required RESOURCE_PROVIDER capability");
    } else if (!facts_.agent_capabilities.agent_operation_feedback) {
      drop(operation, "Operation on agent default resources requested feedback, but agent " +
                          facts_.agent_id +
                          " does not have the required AGENT_OPERATION_FEEDBACK and "
                          "RESOURCE_PROVIDER capabilities");
    } else {
      return false;
    }
    return true;
  }

  void apply(const std::vector<Operation>& operations, std::size_t index) {
    const Operation& operation = operations[index];
    switch (operation.type()) {
      case Operation::RESERVE:
        if (reject(operation, validation::validateReserve(operation.reserve(), principal(),
                                                          facts_.agent_capabilities,
                                                          &facts_.framework))) {
          return;
        }
        if (convert(operation)) applyToAgent(operation);
        return;
      case Operation::UNRESERVE:
        if (reject(operation, validation::validateUnreserve(operation.unreserve(),
                                                            &facts_.framework, facts_.faults))) {
          return;
        }
        if (convert(operation)) applyToAgent(operation);
        return;
      case Operation::CREATE: {
        bool needs_capability = (facts_.profile.create_shared_needs_capability ||
                                 facts_.faults.has(Fault::kV11CreateSharedNeedsCapability)) &&
                                !facts_.faults.has(Fault::kCreateSharedWithoutCapability);
        if (reject(operation, validation::validateCreate(
                                  operation.create(), checkpointed_, principal(),
                                  facts_.agent_capabilities, &facts_.framework, needs_capability,
                                  facts_.faults))) {
          return;
        }
        if (convert(operation)) {
          remaining_shared_ = remaining_.shared();  // SV-CREATE-3, SV-LAUNCH-8
          applyToAgent(operation);
        }
        return;
      }
      case Operation::DESTROY:
        return destroy(operations, index);
      case Operation::GROW_VOLUME:
      case Operation::SHRINK_VOLUME:
        return resize(operation);
      case Operation::CREATE_DISK:
      case Operation::DESTROY_DISK:
        drop(operation, "Not supported on agent " + facts_.agent_description +
                            " because it does not have RESOURCE_PROVIDER capability");
        return;
      case Operation::LAUNCH:
        return launch(operation);
      case Operation::LAUNCH_GROUP:
        return launchGroup(operation);
      default:
        effects_.push_back(effect::Ignore{});
        return;
    }
  }

  // A validation error drops the operation (with the "; on agent" suffix);
  // a valid one that --acls refuse is dropped with Mesos's text.
  bool reject(const Operation& operation, const Problem& problem) {
    if (problem) {
      drop(operation, *problem + facts_.on_agent);
      return true;
    }
    if (facts_.refused) {
      if (auto refusal = facts_.refused(operation)) {
        drop(operation, *refusal);
        return true;
      }
    }
    return false;
  }

  // The conversions of RESERVE/UNRESERVE/CREATE/DESTROY applied to what is
  // left of the offers; false (and the operation dropped) if they do not fit.
  bool convert(const Operation& operation) {
    auto conversions = conversionsFor(operation);
    if (!conversions) {
      drop(operation, conversions.error());
      return false;
    }
    if (operation.type() == Operation::DESTROY &&
        facts_.faults.has(Fault::kDestroyIgnoresExtraCopies)) {
      for (auto& conversion : *conversions) conversion.post_validation = nullptr;
    }
    auto result = applyConversions(remaining_, *conversions);
    if (!result) {
      drop(operation, result.error());
      return false;
    }
    remaining_ = *result;
    return true;
  }

  void applyToAgent(const Operation& operation) {
    effects_.push_back(effect::Apply{operation});
    if (auto total = agentTotalAfter(total_, operation)) {
      total_ = *total;
      checkpointed_ = checkpointedPart(total_);
    }
  }

  void destroy(const std::vector<Operation>& operations, std::size_t index) {
    const Operation& operation = operations[index];
    auto used = usedByFramework(uses_, facts_.faults);
    if (facts_.faults.has(Fault::kDestroyInUseOwnTasksOnly)) {
      used = {{facts_.framework.id().value(), used[facts_.framework.id().value()]}};
    }
    Problem problem = validation::validateDestroy(operation.destroy(), checkpointed_, used,
                                                  &facts_.framework);
    if (!problem && facts_.profile.destroy_checks_pending_tasks &&
        !facts_.faults.has(Fault::kV11DestroyIgnoresPendingTasks)) {
      problem = validation::validateDestroyPendingTasks(operation.destroy(),
                                                        pendingAfter(operations, index));
    }
    if (reject(operation, problem)) return;
    // Every outstanding offer on the agent holding a volume being destroyed
    // is rescinded, whoever holds it, before the DESTROY is applied
    // (SV-DESTROY-5/6): even when the DESTROY is then dropped.
    if (!facts_.faults.has(Fault::kDestroyNoRescind)) {
      std::erase_if(other_offers_, [&](const HeldOffer& offer) {
        if (facts_.faults.has(Fault::kDestroyRescindsOwnOffersOnly) &&
            offer.framework_id != facts_.framework.id().value()) {
          return false;
        }
        for (const auto& volume : operation.destroy().volumes()) {
          if (offer.resources.contains(volume)) {
            effects_.push_back(effect::Rescind{offer.id});
            return true;
          }
        }
        return false;
      });
    }
    if (convert(operation)) {
      // SV-LAUNCH-8, SV-LAUNCH-6: later tasks cannot use what was destroyed.
      if (!facts_.faults.has(Fault::kDestroyKeepsSharedCopies)) remaining_shared_ = remaining_.shared();
      if (!facts_.faults.has(Fault::kDestroyNotAppliedToAgent)) applyToAgent(operation);
    }
  }

  // 1.1 (SV-DESTROY-4): tasks later in this ACCEPT are still pending.
  static std::vector<Resources> pendingAfter(const std::vector<Operation>& operations,
                                             std::size_t index) {
    std::vector<Resources> pending;
    for (std::size_t later = index + 1; later < operations.size(); ++later) {
      for (const auto& task : tasksOf(operations[later])) {
        Resources resources(task.resources());
        if (task.has_executor()) resources += Resources(task.executor().resources());
        pending.push_back(resources);
      }
    }
    return pending;
  }

  // GROW/SHRINK: the consumed part must be offered; the result goes to the
  // agent but not back into this ACCEPT.
  void resize(const Operation& operation) {
    if (!facts_.profile.resize_volumes) {
      effects_.push_back(effect::Ignore{});
      return;
    }
    Problem problem = operation.type() == Operation::GROW_VOLUME
                          ? validation::validateGrowVolume(operation.grow_volume(),
                                                           facts_.agent_capabilities)
                          : validation::validateShrinkVolume(operation.shrink_volume(),
                                                             facts_.agent_capabilities);
    if (reject(operation, problem)) return;
    auto conversions = conversionsFor(operation);
    if (!conversions || conversions->size() != 1) {
      drop(operation, conversions ? "Unexpected conversions" : conversions.error());
      return;
    }
    const auto& conversion = conversions->front();
    if (!remaining_.contains(conversion.consumed)) {
      drop(operation, "Invalid " + Operation::Type_Name(operation.type()) +
                          " operation: " + remaining_.str() + " does not contain " +
                          conversion.consumed.str());
      return;
    }
    remaining_ -= conversion.consumed;
    resized_ += conversion.converted;
    applyToAgent(operation);
  }

  validation::TaskContext taskContext() const {
    validation::TaskContext context;
    context.framework = &facts_.framework;
    context.agent_id = facts_.agent_id;
    context.agent_capabilities = facts_.agent_capabilities;
    context.task_id_in_use = [this](const std::string& id) {
      return launched_.count(id) > 0 || (facts_.task_known && facts_.task_known(id));
    };
    context.executors = executors_;
    return context;
  }

  // A task launched now uses its resources (and its new executor's) from
  // here on: a DESTROY later in this ACCEPT sees them (SV-DESTROY-4).
  void noteLaunched(const TaskInfo& task, const Resources& executor_resources) {
    launched_.insert(task.task_id().value());
    if (facts_.faults.has(Fault::kDestroyInUseIgnoresSameAccept)) return;
    uses_.push_back({facts_.framework.id().value(), mesos::v1::TASK_STAGING,
                     Resources(task.resources())});
    if (!executor_resources.empty()) {
      uses_.push_back({facts_.framework.id().value(), std::nullopt, executor_resources});
    }
  }

  void launch(const Operation& operation) {
    for (const auto& task : operation.launch().task_infos()) {
      // SV-LAUNCH-1: the offered shared copies stay usable by every task.
      Resources shared = facts_.faults.has(Fault::kLaunchNoSharedAddBack) ? remaining_.shared()
                                                                          : remaining_shared_;
      Resources available = remaining_.nonShared() + shared;
      auto context = taskContext();
      context.task_id_unreachable = facts_.task_unreachable;
      if (auto problem = validation::validateTask(task, context, available)) {
        effects_.push_back(effect::TaskUpdate{task.task_id().value(), task.agent_id().value(),
                                              mesos::v1::TASK_ERROR,
                                              TaskStatus::REASON_TASK_INVALID, *problem});
        continue;
      }
      Resources consumed(task.resources());
      Resources executor_resources;
      bool launch_executor = true;
      if (task.has_executor()) {
        launch_executor = executors_.count(task.executor().executor_id().value()) == 0;
        if (launch_executor) {
          executors_[task.executor().executor_id().value()] = task.executor();
          executor_resources = Resources(task.executor().resources());
          consumed += executor_resources;
        }
      }
      noteLaunched(task, executor_resources);
      // SV-LAUNCH-2: copies of shared volumes beyond those offered join the
      // framework's allocation.
      effects_.push_back(
          effect::Launch{task, launch_executor, consumed.shared() - remaining_.shared()});
      remaining_ -= consumed;
    }
  }

  // SV-LAUNCH-7: task groups are checked against the remaining resources
  // only, with no add-back of shared copies.
  void launchGroup(const Operation& operation) {
    const auto& group = operation.launch_group();
    auto context = taskContext();
    if (auto problem = validation::validateTaskGroup(group.task_group(), group.executor(), context,
                                                     remaining_)) {
      taskErrors(operation, TaskStatus::REASON_TASK_GROUP_INVALID, *problem);
      return;
    }
    const std::string& executor_id = group.executor().executor_id().value();
    bool launch_executor = executors_.count(executor_id) == 0;
    Resources consumed;
    Resources executor_resources;
    if (launch_executor) {
      executors_[executor_id] = group.executor();
      executor_resources = Resources(group.executor().resources());
      consumed += executor_resources;
    }
    for (const auto& task : group.task_group().tasks()) {
      consumed += Resources(task.resources());
      noteLaunched(task, executor_resources);
      executor_resources = {};  // counted once, with the first task
    }
    remaining_ -= consumed;
    effects_.push_back(effect::LaunchGroup{group.executor(), group.task_group(), launch_executor});
  }

  // What no operation used is declined with the call's filters (SV-OFFER-6),
  // except what RESERVE/CREATE/... just produced: that comes back without a
  // filter, as in Mesos.
  void decline(const mesos::v1::scheduler::Call::Accept& accept) {
    Resources speculatively_converted = remaining_ + resized_ - facts_.offered;
    Resources implicitly_declined = remaining_ - speculatively_converted;
    if (implicitly_declined.empty()) return;
    double refuse = accept.has_filters() ? accept.filters().refuse_seconds() : 5.0;
    effects_.push_back(effect::Decline{implicitly_declined, refuse});
  }

  validation::Principal principal() const {
    if (facts_.framework.has_principal()) return facts_.framework.principal();
    return std::nullopt;
  }

  const AcceptFacts& facts_;
  std::vector<Effect> effects_;
  Resources remaining_;
  // Copies of shared volumes that tasks of this ACCEPT may use: those
  // offered, even when an earlier task already took them (SV-LAUNCH-1);
  // reset by CREATE and DESTROY (SV-CREATE-3, SV-LAUNCH-8).
  Resources remaining_shared_;
  // Results of GROW/SHRINK: not usable by later operations of this ACCEPT.
  Resources resized_;
  Resources total_;
  Resources checkpointed_;
  std::vector<ResourceUse> uses_;
  std::map<std::string, mesos::v1::ExecutorInfo> executors_;
  std::vector<HeldOffer> other_offers_;
  std::set<std::string> launched_;  // task ids launched by this ACCEPT
};

}  // namespace

std::vector<Effect> planAccept(const AcceptFacts& facts,
                               const mesos::v1::scheduler::Call::Accept& accept) {
  return Planner(facts).plan(accept);
}

Result<Resources> agentTotalAfter(const Resources& total, const Operation& operation) {
  Operation stripped = operation;
  for (auto* list : resourceLists(&stripped)) {
    for (auto& resource : *list) resource.clear_allocation_info();
  }
  if (stripped.type() == Operation::GROW_VOLUME) {
    stripped.mutable_grow_volume()->mutable_volume()->clear_allocation_info();
    stripped.mutable_grow_volume()->mutable_addition()->clear_allocation_info();
  } else if (stripped.type() == Operation::SHRINK_VOLUME) {
    stripped.mutable_shrink_volume()->mutable_volume()->clear_allocation_info();
  }
  return applyOperation(total, stripped);
}

Resources checkpointedPart(const Resources& total) {
  return total.filter([](const mesos::v1::Resource& r) {
    return fakes::isDynamicallyReserved(r) || fakes::isPersistentVolume(r);
  });
}

}  // namespace svh::master
