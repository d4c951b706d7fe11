#pragma once
// Scenarios as data: a fixtures/scenarios/*.json file tells one check's
// story (frameworks, volumes, steps with expectations), and the data-driven
// suite runs each file as one check. The model here is what a file means
// once it has been read and checked (scenario_loader); scenario_runner plays
// it against a cluster with the story API.

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "mesos/v1/mesos.pb.h"

namespace svh::harness::scenario {

struct FrameworkDecl {
  std::string name;
  std::string role;  // as written; the runner makes it unique per check
  std::vector<mesos::v1::FrameworkInfo::Capability::Type> capabilities;
};

struct VolumeDecl {
  std::string name;  // also the persistence id
  double size = 64;
  bool shared = false;
  std::string path = "data";
};

struct VolumeUse {
  std::string volume;
  bool read_only = false;
  std::string path;  // container path; the volume's own when empty
};

struct TaskDecl {
  std::string name;
  std::string command;
  std::vector<VolumeUse> volumes;
  double cpus = 0.1;
  double mem = 32;
  int agent = 0;
};

// The steps. Each names the framework it acts for where it needs one.
struct CreateStep {  // reserve disk (unless already reserved) and create the volumes
  std::string framework;
  std::vector<std::string> volumes;
  bool reserve = true;
  int agent = 0;
};
struct AwaitOfferStep {  // an offer with all of `with` and none of `without`
  std::string framework;
  std::vector<std::string> with;
  std::vector<std::string> without;
  int agent = 0;
};
struct LaunchStep {  // one ACCEPT launching all tasks
  std::string framework;
  std::vector<TaskDecl> tasks;
};
struct AwaitTaskStep {
  std::string framework;
  std::string task;
  std::vector<std::string> states;  // TASK_RUNNING, ...
};
struct AwaitFileStep {  // a file in a task's sandbox, optionally with this content
  std::string task;
  std::string file;
  std::optional<std::string> content;
};
struct DestroyStep {  // one ACCEPT destroying the volumes; expect "refused" or "destroyed"
  std::string framework;
  std::vector<std::string> volumes;
  std::string expect;
  int agent = 0;
};
struct VolumeFileStep {  // a file in a volume's backing dir on the agent
  std::string volume;
  std::string file;
  std::optional<std::string> content;  // nullopt: the file must not exist
  int agent = 0;
};
struct VolumeGoneStep {
  std::string volume;
  int agent = 0;
};
struct KillStep {
  std::string framework;
  std::string task;
};
struct RestartAgentStep {
  int agent = 0;
  bool crash = false;
};
struct RestartMasterStep {
  bool crash = false;
};
struct TeardownStep {
  std::string framework;
};

using Step = std::variant<CreateStep, AwaitOfferStep, LaunchStep, AwaitTaskStep, AwaitFileStep,
                          DestroyStep, VolumeFileStep, VolumeGoneStep, KillStep, RestartAgentStep,
                          RestartMasterStep, TeardownStep>;

struct Scenario {
  std::filesystem::path file;
  std::string name;  // a C++ identifier: the check is Scenario.<name>
  std::string description;
  std::string mirrors;  // the Mesos test it mirrors, if any
  std::vector<std::string> clauses;
  int agents = 1;
  std::vector<FrameworkDecl> frameworks;
  std::map<std::string, VolumeDecl> volumes;
  std::vector<Step> steps;
  std::vector<std::string> step_names;  // "steps[3].launch", for messages
  // The clauses each step asserts (its "asserts": [...]), one entry per
  // step: the evidence the scenario check records once the step has run and
  // held. Only steps that observe something carry any; the loader makes
  // sure each clause of `clauses` is asserted by some step.
  std::vector<std::vector<std::string>> step_asserts;
};

}  // namespace svh::harness::scenario
