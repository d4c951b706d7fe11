#include "harness/scenario/scenario_loader.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

namespace svh::harness::scenario {

namespace {

using nlohmann::json;

const char* typeName(const json& value) {
  switch (value.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::object:
      return "an object";
    case json::value_t::array:
      return "an array";
    case json::value_t::string:
      return "a string";
    case json::value_t::boolean:
      return "a boolean";
    default:
      return "a number";
  }
}

// A position in the document: knows its JSON path, so every complaint says
// where it is.
class Node {
 public:
  Node(const json& value, std::string path, const std::filesystem::path& file)
      : value_(value), path_(std::move(path)), file_(file) {}

  [[noreturn]] void fail(const std::string& what) const {
    throw ScenarioError(file_.string() + ": " + path_ + ": " + what);
  }
  const std::string& path() const { return path_; }
  const json& raw() const { return value_; }

  Node field(const std::string& key) const {
    auto node = optional(key);
    if (!node) fail("missing required key '" + key + "'");
    return *node;
  }
  std::optional<Node> optional(const std::string& key) const {
    object();
    auto it = value_.find(key);
    if (it == value_.end()) return std::nullopt;
    return Node(*it, path_ + "." + key, file_);
  }
  void object() const {
    if (!value_.is_object()) fail(std::string("expected an object, got ") + typeName(value_));
  }
  // Unknown keys are typos: refuse them, naming what is allowed.
  void only(std::initializer_list<const char*> keys) const {
    object();
    for (const auto& [key, value] : value_.items()) {
      if (std::find_if(keys.begin(), keys.end(), [&](const char* k) { return key == k; }) ==
          keys.end()) {
        std::string allowed;
        for (const char* k : keys) allowed += (allowed.empty() ? "" : ", ") + std::string(k);
        fail("unknown key '" + key + "' (expected one of: " + allowed + ")");
      }
    }
  }
  std::string str() const {
    if (!value_.is_string()) fail(std::string("expected a string, got ") + typeName(value_));
    return value_.get<std::string>();
  }
  double number() const {
    if (!value_.is_number()) fail(std::string("expected a number, got ") + typeName(value_));
    return value_.get<double>();
  }
  double positive() const {
    double value = number();
    if (!(value > 0)) fail("expected a positive number");
    return value;
  }
  int index() const {
    if (!value_.is_number_integer() || value_.get<int>() < 0) {
      fail("expected an agent index (0, 1, ...)");
    }
    return value_.get<int>();
  }
  bool boolean() const {
    if (!value_.is_boolean()) fail(std::string("expected true or false, got ") + typeName(value_));
    return value_.get<bool>();
  }
  std::vector<Node> array() const {
    if (!value_.is_array()) fail(std::string("expected an array, got ") + typeName(value_));
    std::vector<Node> items;
    for (std::size_t i = 0; i < value_.size(); ++i) {
      items.emplace_back(value_[i], path_ + "[" + std::to_string(i) + "]", file_);
    }
    return items;
  }
  std::vector<std::string> strings() const {
    std::vector<std::string> out;
    for (const auto& item : array()) out.push_back(item.str());
    return out;
  }
  std::vector<std::pair<std::string, Node>> members() const {
    object();
    std::vector<std::pair<std::string, Node>> out;
    for (const auto& [key, value] : value_.items()) {
      out.emplace_back(key, Node(value, path_ + "." + key, file_));
    }
    return out;
  }

 private:
  const json& value_;
  std::string path_;
  const std::filesystem::path& file_;
};

bool identifier(const std::string& name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  return std::all_of(name.begin(), name.end(),
                     [](unsigned char c) { return std::isalnum(c) || c == '_'; });
}

bool roleLike(const std::string& name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '_' || c == '/';
  });
}

// Cross-references are checked as the steps are read.
struct Context {
  Scenario* scenario;
  std::set<std::string> tasks;

