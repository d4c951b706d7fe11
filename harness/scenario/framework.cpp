#include "harness/scenario/framework.hpp"

#include "harness/scenario/ledger.hpp"

#include "harness/scenario/cleanup.hpp"
#include "harness/wire/task_states.hpp"

namespace svh::harness {

namespace {

SchedulerOptions optionsFor(http::Url master, const FrameworkSpec& spec) {
  SchedulerOptions options;
  options.master = std::move(master);
  options.content_type = spec.content_type;
  auto& info = options.framework;
  info.set_user(spec.user);
  info.set_name(spec.name);
  if (!spec.principal.empty()) info.set_principal(spec.principal);
  info.set_failover_timeout(spec.failover_timeout);
  bool multi_role = false;
  for (auto type : spec.capabilities) {
    info.add_capabilities()->set_type(type);
    multi_role |= type == Capability::MULTI_ROLE;
  }
  if (multi_role) {
    info.add_roles(spec.role);
  } else {
    info.set_role(spec.role);
  }
  if (!spec.min_allocatable.empty()) {
    auto& filters = (*info.mutable_offer_filters())[spec.role];
    auto* quantities = filters.mutable_min_allocatable_resources()->add_quantities();
    for (const auto& [name, value] : spec.min_allocatable) {
      (*quantities->mutable_quantities())[name].set_value(value);
    }
  }
  return options;
}

}  // namespace

Framework::Framework(http::Url master, FrameworkSpec spec)
    : spec_(std::move(spec)), client_(optionsFor(std::move(master), spec_)) {
  // The running check gives the role back when it ends (ledger.hpp); the
  // framework that does so is made while no ledger is current.
  if (auto* ledger = currentLedger(); ledger && spec_.role != "*") ledger->addRole(spec_.role);
}

Framework::~Framework() {
  if (!subscribed_) return;
  try {
    teardown();
  } catch (...) {
    // The check has already failed or the master is gone; the cluster
    // teardown takes care of the rest.
  }
}

void Framework::subscribe() {
  client_.declineNewOffers(true);
  client_.subscribe();
  subscribed_ = true;
}

void Framework::resubscribe(std::optional<std::vector<Capability::Type>> capabilities) {
  outstanding_.clear();
  if (capabilities) {
    spec_.capabilities = *capabilities;
    auto& info = client_.frameworkInfo();
    info.clear_capabilities();
    for (auto type : *capabilities) info.add_capabilities()->set_type(type);
  }
  client_.subscribe();
  subscribed_ = true;
}

http::Response Framework::update(const std::vector<Capability::Type>& capabilities) {
  Call call;
  call.set_type(Call::UPDATE_FRAMEWORK);
  auto* info = call.mutable_update_framework()->mutable_framework_info();
  *info = client_.frameworkInfo();
  info->mutable_id()->set_value(id());
  info->clear_capabilities();
  for (auto type : capabilities) info->add_capabilities()->set_type(type);
  auto response = client_.send(call);
  if (response.result() == http::bhttp::status::ok) {
    spec_.capabilities = capabilities;
    client_.frameworkInfo().clear_capabilities();
    for (auto type : capabilities) client_.frameworkInfo().add_capabilities()->set_type(type);
  }
  return response;
}

bool Framework::pump(std::chrono::milliseconds timeout) {
  auto event = client_.next(timeout);
  if (!event) return false;
  switch (event->type()) {
    case Event::OFFERS:
      for (const auto& offer : event->offers().offers()) outstanding_.push_back(offer);
      break;
    case Event::RESCIND: {
      const auto& id = event->rescind().offer_id().value();
      std::erase_if(outstanding_, [&](const Offer& offer) { return offer.id().value() == id; });
      rescinded_.insert(id);
      break;
    }
    case Event::UPDATE:
      statuses_[event->update().status().task_id().value()].push_back(event->update().status());
      break;
    default:
      break;
  }
  return true;
}

Offer Framework::awaitOffer(const OfferMatch& match, const std::string& what,
                            std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  std::vector<std::string> declined;
  // Offers arrive here only while this wait runs; see the header.
  client_.declineNewOffers(false);
  if (client_.takeRefusals()) revive();
  struct Idle {
    SchedulerClient& client;
    ~Idle() { client.declineNewOffers(true); }
  } idle{client_};
  while (true) {
    for (std::size_t i = 0; i < outstanding_.size(); ++i) {
      if (!match(outstanding_[i])) continue;
      Offer chosen = outstanding_[i];
      outstanding_.erase(outstanding_.begin() + static_cast<long>(i));
      declineOutstanding();
      return chosen;
    }
    for (const auto& offer : outstanding_) {
      declined.push_back(describe(offer));
      decline(offer);
    }
    outstanding_.clear();
    auto now = Clock::now();
    if (now >= deadline) break;
    pump(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now));
    if (!client_.streamEnd().empty()) break;
  }
  std::string message = "waited " + std::to_string(timeout.count()) + "ms for " + what;
  if (!client_.streamEnd().empty()) message += " (event stream ended: " + client_.streamEnd() + ")";
  if (declined.empty()) {
    message += "; no offers arrived";
  } else {
    message += "; offers received instead:";
    std::size_t shown = 0;
    for (auto it = declined.rbegin(); it != declined.rend() && shown < 5; ++it, ++shown) {
      message += "\n    " + *it;
    }
    if (declined.size() > shown) {
      message += "\n    (" + std::to_string(declined.size() - shown) + " earlier)";
    }
  }
  throw AwaitTimeout(message);
}

