#include "harness/client/scheduler_client.hpp"

#include <algorithm>
#include <sstream>

#include "harness/util/run_liveness.hpp"
#include "harness/wire/json_codec.hpp"
#include "harness/wire/uuid.hpp"

namespace svh::harness {

namespace {

constexpr const char* kJson = "application/json";
constexpr const char* kProtobuf = "application/x-protobuf";

// How often a wait looks whether a process of the run died
// (run_liveness.hpp); events themselves wake it at once.
constexpr auto kLivenessSlice = std::chrono::milliseconds(100);

std::string ms(std::chrono::milliseconds duration) {
  std::ostringstream out;
  out << static_cast<double>(duration.count()) / 1000.0 << "s";
  return out.str();
}

}  // namespace

std::string describe(const Event& event) {
  std::string type = Event::Type_Name(event.type());
  switch (event.type()) {
    case Event::OFFERS: {
      std::string out = type + " [";
      for (int i = 0; i < event.offers().offers_size(); ++i) {
        const auto& offer = event.offers().offers(i);
        if (i > 0) out += ", ";
        out += offer.id().value() + ":";
        for (const auto& r : offer.resources()) {
          out += " " + r.name();
          if (r.has_disk() && r.disk().has_persistence()) {
            out += "(" + r.disk().persistence().id() + (r.has_shared() ? ",shared" : "") + ")";
          }
          if (r.type() == mesos::v1::Value::SCALAR) {
            std::ostringstream value;
            value << r.scalar().value();
            out += ":" + value.str();
          }
        }
      }
      return out + "]";
    }
    case Event::UPDATE: {
      const auto& status = event.update().status();
      std::string out =
          type + " " + status.task_id().value() + " " + mesos::v1::TaskState_Name(status.state());
      if (status.has_message()) out += " (" + status.message() + ")";
      return out;
    }
    case Event::RESCIND:
      return type + " " + event.rescind().offer_id().value();
    case Event::ERROR:
      return type + " " + event.error().message();
    default:
      return type;
  }
}

SchedulerClient::SchedulerClient(SchedulerOptions options)
    : options_(std::move(options)),
      calls_(std::make_unique<http::Client>(options_.master.host, options_.master.port)) {}

SchedulerClient::~SchedulerClient() {
  disconnect();
}

void SchedulerClient::subscribe(std::chrono::milliseconds timeout) {
  Call call;
  call.set_type(Call::SUBSCRIBE);
  *call.mutable_subscribe()->mutable_framework_info() = options_.framework;
  if (options_.framework.has_id()) *call.mutable_framework_id() = options_.framework.id();
  bool protobuf = options_.content_type == ContentType::kProtobuf;

  http::Request request{http::bhttp::verb::post, options_.path, 11};
  request.set(http::bhttp::field::content_type, protobuf ? kProtobuf : kJson);
  request.set(http::bhttp::field::accept, protobuf ? kProtobuf : kJson);
  request.body() = protobuf ? call.SerializeAsString() : wire::toJsonString(call);

  // On a re-subscription (say, after a master failover) whatever the old
  // stream delivered and nobody took belongs to the old subscription: an
  // offer from a master that is gone must not satisfy a later wait.
  disconnect();
  {
    std::lock_guard lock(mutex_);
    pending_.clear();
    ended_ = false;
    end_.clear();
    decoder_ = wire::RecordIODecoder();
  }
  http::StreamingCall::Callbacks callbacks;
  callbacks.on_header = [this](const http::bhttp::response_header<>& header) {
    std::lock_guard lock(mutex_);
    if (auto it = header.find("Mesos-Stream-Id"); it != header.end()) {
      stream_id_ = std::string(it->value());
    }
  };
  callbacks.on_data = [this](std::string_view bytes) { onData(bytes); };
  callbacks.on_end = [this](const std::string& why) { onEnd(why); };
  stream_ = std::make_unique<http::StreamingCall>(options_.master.host, options_.master.port,
                                                  std::move(request), std::move(callbacks));

  Event first;
  try {
    first = await(
        [](const Event& e) { return e.type() == Event::SUBSCRIBED || e.type() == Event::ERROR; },
        timeout, "SUBSCRIBED");
  } catch (const AwaitTimeout& e) {
    throw HarnessError(std::string("subscribe failed: ") + e.what());
  }
  if (first.type() == Event::ERROR) {
    throw HarnessError("subscribe refused by the master: " + first.error().message());
  }
  options_.framework.mutable_id()->set_value(first.subscribed().framework_id().value());
}

void SchedulerClient::disconnect() {
  if (stream_) {
    stream_->close();
    stream_.reset();
  }
}

void SchedulerClient::onData(std::string_view bytes) {
  // Held until the declines below have been sent: see declineNewOffers().
  std::lock_guard declining(decline_mutex_);
  std::vector<mesos::v1::TaskStatus> acks;
  std::vector<mesos::v1::OfferID> declines;
  {
    std::lock_guard lock(mutex_);
    decoder_.feed(bytes);
    while (auto record = decoder_.next()) {
      Event event;
      std::optional<std::string> error;
      if (options_.content_type == ContentType::kProtobuf) {
        if (!event.ParseFromString(*record)) error = "event is not a valid protobuf Event";
      } else {
        error = wire::parseJson(*record, &event);
      }
      if (error) {
        if (decode_error_.empty()) decode_error_ = *error;
        continue;
      }
      if (event.type() == Event::UPDATE && options_.auto_acknowledge &&
          event.update().status().has_uuid() && !event.update().status().uuid().empty()) {
        acks.push_back(event.update().status());
      }
      // Known at once, not only when subscribe() returns: calls made from
      // this thread (acknowledgements, declines) need it.
      if (event.type() == Event::SUBSCRIBED) {
        framework_id_ = event.subscribed().framework_id().value();
      }
      history_.push_back(event);
      if (event.type() == Event::OFFERS && decline_offers_) {
        for (const auto& offer : event.offers().offers()) declines.push_back(offer.id());
        continue;
      }
      pending_.push_back(std::move(event));
    }
    if (decoder_.failed() && decode_error_.empty()) decode_error_ = decoder_.error();
  }
  arrived_.notify_all();
  for (const auto& status : acks) acknowledge(status);
  if (!declines.empty()) decline(declines);
}

void SchedulerClient::declineNewOffers(bool on) {
  // Waits for a decline in flight: once this returns, every offer this
  // switch declined has reached the master, so a REVIVE sent next clears
  // its filter instead of preceding it.
  std::lock_guard declining(decline_mutex_);
  decline_offers_ = on;
}

bool SchedulerClient::takeRefusals() {
  return refusing_.exchange(false);
}

// With a long filter, not none: an allocator breaks DRF ties by name, so a
// framework that declined with no filter would be offered the same
// resources again at once, and one that sorts first would starve the
// others. takeRefusals() tells the framework to REVIVE when it wants offers.
void SchedulerClient::decline(const std::vector<mesos::v1::OfferID>& offers) {
  Call call;
  call.set_type(Call::DECLINE);
  for (const auto& id : offers) *call.mutable_decline()->add_offer_ids() = id;
  call.mutable_decline()->mutable_filters()->set_refuse_seconds(kIdleRefuseSeconds);
  refusing_ = true;
  try {
    send(std::move(call));
  } catch (const std::exception&) {
    // An offer not declined is rescinded or times out; nothing waits on it.
  }
}

void SchedulerClient::onEnd(const std::string& why) {
  {
    std::lock_guard lock(mutex_);
    ended_ = true;
    end_ = why.empty() ? "the master closed the event stream" : why;
  }
  arrived_.notify_all();
}

void SchedulerClient::acknowledge(const mesos::v1::TaskStatus& status) {
  Call ack;
  ack.set_type(Call::ACKNOWLEDGE);
  *ack.mutable_acknowledge()->mutable_agent_id() = status.agent_id();
  *ack.mutable_acknowledge()->mutable_task_id() = status.task_id();
  ack.mutable_acknowledge()->set_uuid(status.uuid());
  try {
    send(std::move(ack));
  } catch (const std::exception&) {
    // The update is resent by the agent and acknowledged then.
  }
}

http::Response SchedulerClient::send(Call call) {
  std::string stream_id;
  {
    std::lock_guard lock(mutex_);
    call.mutable_framework_id()->set_value(framework_id_);
    stream_id = stream_id_;
  }
  bool protobuf = options_.content_type == ContentType::kProtobuf;
  http::Request request{http::bhttp::verb::post, options_.path, 11};
  request.set(http::bhttp::field::content_type, protobuf ? kProtobuf : kJson);
  request.set(http::bhttp::field::accept, protobuf ? kProtobuf : kJson);
  request.set("Mesos-Stream-Id", stream_id);
  request.body() = protobuf ? call.SerializeAsString() : wire::toJsonString(call);
  std::lock_guard lock(calls_mutex_);
  return calls_->send(std::move(request), options_.call_timeout);
}

void SchedulerClient::call(Call call) {
  std::string type = Call::Type_Name(call.type());
  auto response = send(std::move(call));
  if (response.result() != http::bhttp::status::accepted) {
    throw HarnessError(type + " call answered " + std::to_string(response.result_int()) + " " +
                       std::string(response.reason()) + ": " + response.body());
  }
}

Event SchedulerClient::await(const std::function<bool(const Event&)>& match,
                             std::chrono::milliseconds timeout, const std::string& what) {
  auto deadline = Clock::now() + timeout;
  std::unique_lock lock(mutex_);
  std::size_t checked = 0;
  while (true) {
    for (std::size_t i = checked; i < pending_.size(); ++i) {
      if (match(pending_[i])) {
        Event event = std::move(pending_[i]);
        pending_.erase(pending_.begin() + static_cast<long>(i));
        return event;
      }
    }
    checked = pending_.size();
    checkRunAliveUnlocked(lock);
    if (ended_ || Clock::now() >= deadline) break;
    arrived_.wait_until(lock, std::min(deadline, Clock::now() + kLivenessSlice));
  }
  std::string seen;
  for (const auto& event : pending_) seen += "\n    " + describe(event);
  std::string message = "waited " + ms(timeout) + " for " + what;
  if (ended_) message = "event stream ended (" + end_ + ") while waiting for " + what;
  if (!decode_error_.empty()) message += "; undecodable event: " + decode_error_;
  message += seen.empty() ? "; no other events arrived" : "; events received meanwhile:" + seen;
  throw AwaitTimeout(message);
}

// The liveness probe may ask a master over HTTP: never with the lock held,
// or the reader thread could not hand over events meanwhile.
void SchedulerClient::checkRunAliveUnlocked(std::unique_lock<std::mutex>& lock) {
  lock.unlock();
  util::checkRunAlive();  // a throw leaves `lock` released, which its owner's scope accepts
  lock.lock();
}

std::optional<Event> SchedulerClient::next(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  const auto deadline = Clock::now() + timeout;
  while (pending_.empty() && !ended_ && Clock::now() < deadline) {
    checkRunAliveUnlocked(lock);
    arrived_.wait_until(lock, std::min(deadline, Clock::now() + kLivenessSlice));
  }
  if (pending_.empty()) return std::nullopt;
  Event event = std::move(pending_.front());
  pending_.pop_front();
  return event;
}

std::vector<Event> SchedulerClient::history() const {
  std::lock_guard lock(mutex_);
  return history_;
}

std::string SchedulerClient::streamEnd() const {
  std::lock_guard lock(mutex_);
  return ended_ ? end_ : std::string();
}

}  // namespace svh::harness
