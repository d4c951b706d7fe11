#pragma once
// A Mesos v1 scheduler API client: SUBSCRIBE over a RecordIO event stream
// (JSON or protobuf), calls on a second persistent connection with the
// Mesos-Stream-Id header, and every event kept in order for the harness to
// examine. UPDATEs that carry a uuid are acknowledged automatically; those
// without one (made by the master) never are (PROTOCOL.md 1.5).

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "harness/http/client.hpp"
#include "harness/wire/recordio.hpp"
#include "mesos/v1/scheduler/scheduler.pb.h"

namespace svh::harness {

using Event = mesos::v1::scheduler::Event;
using Call = mesos::v1::scheduler::Call;
using Clock = std::chrono::steady_clock;

enum class ContentType { kJson, kProtobuf };

// The harness could not do what a check asked (not a verdict on the master).
class HarnessError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A wait ran out: says what was awaited and what arrived instead.
class AwaitTimeout : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct SchedulerOptions {
  http::Url master;  // e.g. http://127.0.0.1:5050
  std::string path = "/api/v1/scheduler";
  mesos::v1::FrameworkInfo framework;
  ContentType content_type = ContentType::kJson;
  bool auto_acknowledge = true;
  std::chrono::milliseconds call_timeout{15000};
};

class SchedulerClient {
 public:
  explicit SchedulerClient(SchedulerOptions options);
  ~SchedulerClient();  // closes the stream
  SchedulerClient(const SchedulerClient&) = delete;
  SchedulerClient& operator=(const SchedulerClient&) = delete;

  // Subscribes and waits for SUBSCRIBED. Throws HarnessError when the master
  // answers with ERROR, an HTTP error, or nothing within `timeout`.
  void subscribe(std::chrono::milliseconds timeout = std::chrono::seconds(15));
  // Closes the event stream (the master sees the framework disconnect).
  void disconnect();

  const std::string& frameworkId() const { return framework_id_; }
  const std::string& streamId() const { return stream_id_; }
  const SchedulerOptions& options() const { return options_; }
  // What the next subscribe() sends (a re-subscription may change it).
  mesos::v1::FrameworkInfo& frameworkInfo() { return options_.framework; }

  // Sends a call for this framework (framework_id and Mesos-Stream-Id are
  // filled in) and returns the HTTP answer. Throws http::HttpError.
  http::Response send(Call call);
  // Like send(), and throws HarnessError unless the answer is 202.
  void call(Call call);

  // The next event not yet taken that satisfies `match`, waiting until
  // `timeout`. Events before it that do not match stay available to later
  // waits. Throws AwaitTimeout naming `what` and the events seen meanwhile.
  Event await(const std::function<bool(const Event&)>& match, std::chrono::milliseconds timeout,
              const std::string& what);
  // Takes the next event, whatever it is; nullopt at the deadline.
  std::optional<Event> next(std::chrono::milliseconds timeout);
  // While on, offers are declined as they arrive instead of being queued,
  // with a filter of kIdleRefuseSeconds: a framework that is not waiting for
  // an offer then never holds resources another framework is waiting for.
  // They still appear in history().
  void declineNewOffers(bool on);
  static constexpr double kIdleRefuseSeconds = 3600;
  // Whether offers were declined that way since the last call: the
  // framework must REVIVE before it waits for an offer again.
  bool takeRefusals();

  // Every event received so far, in order.
  std::vector<Event> history() const;
  // Why the stream ended, or empty while it is open.
  std::string streamEnd() const;

 private:
  void checkRunAliveUnlocked(std::unique_lock<std::mutex>& lock);
  void onData(std::string_view bytes);
  void onEnd(const std::string& why);
  void acknowledge(const mesos::v1::TaskStatus& status);
  void decline(const std::vector<mesos::v1::OfferID>& offers);

  SchedulerOptions options_;
  std::unique_ptr<http::Client> calls_;
  std::mutex calls_mutex_;  // one call at a time on the call connection
  std::unique_ptr<http::StreamingCall> stream_;
  std::string framework_id_;
  std::string stream_id_;

  mutable std::mutex mutex_;  // guards everything below
  std::condition_variable arrived_;
  wire::RecordIODecoder decoder_;
  std::deque<Event> pending_;  // received, not yet taken
  std::vector<Event> history_;
  std::string end_;
  bool ended_ = false;
  std::string decode_error_;
  std::mutex decline_mutex_;  // orders declines on arrival against declineNewOffers()
  std::atomic<bool> decline_offers_{false};
  std::atomic<bool> refusing_{false};
};

// One line describing an event for failure messages.
std::string describe(const Event& event);

}  // namespace svh::harness
