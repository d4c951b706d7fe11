#include "tests/support/libprocess_peer.hpp"

#include <future>
#include <stdexcept>

namespace svh::test {

LibprocessPeer::LibprocessPeer(std::string label, std::string id,
                               const std::vector<std::string>& names)
    : label_(std::move(label)) {
  process_ = std::make_unique<http::Process>(io_, "127.0.0.1", 0, std::move(id));
  self_ = process_->self();
  for (const auto& name : names) {
    process_->on(name, [this](const http::Message& message) { deliver(message); });
  }
}

LibprocessPeer::~LibprocessPeer() {
  stop();
  io_.stop();
  if (thread_.joinable()) thread_.join();
}

void LibprocessPeer::start() {
  thread_ = std::thread([this] {
    auto guard = http::asio::make_work_guard(io_);
    io_.run();
  });
}

void LibprocessPeer::stop() {
  if (stopped_) return;
  stopped_ = true;
  if (thread_.joinable()) {
    run([this] { process_->stop(); });
  } else {
    process_->stop();
  }
}

void LibprocessPeer::run(const std::function<void()>& work) {
  std::promise<void> done;
  http::asio::post(io_, [&] {
    work();
    done.set_value();
  });
  done.get_future().wait();
}

void LibprocessPeer::send(const wire::Upid& to, const google::protobuf::Message& message) {
  run([&] { process_->send(to, message); });
}

void LibprocessPeer::deliver(const http::Message& message) {
  onMessage(message);
  {
    std::lock_guard lock(mutex_);
    pending_.push_back({message.name, message.from.str(), message.body});
    names_.push_back(message.name);
  }
  arrived_.notify_all();
}

LibprocessPeer::Received LibprocessPeer::awaitRaw(
    const std::string& name, const std::function<bool(const std::string&)>& match,
    std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::unique_lock lock(mutex_);
  while (true) {
    for (auto it = pending_.begin(); it != pending_.end(); ++it) {
      if (it->name == name && match(it->body)) {
        Received found = *it;
        pending_.erase(it);
        return found;
      }
    }
    if (arrived_.wait_until(lock, deadline) == std::cv_status::timeout) {
      std::string seen;
      for (const auto& received : pending_) seen += " " + received.name;
      throw std::runtime_error(label_ + " waited " + std::to_string(timeout.count()) +
                               " ms in vain for " + name +
                               "; pending:" + (seen.empty() ? " none" : seen));
    }
  }
}

std::size_t LibprocessPeer::count(const std::string& name) const {
  std::lock_guard lock(mutex_);
  std::size_t n = 0;
  for (const auto& seen : names_) n += seen == name ? 1 : 0;
  return n;
}

}  // namespace svh::test
