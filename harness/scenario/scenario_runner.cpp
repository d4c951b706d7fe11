#include "harness/scenario/scenario_runner.hpp"

#include <map>
#include <memory>

#include "harness/scenario/files.hpp"
#include "harness/scenario/framework.hpp"

namespace svh::harness::scenario {

namespace {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

class Runner {
 public:
  Runner(const Scenario& scenario, Cluster& cluster, ContentType content_type,
         const std::string& prefix, const Evidence& evidence)
      : scenario_(scenario), cluster_(cluster), evidence_(evidence) {
    for (const auto& decl : scenario.frameworks) {
      FrameworkSpec spec;
      spec.name = scenario.name + "-" + decl.name;
      spec.role = prefix + "-" + decl.role;
      spec.capabilities = decl.capabilities;
      spec.content_type = content_type;
      roles_[decl.name] = spec.role;
      frameworks_[decl.name] = std::make_unique<Framework>(cluster.master(), spec);
    }
  }

  void run() {
    for (auto& [name, framework] : frameworks_) framework->subscribe();
    for (std::size_t i = 0; i < scenario_.steps.size(); ++i) {
      step_ = scenario_.step_names[i];
      const auto& asserts = scenario_.step_asserts.at(i);
      if (auto why = cannotSee(scenario_.steps[i])) {
        for (const auto& id : asserts) evidence_.skipped(id, step_ + ": " + *why);
        continue;
      }
      try {
        std::visit([this](const auto& step) { play(step); }, scenario_.steps[i]);
        for (const auto& id : asserts) evidence_.asserted(id);
      } catch (const CheckFailure& e) {
        throw CheckFailure(where() + e.what());
      } catch (const AwaitTimeout& e) {
        throw AwaitTimeout(where() + e.what());
      } catch (const HarnessError& e) {
        throw HarnessError(where() + e.what());
      }
    }
  }

 private:
  std::string where() const { return scenario_.file.filename().string() + ": " + step_ + ": "; }

  // Why the step cannot look where it would look (the disk of an agent
  // that is not ours), or nullopt.
  std::optional<std::string> cannotSee(const Step& step) {
    std::optional<int> index;
    if (const auto* file = std::get_if<AwaitFileStep>(&step)) index = tasks_.at(file->task).agent;
    if (const auto* file = std::get_if<VolumeFileStep>(&step)) index = file->agent;
    if (const auto* gone = std::get_if<VolumeGoneStep>(&step)) index = gone->agent;
    if (!index || agent(*index).local()) return std::nullopt;
    return "reads agent " + agent(*index).id +
           "'s disk, but the agents are external (--agents external)";
  }

  Framework& framework(const std::string& name) { return *frameworks_.at(name); }
  AgentHandle& agent(int index) { return cluster_.agents().at(static_cast<std::size_t>(index)); }

  // The volume as created: reserved to the role of the framework that made it.
  VolumeBuilder volume(const std::string& name) {
    const auto& decl = scenario_.volumes.at(name);
    auto role = volume_roles_.count(name) ? volume_roles_.at(name) : std::string("*");
    return harness::volume(name).role(role).size(decl.size).shared(decl.shared).path(decl.path);
  }

  std::filesystem::path volumeDir(const std::string& name, int agent_index) {
    return agent(agent_index).backing() / "volumes" / "roles" / volume_roles_.at(name) / name;
  }

  void play(const CreateStep& step) {
    auto& fw = framework(step.framework);
    const auto& role = roles_.at(step.framework);
    double size = 0;
    for (const auto& name : step.volumes) {
      volume_roles_[name] = role;
      size += scenario_.volumes.at(name).size;
    }
    std::vector<Resource> volumes;
    std::vector<Resource> disks;
    for (const auto& name : step.volumes) {
      volumes.push_back(volume(name));
      disks.push_back(volume(name).reservedDisk());
    }
    auto on = onAgent(agent(step.agent).id);
    if (step.reserve) {
      auto offer = fw.awaitOffer(allOf({on, hasScalar("disk", size, "*")}),
                                 "an offer with " + std::to_string(size) + " MB unreserved disk");
      fw.accept(offer, {reserve(disks), create(volumes)});
    } else {
      auto offer = fw.awaitOffer(allOf({on, hasScalar("disk", size, role)}),
                                 "an offer with " + std::to_string(size) + " MB reserved disk");
      fw.accept(offer, {create(volumes)});
    }
    std::vector<OfferMatch> with = {on};
    for (const auto& name : step.volumes) with.push_back(hasVolume(name));
    fw.decline(fw.awaitOffer(allOf(with), "an offer with the created volumes"));
  }

  void play(const AwaitOfferStep& step) {
    std::vector<OfferMatch> matches = {onAgent(agent(step.agent).id)};
    std::string what = "an offer";
    for (const auto& name : step.with) {
      matches.push_back(scenario_.volumes.at(name).shared ? hasSharedVolume(name)
                                                          : hasVolume(name));
      what += " with " + name;
    }
    for (const auto& name : step.without) {
      matches.push_back(lacksVolume(name));
      what += " without " + name;
    }
    auto& fw = framework(step.framework);
    fw.declineOutstanding();
    auto offer = fw.awaitOffer(allOf(matches), what);
    fw.decline(offer);
  }

