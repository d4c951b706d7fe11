#pragma once
// A scripted framework: what a check drives to tell its story.
//
//   Framework fw(master, {.role = "eng"});
//   fw.subscribe();
//   auto offer = fw.awaitOffer(hasSharedVolume("v1"), "an offer with shared v1");
//   fw.accept(offer, {launch({writer, reader})});
//   fw.awaitTaskState(writer.taskId(), {TASK_RUNNING});
//
// Every wait has a deadline and, when it runs out, says what it awaited and
// what arrived instead. Offers a wait does not want are declined with no
// filter, so their resources come back at the next allocation cycle. A
// framework holds only the offer an awaitOffer returned to it: offers that
// arrive while it is not waiting for one are declined on arrival, so an
// idle framework never holds resources another one is waiting for.

#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "harness/client/scheduler_client.hpp"
#include "harness/scenario/builders.hpp"
#include "harness/scenario/offer_matchers.hpp"

namespace svh::harness {

using TaskState = mesos::v1::TaskState;
using TaskStatus = mesos::v1::TaskStatus;
using Capability = mesos::v1::FrameworkInfo::Capability;

inline constexpr std::chrono::milliseconds kDefaultWait{15000};

struct FrameworkSpec {
  std::string name = "svharness";
  std::string role = "*";
  std::string principal = "svharness";
  std::vector<Capability::Type> capabilities = {
      Capability::MULTI_ROLE, Capability::RESERVATION_REFINEMENT, Capability::SHARED_RESOURCES};
  ContentType content_type = ContentType::kJson;
  double failover_timeout = 0;
  // FrameworkInfo.user: what its tasks run as unless they name a user.
  std::string user = "root";
  // Per-role minimum for an offer (FrameworkInfo.offer_filters), e.g.
  // {{"disk", 1}} lets a framework be offered a volume with nothing else.
  std::map<std::string, double> min_allocatable;
};

class Framework {
 public:
  Framework(http::Url master, FrameworkSpec spec);
  ~Framework();  // tears the framework down if still subscribed

  void subscribe();
  // Subscribes again with this framework's id (a failover, e.g. after the
  // master restarted); outstanding offers are forgotten. With
  // `capabilities`, the FrameworkInfo sent says those instead (SV-CAP-4).
  void resubscribe(std::optional<std::vector<Capability::Type>> capabilities = std::nullopt);
  // UPDATE_FRAMEWORK (Mesos 1.9+): the same FrameworkInfo with these
  // capabilities. Returns the master's answer (200 when it took it).
  http::Response update(const std::vector<Capability::Type>& capabilities);
  const std::string& id() const { return client_.frameworkId(); }
  const FrameworkSpec& spec() const { return spec_; }
  SchedulerClient& client() { return client_; }

  // The first offer (outstanding or new) that satisfies `match`; every other
  // offer held is declined.
  Offer awaitOffer(const OfferMatch& match, const std::string& what,
                   std::chrono::milliseconds timeout = kDefaultWait);
  // Absence, fenced positively (SPEC 0): each offer received must not satisfy
  // `forbidden` until one satisfying `fence` arrives, which is returned (it
  // must not be forbidden either), unless the master rescinded it before the
  // fence (an offer it made before acting on an ACCEPT in flight). Throws
  // CheckFailure naming the offending offer.
  Offer awaitOfferWithout(const OfferMatch& forbidden, const std::string& forbidden_what,
                          const OfferMatch& fence, const std::string& fence_what,
                          std::chrono::milliseconds timeout = kDefaultWait);
  // Declines every outstanding offer: later waits see only newer offers.
  void declineOutstanding();
  // Returns once the master has rescinded `offer`. Throws AwaitTimeout.
  void awaitRescind(const Offer& offer, std::chrono::milliseconds timeout = kDefaultWait);
  // Whether a RESCIND of `offer` has arrived so far (taken or not).
  bool wasRescinded(const Offer& offer) const;

  void accept(const Offer& offer, std::vector<Operation> operations, double refuse_seconds = 0);
  void decline(const Offer& offer, double refuse_seconds = 0);
  void kill(const std::string& task_id, const std::string& agent_id);
  // Clears every offer filter this framework set (REVIVE).
  void revive();
  void teardown();

  // The first status of `task_id` in `states` (earlier ones are kept in
  // statuses()). Throws AwaitTimeout listing the task's statuses so far.
  TaskStatus awaitTaskState(const std::string& task_id, const std::set<TaskState>& states,
                            std::chrono::milliseconds timeout = kDefaultWait);
  // Every status received for `task_id`, in order.
  std::vector<TaskStatus> statuses(const std::string& task_id) const;

 private:
  // Takes one event (waiting up to `timeout`) and files it; false if none.
  bool pump(std::chrono::milliseconds timeout);

  FrameworkSpec spec_;
  SchedulerClient client_;
  std::vector<Offer> outstanding_;
  std::map<std::string, std::vector<TaskStatus>> statuses_;
  std::map<std::string, std::size_t> seen_;  // statuses already returned per task
  std::set<std::string> rescinded_;          // ids of offers the master rescinded
  bool subscribed_ = false;
};

// "TASK_FAILED (Command exited with status 1)", for failure messages.
std::string describe(const TaskStatus& status);

// A check's expectation did not hold (the master is non-conformant), as
// opposed to AwaitTimeout / HarnessError.
class CheckFailure : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace svh::harness
