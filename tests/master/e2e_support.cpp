#include "tests/master/e2e_support.hpp"

#include <unistd.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "harness/util/eventually.hpp"
#include "harness/wire/json_codec.hpp"

namespace svh::master::test {

std::filesystem::path binary(const std::string& name) {
  return std::filesystem::path(SVH_BIN_DIR) / name;
}

MasterUnderTest::MasterUnderTest(std::vector<std::string> args) {
  char pattern[] = "/tmp/svh-master-test-XXXXXX";
  char* made = mkdtemp(pattern);
  if (!made) throw std::runtime_error("cannot create a temporary directory");
  dir_ = made;
  std::vector<std::string> all = {"--ip=127.0.0.1", "--port=0", "--allocation_interval=50ms",
                                  "--verbose"};
  all.insert(all.end(), args.begin(), args.end());
  process_ = std::make_unique<harness::ChildProcess>("svh-master", binary("svh-master"), all,
                                                     dir_ / "master.log");
  auto rest = process_->awaitLine("svh-master ready at ", std::chrono::seconds(30));
  auto url = http::Url::parse(rest.substr(0, rest.find(' ')));
  if (!url) throw std::runtime_error("unreadable master address: " + rest);
  url_ = *url;
}

MasterUnderTest::~MasterUnderTest() {
  process_.reset();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

wire::Upid MasterUnderTest::upid() const {
  return wire::Upid{"master", url_.host, url_.port};
}

std::string MasterUnderTest::log() const {
  std::ifstream in(dir_ / "master.log");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

mesos::v1::FrameworkInfo frameworkInfo(const std::vector<std::string>& roles,
                                       const std::vector<Capability::Type>& capabilities) {
  mesos::v1::FrameworkInfo info;
  info.set_user("root");
  info.set_name("master-e2e");
  for (const auto& role : roles) info.add_roles(role);
  info.add_capabilities()->set_type(Capability::MULTI_ROLE);
  for (auto type : capabilities) info.add_capabilities()->set_type(type);
  return info;
}

std::unique_ptr<harness::SchedulerClient> subscribe(const MasterUnderTest& master,
                                                    const mesos::v1::FrameworkInfo& info,
                                                    ContentType type, const std::string& path) {
  harness::SchedulerOptions options;
  options.master = master.url();
  options.path = path;
  options.framework = info;
  options.content_type = type;
  auto client = std::make_unique<harness::SchedulerClient>(options);
  client->subscribe();
  return client;
}

mesos::v1::Offer awaitOffer(harness::SchedulerClient& framework,
                            const std::function<bool(const mesos::v1::Offer&)>& match,
                            const std::string& what, std::chrono::milliseconds timeout) {
  mesos::v1::Offer found;
  framework.await(
      [&](const Event& event) {
        if (event.type() != Event::OFFERS) return false;
        for (const auto& offer : event.offers().offers()) {
          if (match(offer)) {
            found = offer;
            return true;
          }
        }
        return false;
      },
      timeout, what);
  return found;
}

Event awaitEvent(harness::SchedulerClient& framework, Event::Type type,
                 const std::function<bool(const Event&)>& match, const std::string& what,
                 std::chrono::milliseconds timeout) {
  return framework.await(
      [&](const Event& event) { return event.type() == type && (!match || match(event)); }, timeout,
      what);
}

fakes::Resources offered(const mesos::v1::Offer& offer) {
  return fakes::Resources(offer.resources());
}

bool offerHasVolume(const mesos::v1::Offer& offer, const std::string& persistence_id) {
  for (const auto& resource : offer.resources()) {
    if (resource.has_disk() && resource.disk().persistence().id() == persistence_id) return true;
  }
  return false;
}

mesos::v1::Resource scalar(const std::string& name, double value, const std::string& role,
                           const std::string& principal) {
  mesos::v1::Resource resource;
  resource.set_name(name);
  resource.set_type(mesos::v1::Value::SCALAR);
  resource.mutable_scalar()->set_value(value);
  if (!role.empty()) {
    auto* reservation = resource.add_reservations();
    reservation->set_type(principal.empty() ? mesos::v1::Resource::ReservationInfo::STATIC
                                            : mesos::v1::Resource::ReservationInfo::DYNAMIC);
    reservation->set_role(role);
    if (!principal.empty()) reservation->set_principal(principal);
  }
  return resource;
}

mesos::v1::Resource volume(double size, const std::string& role, const std::string& id, bool shared,
                           const std::string& principal, mesos::v1::Volume::Mode mode) {
  auto resource = scalar("disk", size, role, principal);
  resource.mutable_disk()->mutable_persistence()->set_id(id);
  if (!principal.empty()) resource.mutable_disk()->mutable_persistence()->set_principal(principal);
  resource.mutable_disk()->mutable_volume()->set_container_path("data");
  resource.mutable_disk()->mutable_volume()->set_mode(mode);
  if (shared) resource.mutable_shared();
  return resource;
}

Call acceptCall(const mesos::v1::Offer& offer, const std::vector<Operation>& operations,
                double refuse_seconds) {
  Call call;
  call.set_type(Call::ACCEPT);
  *call.mutable_accept()->add_offer_ids() = offer.id();
  for (const auto& operation : operations) *call.mutable_accept()->add_operations() = operation;
  call.mutable_accept()->mutable_filters()->set_refuse_seconds(refuse_seconds);
  return call;
}

Call declineCall(const mesos::v1::Offer& offer, double refuse_seconds) {
  Call call;
  call.set_type(Call::DECLINE);
  *call.mutable_decline()->add_offer_ids() = offer.id();
  call.mutable_decline()->mutable_filters()->set_refuse_seconds(refuse_seconds);
  return call;
}

Operation reserveOp(const std::vector<mesos::v1::Resource>& resources) {
  Operation operation;
  operation.set_type(Operation::RESERVE);
  for (const auto& r : resources) *operation.mutable_reserve()->add_resources() = r;
  return operation;
}

Operation createOp(const std::vector<mesos::v1::Resource>& volumes) {
  Operation operation;
  operation.set_type(Operation::CREATE);
  for (const auto& r : volumes) *operation.mutable_create()->add_volumes() = r;
  return operation;
}

Operation destroyOp(const std::vector<mesos::v1::Resource>& volumes) {
  Operation operation;
  operation.set_type(Operation::DESTROY);
  for (const auto& r : volumes) *operation.mutable_destroy()->add_volumes() = r;
  return operation;
}

Operation launchOp(const std::vector<mesos::v1::TaskInfo>& tasks) {
  Operation operation;
  operation.set_type(Operation::LAUNCH);
  for (const auto& t : tasks) *operation.mutable_launch()->add_task_infos() = t;
  return operation;
}

mesos::v1::TaskInfo task(const std::string& id, const std::string& agent_id,
                         const std::vector<mesos::v1::Resource>& resources,
                         const std::string& command) {
  mesos::v1::TaskInfo info;
  info.set_name(id);
  info.mutable_task_id()->set_value(id);
  info.mutable_agent_id()->set_value(agent_id);
  for (const auto& r : resources) *info.add_resources() = r;
  info.mutable_command()->set_value(command);
  return info;
}

std::string resourceArray(const std::vector<mesos::v1::Resource>& resources) {
  std::string out = "[";
  for (const auto& r : resources) {
    if (out.size() > 1) out += ",";
    out += wire::toJsonString(r);
  }
  return out + "]";
}

nlohmann::ordered_json getOrdered(const MasterUnderTest& master, const std::string& path) {
  http::Client client(master.url().host, master.url().port);
  auto answer = client.get(path);
  if (answer.result_int() != 200) {
    throw std::runtime_error("GET " + path + " answered " + std::to_string(answer.result_int()));
  }
  return nlohmann::ordered_json::parse(answer.body());
}

bool eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  return util::eventually(done, timeout);
}

}  // namespace svh::master::test