  void framework(const Node& node) const {
    std::string name = node.str();
    for (const auto& f : scenario->frameworks) {
      if (f.name == name) return;
    }
    node.fail("no framework named '" + name + "' (declare it under $.frameworks)");
  }
  void volume(const Node& node) const {
    std::string name = node.str();
    if (!scenario->volumes.count(name)) {
      node.fail("no volume named '" + name + "' (declare it under $.volumes)");
    }
  }
  void task(const Node& node) const {
    if (!tasks.count(node.str())) {
      node.fail("no task named '" + node.str() + "' launched by an earlier step");
    }
  }
  int agent(const std::optional<Node>& node) const {
    if (!node) return 0;
    int index = node->index();
    if (index >= scenario->agents) {
      node->fail("agent " + std::to_string(index) + " does not exist (the scenario asks for " +
                 std::to_string(scenario->agents) + ")");
    }
    return index;
  }
  std::vector<std::string> volumes(const Node& node) const {
    std::vector<std::string> names;
    auto items = node.array();
    if (items.empty()) node.fail("expected at least one volume");
    for (const auto& item : items) {
      volume(item);
      names.push_back(item.str());
    }
    return names;
  }
};

const std::set<std::string>& taskStates() {
  static const std::set<std::string> states = [] {
    std::set<std::string> names;
    const auto* descriptor = mesos::v1::TaskState_descriptor();
    for (int i = 0; i < descriptor->value_count(); ++i) names.insert(descriptor->value(i)->name());
    return names;
  }();
  return states;
}

TaskDecl readTask(const Node& node, Context& context) {
  node.only({"name", "command", "volumes", "cpus", "mem", "agent"});
  TaskDecl task;
  task.name = node.field("name").str();
  if (!identifier(task.name)) node.field("name").fail("expected a name of letters, digits and _");
  if (!context.tasks.insert(task.name).second) {
    node.field("name").fail("task '" + task.name + "' is launched twice");
  }
  task.command = node.field("command").str();
  if (auto cpus = node.optional("cpus")) task.cpus = cpus->positive();
  if (auto mem = node.optional("mem")) task.mem = mem->positive();
  task.agent = context.agent(node.optional("agent"));
  if (auto volumes = node.optional("volumes")) {
    for (auto& [name, use] : volumes->members()) {
      VolumeUse entry;
      entry.volume = name;
      json key_text = name;
      Node key(key_text, use.path(), context.scenario->file);
      context.volume(key);
      if (use.raw().is_string()) {
        std::string mode = use.str();
        if (mode != "RW" && mode != "RO") use.fail("expected \"RW\" or \"RO\"");
        entry.read_only = mode == "RO";
      } else {
        use.only({"mode", "path"});
        std::string mode = use.field("mode").str();
        if (mode != "RW" && mode != "RO") use.field("mode").fail("expected \"RW\" or \"RO\"");
        entry.read_only = mode == "RO";
        if (auto path = use.optional("path")) entry.path = path->str();
      }
      task.volumes.push_back(entry);
    }
  }
  return task;
}

// The step kinds that observe something, and so may say which clauses
// they assert; the others only act.
bool observes(const std::string& kind) {
  return kind == "create" || kind == "await_offer" || kind == "await_task" ||
         kind == "await_file" || kind == "destroy" || kind == "volume_file" ||
         kind == "volume_gone";
}

// A step's "asserts": clause ids of the scenario's own "clauses" (every
// kind's body lets the key through, so that a step that only acts is told
// why it cannot carry one).
std::vector<std::string> readAsserts(const Node& node, const std::string& kind,
                                     const Scenario& scenario) {
  auto body = node.field(kind);
  auto asserts = body.raw().is_object() ? body.optional("asserts") : std::nullopt;
  if (!asserts) return {};
  if (!observes(kind)) asserts->fail("a " + kind + " step observes nothing, so it asserts nothing");
  std::vector<std::string> ids;
  for (const auto& item : asserts->array()) {
    const std::string id = item.str();
    if (std::find(scenario.clauses.begin(), scenario.clauses.end(), id) == scenario.clauses.end()) {
      item.fail("clause '" + id + "' is not one of the scenario's $.clauses");
    }
    ids.push_back(id);
  }
  if (ids.empty()) asserts->fail("expected at least one clause id");
  return ids;
}

