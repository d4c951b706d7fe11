#pragma once
// A libprocess process played by a test: a master for driving a real
// svh-agent (tests/agent/scripted_master.hpp) or an agent for driving a real
// svh-master (tests/master/scripted_agent.hpp). It serves the message names
// it is given on its own io thread and keeps every message it receives, in
// order, in a mailbox the test waits on. What a peer answers by itself (pongs,
// registrations, acknowledgements) is its subclass's onMessage.

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "harness/http/libprocess.hpp"

namespace svh::test {

class LibprocessPeer {
 public:
  struct Received {
    std::string name;  // e.g. "mesos.internal.StatusUpdateMessage"
    std::string from;  // sender UPID
    std::string body;
  };

  LibprocessPeer(const LibprocessPeer&) = delete;
  LibprocessPeer& operator=(const LibprocessPeer&) = delete;

  const wire::Upid& self() const { return self_; }
  std::uint16_t port() const { return process_->port(); }

  // Sends from a test thread (not from onMessage, which runs on the io
  // thread and uses process() directly); returns once the message is queued
  // on its link.
  void send(const wire::Upid& to, const google::protobuf::Message& message);

  // The next message named like M that satisfies `match`; earlier
  // non-matching ones stay available. Throws std::runtime_error naming what
  // is pending when the deadline passes.
  template <typename M>
  M await(const std::function<bool(const M&)>& match = nullptr,
          std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
    M prototype;
    auto received = awaitRaw(
        prototype.GetTypeName(),
        [&](const std::string& body) {
          M parsed;
          return parsed.ParseFromString(body) && (!match || match(parsed));
        },
        timeout);
    M parsed;
    parsed.ParseFromString(received.body);
    return parsed;
  }

  // How many messages named `name` arrived so far (taken or not).
  std::size_t count(const std::string& name) const;

 protected:
  // `label` names the peer in timeout errors ("the scripted master").
  // Messages are only handled once start() runs, which a subclass calls at
  // the end of its constructor, so onMessage never sees a half-built object.
  LibprocessPeer(std::string label, std::string id, const std::vector<std::string>& names);
  // Subclasses call stop() in their destructors for the same reason.
  virtual ~LibprocessPeer();

  void start();
  // Closes the process and its links (idempotent): nothing is delivered
  // afterwards. The io thread runs on until the destructor.
  void stop();

  // Runs `work` on the io thread and waits for it.
  void run(const std::function<void()>& work);
  // For onMessage (io thread).
  http::Process& process() { return *process_; }

  // On the io thread, before the message is put in the mailbox.
  virtual void onMessage(const http::Message& message) = 0;

 private:
  Received awaitRaw(const std::string& name, const std::function<bool(const std::string&)>& match,
                    std::chrono::milliseconds timeout);
  void deliver(const http::Message& message);

  std::string label_;
  http::asio::io_context io_;
  std::unique_ptr<http::Process> process_;
  wire::Upid self_;
  std::thread thread_;
  bool stopped_ = false;  // test thread only

  mutable std::mutex mutex_;
  std::condition_variable arrived_;
  std::deque<Received> pending_;    // guarded by mutex_
  std::vector<std::string> names_;  // every name received, in order; guarded by mutex_
};

}  // namespace svh::test
