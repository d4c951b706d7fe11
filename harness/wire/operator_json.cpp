#include "harness/wire/operator_json.hpp"

namespace svh::wire {

const JsonOptions& operatorResponseJsonOptions() {
  static const JsonOptions kOptions{
      .emptyArrays =
          {
              "mesos.v1.master.Response.GetTasks.tasks",
              "mesos.v1.master.Response.GetTasks.unreachable_tasks",
              "mesos.v1.master.Response.GetTasks.completed_tasks",
              "mesos.v1.master.Response.GetExecutors.executors",
              "mesos.v1.master.Response.GetFrameworks.frameworks",
              "mesos.v1.master.Response.GetFrameworks.completed_frameworks",
              "mesos.v1.master.Response.GetAgents.agents",
              "mesos.v1.master.Response.GetAgents.recovered_agents",
          },
      .viaV0 = true,
  };
  return kOptions;
}

}  // namespace svh::wire
