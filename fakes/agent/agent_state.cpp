// What the agent shows over HTTP: /health, /flags (what it enforces: the
// harness skips RO checks on an agent that does not) and /state (its id,
// volumes, tasks with their sandboxes, and where its trace is).

#include <nlohmann/json.hpp>

#include "fakes/agent/agent.hpp"
#include "fakes/agent/volumes.hpp"
#include "fakes/common/duration.hpp"
#include "fakes/common/resources.hpp"

namespace svh::agent {

void Agent::handleHttp(std::shared_ptr<http::Exchange> exchange) {
  std::string_view target = exchange->request().target();
  std::string path(target.substr(0, target.find('?')));
  using nlohmann::ordered_json;
  auto flags = [&] {
    ordered_json f;
    f["master"] = flags_.master;
    f["work_dir"] = flags_.work_dir.string();
    f["resources"] = flags_.resources;
    f["disk"] = flags_.disk;
    f["gc_delay"] = fakes::formatDuration(flags_.gc_delay);
    // What H-RO-1 checks look at: whether this agent enforces RO.
    f["isolation"] = disk_ ? "svh/fuse" : "svh/plain";
    f["launcher"] = isolate_ ? "svh/namespaces" : "svh/posix";
    f["ro_enforced"] = disk_ ? "true" : "false";
    return f;
  };
  auto json = [&](const ordered_json& body) {
    exchange->respond(http::makeResponse(
        http::bhttp::status::ok,
        body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), "application/json"));
  };
  if (path == "/health" || path == "/slave(1)/health") {
    return exchange->respond(http::makeResponse(http::bhttp::status::ok));
  }
  if (path == "/flags" || path == "/slave(1)/flags") return json({{"flags", flags()}});
  if (path == "/state" || path == "/slave(1)/state") {
    ordered_json state;
    state["id"] = agent_id_;
    state["pid"] = process_.self().str();
    state["hostname"] = flags_.hostname;
    state["registered"] = registered_;
    state["flags"] = flags();
    if (!isolation_note_.empty()) state["isolation_note"] = isolation_note_;
    if (!disk_) {
      state["ro_note"] =
          "mode RO is not enforced: --disk=plain serves volumes without FUSE, so a task whose "
          "resource says RO can still write";
    }
    ordered_json volumes = ordered_json::array();
    for (const auto& entry : checkpointed_.persistentVolumes().entries()) {
      volumes.push_back({{"id", entry.resource.disk().persistence().id()},
                         {"role", fakes::reservationRole(entry.resource)},
                         {"shared", entry.resource.has_shared()},
                         {"size", entry.resource.scalar().value()},
                         {"path", volumePath(backing(), entry.resource).string()}});
    }
    state["volumes"] = volumes;
    ordered_json tasks = ordered_json::array();
    for (const auto& [framework_id, list] : tasks_) {
      for (const auto& [task_id, task] : list) {
        if (task.ghost) continue;
        tasks.push_back({{"id", task_id},
                         {"framework_id", framework_id},
                         {"executor_id", task.executor_id},
                         {"state", mesos::TaskState_Name(task.state)},
                         {"sandbox", task.sandbox.string()},
                         {"pid", task.process.pid}});
      }
    }
    state["tasks"] = tasks;
    auto removed = [&](const std::filesystem::path& sandbox) {
      for (const auto& gone : gc_removed_) {
        auto rel = sandbox.lexically_relative(gone);
        if (!rel.empty() && *rel.begin() != "..") return true;
      }
      return false;
    };
    ordered_json completed = ordered_json::array();
    for (const auto& task : completed_) {
      completed.push_back({{"id", task.task_id},
                           {"framework_id", task.framework_id},
                           {"state", mesos::TaskState_Name(task.state)},
                           {"sandbox", task.sandbox.string()},
                           {"sandbox_removed", removed(task.sandbox)}});
    }
    state["completed_tasks"] = completed;
    // The sandbox GC: what it removed, and what it will remove.
    ordered_json gone = ordered_json::array();
    for (const auto& sandbox : gc_removed_) gone.push_back(sandbox.string());
    state["removed_sandboxes"] = gone;
    ordered_json pending = ordered_json::array();
    for (const auto& [sandbox, when] : gc_scheduled_) pending.push_back(sandbox.string());
    state["sandboxes_to_remove"] = pending;
    // Only a FUSE disk writes a trace.
    state["trace"] = disk_ ? ordered_json(traceFile().string()) : ordered_json(nullptr);
    return json(state);
  }
  exchange->respond(http::makeResponse(http::bhttp::status::not_found));
}

}  // namespace svh::agent