  void play(const LaunchStep& step) {
    auto& fw = framework(step.framework);
    int agent_index = step.tasks.front().agent;
    std::vector<TaskInfo> tasks;
    std::vector<OfferMatch> matches = {onAgent(agent(agent_index).id)};
    double cpus = 0;
    double mem = 0;
    for (const auto& decl : step.tasks) {
      auto builder = task(decl.name)
                         .on(agent(agent_index).id)
                         .command(decl.command)
                         .cpus(decl.cpus)
                         .mem(decl.mem);
      for (const auto& use : decl.volumes) {
        auto resource = volume(use.volume).readOnly(use.read_only);
        if (!use.path.empty()) resource.path(use.path);
        builder.uses(resource);
        matches.push_back(hasVolume(use.volume));
      }
      cpus += decl.cpus;
      mem += decl.mem;
      tasks_[decl.name] = {step.framework, builder.taskId(), agent_index};
      tasks.push_back(builder);
    }
    matches.push_back(hasScalar("cpus", cpus));
    matches.push_back(hasScalar("mem", mem));
    fw.declineOutstanding();
    auto offer = fw.awaitOffer(allOf(matches), "an offer for the tasks and their volumes");
    fw.accept(offer, {launch(tasks)});
  }

  void play(const AwaitTaskStep& step) {
    std::set<TaskState> states;
    for (const auto& name : step.states) {
      TaskState state = mesos::v1::TASK_STAGING;  // names were checked by the loader
      mesos::v1::TaskState_Parse(name, &state);
      states.insert(state);
    }
    framework(step.framework).awaitTaskState(tasks_.at(step.task).id, states);
  }

  void play(const AwaitFileStep& step) {
    const auto& task = tasks_.at(step.task);
    auto sandbox = agent(task.agent).sandboxOf(task.id);
    auto content = awaitFile(sandbox / step.file, kDefaultWait,
                             "file " + step.file + " in the sandbox of task " + step.task);
    if (step.content && content != *step.content) {
      throw CheckFailure("file " + step.file + " of task " + step.task + " holds '" + content +
                         "', expected '" + *step.content + "'");
    }
  }

  void play(const DestroyStep& step) {
    auto& fw = framework(step.framework);
    auto on = onAgent(agent(step.agent).id);
    std::vector<OfferMatch> with = {on};
    for (const auto& name : step.volumes) with.push_back(hasVolume(name));
    fw.declineOutstanding();
    auto offer = fw.awaitOffer(allOf(with), "an offer with the volumes to destroy");
    std::vector<Resource> volumes;
    double size = 0;
    for (const auto& name : step.volumes) {
      volumes.push_back(*findVolume(offer, name));
      size += scenario_.volumes.at(name).size;
    }
    fw.accept(offer, {destroy(volumes)});
    if (step.expect == "refused") {
      // Refused: the volumes are still there, and still offered.
      fw.decline(
          fw.awaitOffer(allOf(with), "an offer still holding the volumes after a refused DESTROY"));
    } else {
      const auto& role = roles_.at(step.framework);
      OfferMatch any_volume = [&](const Offer& o) {
        for (const auto& name : step.volumes) {
          if (findVolume(o, name)) return true;
        }
        return false;
      };
      fw.decline(fw.awaitOfferWithout(any_volume, "a destroyed volume",
                                      allOf({on, hasScalar("disk", size, role)}),
                                      "an offer with the volumes' disk back as reserved disk"));
    }
  }

  void play(const VolumeFileStep& step) {
    auto path = volumeDir(step.volume, step.agent) / step.file;
    if (!step.content) {
      if (std::filesystem::exists(path)) {
        throw CheckFailure(path.string() + " exists, expected no such file");
      }
      return;
    }
    auto content = readFile(path);
    if (content != *step.content) {
      throw CheckFailure(path.string() + " holds '" + content + "', expected '" + *step.content +
                         "'");
    }
  }

  void play(const VolumeGoneStep& step) {
    awaitGone(volumeDir(step.volume, step.agent), kDefaultWait,
              "volume " + step.volume + "'s data to leave the agent");
  }

  void play(const KillStep& step) {
    const auto& task = tasks_.at(step.task);
    framework(step.framework).kill(task.id, agent(task.agent).id);
  }

  void play(const RestartAgentStep& step) { cluster_.restartAgent(step.agent, step.crash); }

  void play(const RestartMasterStep& step) {
    cluster_.restartMaster(step.crash);
    for (auto& [name, framework] : frameworks_) framework->resubscribe();
  }

  void play(const TeardownStep& step) { framework(step.framework).teardown(); }

  struct TaskRef {
    std::string framework;
    std::string id;
    int agent = 0;
  };

  const Scenario& scenario_;
  Cluster& cluster_;
  const Evidence& evidence_;
  std::map<std::string, std::unique_ptr<Framework>> frameworks_;
  std::map<std::string, std::string> roles_;         // framework -> role
  std::map<std::string, std::string> volume_roles_;  // volume -> role it was created in
  std::map<std::string, TaskRef> tasks_;
  std::string step_;
};

}  // namespace

std::optional<std::string> skipReason(const Scenario& scenario, Cluster& cluster) {
  if (static_cast<int>(cluster.agents().size()) < scenario.agents) {
    return "needs " + std::to_string(scenario.agents) + " agents; this run has " +
           std::to_string(cluster.agents().size()) + " (--agents)";
  }
  for (const auto& step : scenario.steps) {
    if (std::holds_alternative<RestartAgentStep>(step)) {
      for (auto& agent : cluster.agents()) {
        if (!agent.local()) {
          return std::string("restarts an agent, but the agents are external (--agents external)");
        }
      }
    }
    if (std::holds_alternative<RestartMasterStep>(step) && !cluster.builtinMaster()) {
      return "restarts the master, which only works with the bundled master";
    }
  }
  return std::nullopt;
}

void runScenario(const Scenario& scenario, Cluster& cluster, ContentType content_type,
                 const std::string& prefix, const Evidence& evidence) {
  Runner(scenario, cluster, content_type, prefix, evidence).run();
}

}  // namespace svh::harness::scenario