Step readStep(const Node& node, Context& context, std::string* kind_out) {
  node.object();
  if (node.raw().size() != 1) {
    node.fail("expected exactly one step kind, e.g. {\"launch\": {...}}");
  }
  const std::string kind = node.raw().begin().key();
  *kind_out = kind;
  Node body = node.field(kind);
  auto framework = [&] {
    Node name = body.field("framework");
    context.framework(name);
    return name.str();
  };
  if (kind == "create") {
    body.only({"framework", "volumes", "reserve", "agent", "asserts"});
    CreateStep step;
    step.framework = framework();
    step.volumes = context.volumes(body.field("volumes"));
    if (auto reserve = body.optional("reserve")) step.reserve = reserve->boolean();
    step.agent = context.agent(body.optional("agent"));
    return step;
  }
  if (kind == "await_offer") {
    body.only({"framework", "with", "without", "agent", "asserts"});
    AwaitOfferStep step;
    step.framework = framework();
    if (auto with = body.optional("with")) step.with = context.volumes(*with);
    if (auto without = body.optional("without")) step.without = context.volumes(*without);
    step.agent = context.agent(body.optional("agent"));
    return step;
  }
  if (kind == "launch") {
    body.only({"framework", "tasks", "asserts"});
    LaunchStep step;
    step.framework = framework();
    auto tasks = body.field("tasks").array();
    if (tasks.empty()) body.field("tasks").fail("expected at least one task");
    for (const auto& task : tasks) step.tasks.push_back(readTask(task, context));
    return step;
  }
  if (kind == "await_task") {
    body.only({"framework", "task", "state", "asserts"});
    AwaitTaskStep step;
    step.framework = framework();
    context.task(body.field("task"));
    step.task = body.field("task").str();
    Node state = body.field("state");
    step.states = state.raw().is_array() ? state.strings() : std::vector{state.str()};
    for (const auto& name : step.states) {
      if (!taskStates().count(name)) state.fail("unknown task state '" + name + "'");
    }
    return step;
  }
  if (kind == "await_file") {
    body.only({"task", "file", "content", "asserts"});
    context.task(body.field("task"));
    AwaitFileStep step;
    step.task = body.field("task").str();
    step.file = body.field("file").str();
    if (auto content = body.optional("content")) step.content = content->str();
    return step;
  }
  if (kind == "destroy") {
    body.only({"framework", "volumes", "expect", "agent", "asserts"});
    DestroyStep step;
    step.framework = framework();
    step.volumes = context.volumes(body.field("volumes"));
    step.expect = body.field("expect").str();
    if (step.expect != "refused" && step.expect != "destroyed") {
      body.field("expect").fail("expected \"refused\" or \"destroyed\"");
    }
    step.agent = context.agent(body.optional("agent"));
    return step;
  }
  if (kind == "volume_file") {
    body.only({"volume", "file", "content", "absent", "agent", "asserts"});
    context.volume(body.field("volume"));
    VolumeFileStep step;
    step.volume = body.field("volume").str();
    step.file = body.field("file").str();
    bool absent = false;
    if (auto flag = body.optional("absent")) absent = flag->boolean();
    if (auto content = body.optional("content")) {
      if (absent) body.fail("'content' and 'absent' exclude each other");
      step.content = content->str();
    } else if (!absent) {
      body.fail("expected 'content' (the file's text) or \"absent\": true");
    }
    step.agent = context.agent(body.optional("agent"));
    return step;
  }
  if (kind == "volume_gone") {
    body.only({"volume", "agent", "asserts"});
    context.volume(body.field("volume"));
    VolumeGoneStep step;
    step.volume = body.field("volume").str();
    step.agent = context.agent(body.optional("agent"));
    return step;
  }
  if (kind == "kill") {
    body.only({"framework", "task", "asserts"});
    KillStep step;
    step.framework = framework();
    context.task(body.field("task"));
    step.task = body.field("task").str();
    return step;
  }
  if (kind == "restart_agent") {
    body.only({"agent", "crash", "asserts"});
    RestartAgentStep step;
    step.agent = context.agent(body.optional("agent"));
    if (auto crash = body.optional("crash")) step.crash = crash->boolean();
    return step;
  }
  if (kind == "restart_master") {
    body.only({"crash", "asserts"});
    RestartMasterStep step;
    if (auto crash = body.optional("crash")) step.crash = crash->boolean();
    return step;
  }
  if (kind == "teardown") {
    body.only({"framework", "asserts"});
    TeardownStep step;
    step.framework = framework();
    return step;
  }
  node.fail("unknown step kind '" + kind +
            "' (expected one of: create, await_offer, launch, await_task, await_file, destroy, "
            "volume_file, volume_gone, kill, restart_agent, restart_master, teardown)");
}

}  // namespace