Offer Framework::awaitOfferWithout(const OfferMatch& forbidden, const std::string& forbidden_what,
                                   const OfferMatch& fence, const std::string& fence_what,
                                   std::chrono::milliseconds timeout) {
  // An offer the master made before it acted on what the check sent (an
  // ACCEPT still in flight when the offer left) may hold what is forbidden,
  // if the master then takes it back: its RESCIND comes before the fence.
  // One that is never rescinded is a violation.
  std::vector<Offer> forbidden_seen;
  auto checked = [&](const Offer& offer) {
    if (forbidden(offer)) {
      forbidden_seen.push_back(offer);
      return false;
    }
    return fence(offer);
  };
  Offer fenced = awaitOffer(checked, fence_what + " without " + forbidden_what, timeout);
  for (const auto& offer : forbidden_seen) {
    if (!wasRescinded(offer)) {
      throw CheckFailure("offer " + describe(offer) + " has " + forbidden_what +
                         " (expected no such offer before " + fence_what +
                         ", or its rescind before that)");
    }
  }
  return fenced;
}

void Framework::awaitRescind(const Offer& offer, std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (rescinded_.count(offer.id().value()) == 0) {
    auto now = Clock::now();
    if (now >= deadline || !client_.streamEnd().empty()) {
      throw AwaitTimeout("waited " + std::to_string(timeout.count()) + "ms for offer " +
                         describe(offer) + " to be rescinded");
    }
    pump(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now));
  }
}

bool Framework::wasRescinded(const Offer& offer) const {
  if (rescinded_.count(offer.id().value()) > 0) return true;
  for (const auto& event : client_.history()) {
    if (event.type() == Event::RESCIND &&
        event.rescind().offer_id().value() == offer.id().value()) {
      return true;
    }
  }
  return false;
}

void Framework::revive() {
  Call call;
  call.set_type(Call::REVIVE);
  client_.call(std::move(call));
}

void Framework::declineOutstanding() {
  for (const auto& offer : outstanding_) decline(offer);
  outstanding_.clear();
}

void Framework::accept(const Offer& offer, std::vector<Operation> operations,
                       double refuse_seconds) {
  Call call;
  call.set_type(Call::ACCEPT);
  *call.mutable_accept()->add_offer_ids() = offer.id();
  for (auto& operation : operations) {
    // Mesos wants a task group's executor to name its framework.
    if (operation.type() == Operation::LAUNCH_GROUP) {
      auto* executor = operation.mutable_launch_group()->mutable_executor();
      if (!executor->has_framework_id()) executor->mutable_framework_id()->set_value(id());
    }
    *call.mutable_accept()->add_operations() = operation;
  }
  call.mutable_accept()->mutable_filters()->set_refuse_seconds(refuse_seconds);
  client_.call(std::move(call));
}

void Framework::decline(const Offer& offer, double refuse_seconds) {
  Call call;
  call.set_type(Call::DECLINE);
  *call.mutable_decline()->add_offer_ids() = offer.id();
  call.mutable_decline()->mutable_filters()->set_refuse_seconds(refuse_seconds);
  client_.call(std::move(call));
}

void Framework::kill(const std::string& task_id, const std::string& agent_id) {
  Call call;
  call.set_type(Call::KILL);
  call.mutable_kill()->mutable_task_id()->set_value(task_id);
  call.mutable_kill()->mutable_agent_id()->set_value(agent_id);
  client_.call(std::move(call));
}

void Framework::teardown() {
  if (!subscribed_) return;
  subscribed_ = false;
  Call call;
  call.set_type(Call::TEARDOWN);
  client_.call(std::move(call));
  client_.disconnect();
}

TaskStatus Framework::awaitTaskState(const std::string& task_id, const std::set<TaskState>& states,
                                     std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  // A task that ended some other way can never get there: say so at once
  // instead of waiting out the deadline. (TASK_LOST and TASK_UNREACHABLE are
  // not final: the task may still be reconciled.)
  std::optional<TaskStatus> ended_otherwise;
  while (!ended_otherwise) {
    auto& list = statuses_[task_id];
    for (std::size_t i = seen_[task_id]; i < list.size(); ++i) {
      if (states.count(list[i].state())) {
        seen_[task_id] = i + 1;
        return list[i];
      }
      if (wire::isFinalState(list[i].state())) ended_otherwise = list[i];
    }
    auto now = Clock::now();
    if (ended_otherwise || now >= deadline || !client_.streamEnd().empty()) break;
    pump(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now));
  }
  std::string wanted;
  for (auto state : states)
    wanted += (wanted.empty() ? "" : "|") + mesos::v1::TaskState_Name(state);
  std::string seen;
  for (const auto& status : statuses_[task_id]) {
    seen += " " + mesos::v1::TaskState_Name(status.state());
    if (status.has_message()) seen += "(" + status.message() + ")";
  }
  std::string message =
      ended_otherwise
          ? "task " + task_id + " ended as " + mesos::v1::TaskState_Name(ended_otherwise->state()) +
                " while waiting for " + wanted + "; its updates:" + seen
          : "waited " + std::to_string(timeout.count()) + "ms for task " + task_id + " to reach " +
                wanted + "; its updates:" + (seen.empty() ? " none" : seen);
  if (!client_.streamEnd().empty()) message += " (event stream ended: " + client_.streamEnd() + ")";
  throw AwaitTimeout(message);
}

std::vector<TaskStatus> Framework::statuses(const std::string& task_id) const {
  auto it = statuses_.find(task_id);
  return it == statuses_.end() ? std::vector<TaskStatus>{} : it->second;
}

std::string describe(const TaskStatus& status) {
  std::string text = mesos::v1::TaskState_Name(status.state());
  if (status.has_reason()) text += " " + TaskStatus::Reason_Name(status.reason());
  if (status.has_message()) text += " (" + status.message() + ")";
  return text;
}

}  // namespace svh::harness