Scenario loadScenario(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw ScenarioError(file.string() + ": cannot be read");
  std::stringstream text;
  text << in.rdbuf();
  json document;
  try {
    document = json::parse(text.str());
  } catch (const json::parse_error& e) {
    std::string what = e.what();
    throw ScenarioError(file.string() + ": not valid JSON: " + what.substr(what.find(' ') + 1));
  }
  Scenario scenario;
  scenario.file = file;
  Node root(document, "$", scenario.file);
  root.only(
      {"name", "description", "mirrors", "clauses", "agents", "frameworks", "volumes", "steps"});
  scenario.name = root.field("name").str();
  if (!identifier(scenario.name)) {
    root.field("name").fail("expected a name of letters, digits and _ (it names the check)");
  }
  if (auto description = root.optional("description")) scenario.description = description->str();
  if (auto mirrors = root.optional("mirrors")) scenario.mirrors = mirrors->str();
  scenario.clauses = root.field("clauses").strings();
  if (scenario.clauses.empty()) root.field("clauses").fail("expected at least one clause id");
  if (auto agents = root.optional("agents")) {
    scenario.agents = agents->index();
    if (scenario.agents < 1) agents->fail("expected at least 1 agent");
  }
  for (auto& [name, decl] : root.field("frameworks").members()) {
    decl.only({"role", "capabilities"});
    FrameworkDecl framework;
    framework.name = name;
    framework.role = decl.field("role").str();
    if (!roleLike(framework.role)) decl.field("role").fail("expected a role name");
    if (auto capabilities = decl.optional("capabilities")) {
      for (const auto& item : capabilities->array()) {
        mesos::v1::FrameworkInfo::Capability::Type type;
        if (!mesos::v1::FrameworkInfo::Capability::Type_Parse(item.str(), &type)) {
          item.fail("unknown framework capability '" + item.str() + "'");
        }
        framework.capabilities.push_back(type);
      }
    } else {
      framework.capabilities = {mesos::v1::FrameworkInfo::Capability::MULTI_ROLE,
                                mesos::v1::FrameworkInfo::Capability::RESERVATION_REFINEMENT,
                                mesos::v1::FrameworkInfo::Capability::SHARED_RESOURCES};
    }
    scenario.frameworks.push_back(framework);
  }
  if (scenario.frameworks.empty()) root.field("frameworks").fail("expected at least one framework");
  if (auto volumes = root.optional("volumes")) {
    for (auto& [name, decl] : volumes->members()) {
      decl.only({"size", "shared", "path"});
      VolumeDecl volume;
      volume.name = name;
      if (!identifier(name)) decl.fail("volume names are letters, digits and _");
      if (auto size = decl.optional("size")) volume.size = size->positive();
      if (auto shared = decl.optional("shared")) volume.shared = shared->boolean();
      if (auto path = decl.optional("path")) volume.path = path->str();
      scenario.volumes[name] = volume;
    }
  }
  Context context{&scenario, {}};
  auto steps = root.field("steps").array();
  if (steps.empty()) root.field("steps").fail("expected at least one step");
  for (std::size_t i = 0; i < steps.size(); ++i) {
    std::string kind;
    scenario.steps.push_back(readStep(steps[i], context, &kind));
    scenario.step_names.push_back("steps[" + std::to_string(i) + "]." + kind);
    scenario.step_asserts.push_back(readAsserts(steps[i], kind, scenario));
  }
  // A clause the scenario names is one some step asserts: the check can
  // only record evidence that a step gives.
  for (const auto& id : scenario.clauses) {
    bool asserted = false;
    for (const auto& ids : scenario.step_asserts) {
      asserted |= std::find(ids.begin(), ids.end(), id) != ids.end();
    }
    if (!asserted) {
      root.field("clauses").fail("no step asserts clause '" + id +
                                 "' (give the steps that show it \"asserts\": [\"" + id + "\"])");
    }
  }
  return scenario;
}

std::vector<Scenario> loadScenarios(const std::filesystem::path& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    throw ScenarioError(dir.string() + ": no such scenario directory");
  }
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<Scenario> scenarios;
  std::set<std::string> names;
  for (const auto& file : files) {
    scenarios.push_back(loadScenario(file));
    if (!names.insert(scenarios.back().name).second) {
      throw ScenarioError(file.string() + ": $.name: another scenario is already named '" +
                          scenarios.back().name + "'");
    }
  }
  return scenarios;
}

}  // namespace svh::harness::scenario
