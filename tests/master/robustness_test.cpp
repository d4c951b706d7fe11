// Malformed input of every kind gets Mesos's status code and the master
// keeps serving; nothing an agent or client sends makes it exit (a real
// master CHECK-fails on some of it, PROTOCOL.md 5.5).

#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "harness/wire/evolve.hpp"
#include "harness/wire/json_codec.hpp"
#include "harness/wire/uuid.hpp"
#include "tests/master/e2e_support.hpp"

namespace svh::master::test {
namespace {

namespace internal = mesos::internal;

class Robustness : public ::testing::Test {
 protected:
  http::Response post(const std::string& path, const std::string& body,
                      std::optional<std::string> content_type = "application/json",
                      std::optional<std::string> accept = std::nullopt,
                      std::vector<std::pair<std::string, std::string>> headers = {}) {
    http::Request request{http::bhttp::verb::post, path, 11};
    if (content_type) request.set(http::bhttp::field::content_type, *content_type);
    if (accept) request.set(http::bhttp::field::accept, *accept);
    for (const auto& [name, value] : headers) request.set(name, value);
    request.body() = body;
    return client().send(std::move(request));
  }
  http::Client& client() {
    if (!client_) client_ = std::make_unique<http::Client>(master.url().host, master.url().port);
    return *client_;
  }
  void expectServing() {
    EXPECT_TRUE(master.process().running());
    http::Client fresh(master.url().host, master.url().port);
    EXPECT_EQ(200, fresh.get("/master/health").result_int());
    EXPECT_EQ(200, fresh.get("/master/state").result_int());
  }
  // Raw bytes on a fresh connection; returns what came back (if anything)
  // before the server closed or 2 s passed.
  std::string raw(const std::string& bytes) {
    namespace asio = boost::asio;
    asio::io_context io;
    asio::ip::tcp::socket socket(io);
    asio::ip::tcp::resolver resolver(io);
    asio::connect(socket, resolver.resolve(master.url().host, std::to_string(master.url().port)));
    timeval timeout{2, 0};
    setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    asio::write(socket, asio::buffer(bytes));
    socket.shutdown(asio::ip::tcp::socket::shutdown_send);
    std::string answer;
    boost::system::error_code ec;
    char buffer[4096];
    while (true) {
      auto n = socket.read_some(asio::buffer(buffer), ec);
      if (ec) break;
      answer.append(buffer, n);
    }
    return answer;
  }

  // Frequent heartbeats: the server notices a closed event stream when it
  // next writes to it.
  MasterUnderTest master{{"--heartbeat_interval=100ms"}};
  std::unique_ptr<http::Client> client_;
};

TEST_F(Robustness, SchedulerApiMalformedRequests) {
  const std::string path = "/api/v1/scheduler";
  auto check = [&](int code, const std::string& body, http::Response answer) {
    EXPECT_EQ(code, answer.result_int()) << answer.body();
    if (!body.empty()) {
      EXPECT_EQ(body, answer.body());
    }
  };
  check(400, "Expecting 'Content-Type' to be present", post(path, "{}", std::nullopt));
  check(415, "Expecting 'Content-Type' of application/json or application/x-protobuf",
        post(path, "{}", "application/json; charset=utf-8"));
  check(400, "Failed to parse body into JSON: syntax error", post(path, "{\"type\":"));
  check(400, "Failed to parse body into Call protobuf",
        post(path, std::string("\xff\xff\xff", 3), "application/x-protobuf"));
  check(400, "Failed to validate scheduler::Call: Expecting 'type' to be present",
        post(path, R"({"type":"NOT_A_CALL"})"));
  auto answer = post(path, R"({"type":1})");
  EXPECT_EQ(400, answer.result_int());
  EXPECT_EQ(0u, answer.body().rfind("Failed to convert JSON into Call protobuf: ", 0));
  check(400, "Failed to validate scheduler::Call: Expecting 'subscribe' to be present",
        post(path, R"({"type":"SUBSCRIBE"})"));
  check(406, "Expecting 'Accept' to allow 'application/x-protobuf' or 'application/json'",
        post(path, R"({"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":"u","name":"n"}}})",
             "application/json", "text/html"));
  check(400, "Subscribe calls should not include the 'Mesos-Stream-Id' header",
        post(path, R"({"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":"u","name":"n"}}})",
             "application/json", std::nullopt, {{"Mesos-Stream-Id", "x"}}));
  check(400, "Failed to validate scheduler::Call: Expecting 'framework_id' to be present",
        post(path, R"({"type":"REVIVE"})"));
  check(400, "Framework cannot be found",
        post(path, R"({"type":"REVIVE","framework_id":{"value":"nope"}})"));
  check(400, "Failed to validate scheduler::Call: Not a valid UUID",
        post(path, R"({"type":"ACKNOWLEDGE","framework_id":{"value":"f"},
                       "acknowledge":{"agent_id":{"value":"a"},"task_id":{"value":"t"},
                                      "uuid":"AAAA"}})"));
  http::Request get{http::bhttp::verb::get, path, 11};
  answer = client().send(std::move(get));
  EXPECT_EQ(405, answer.result_int());
  EXPECT_EQ("POST", std::string(answer[http::bhttp::field::allow]));

  // Calls of a subscribed framework without / with a wrong stream id.
  auto info = frameworkInfo({"eng"});
  info.set_failover_timeout(3600);  // it stays known, disconnected
  auto fw = subscribe(master, info);
  std::string revive =
      R"({"type":"REVIVE","framework_id":{"value":")" + fw->frameworkId() + R"("}})";
  check(400, "All non-subscribe calls should include the 'Mesos-Stream-Id' header",
        post(path, revive));
  answer = post(path, revive, "application/json", std::nullopt,
                {{"Mesos-Stream-Id", wire::randomUuidString()}});
  EXPECT_EQ(400, answer.result_int());
  EXPECT_NE(std::string::npos, answer.body().find("didn't match the stream ID"));
  // A framework that lost its stream gets 403.
  fw->disconnect();
  std::string last;
  EXPECT_TRUE(eventually([&] {
    auto answer =
        post(path, revive, "application/json", std::nullopt, {{"Mesos-Stream-Id", fw->streamId()}});
    last = std::to_string(answer.result_int()) + " " + answer.body();
    return answer.result_int() == 403;
  })) << last;
  expectServing();
}

TEST_F(Robustness, OversizedBodiesAreRefused) {
  // More than the server's 16 MB limit, announced in the header; the
  // server answers before reading the body.
  auto answer =
      raw("POST /api/v1/scheduler HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
          "Content-Length: 17825792\r\n\r\n{");
  EXPECT_NE(std::string::npos, answer.find("413")) << answer;
  expectServing();
}

TEST_F(Robustness, OperatorApiMalformedRequests) {
  EXPECT_EQ(400, post("/api/v1", "{", "application/json").result_int());
  EXPECT_EQ(415, post("/api/v1", "{}", "text/plain").result_int());
  for (const char* path : {"/api/v1", "/master/api/v1"}) {
    auto garbage = post(path, std::string("\xff\xff\xff", 3), "application/x-protobuf");
    EXPECT_EQ(400, garbage.result_int()) << path;
    EXPECT_EQ("Failed to parse body into Call protobuf", garbage.body()) << path;
  }
  EXPECT_EQ(400, post("/api/v1", "{}", std::nullopt).result_int());
  auto answer = post("/api/v1", R"({"type":"CREATE_VOLUMES"})");
  EXPECT_EQ(400, answer.result_int());
  EXPECT_EQ("Failed to validate master::Call: Expecting 'create_volumes' to be present",
            answer.body());
  answer = post("/api/v1", R"({"type":"GET_STATE"})", "application/json", "text/html");
  EXPECT_EQ(406, answer.result_int());
  answer = post(
      "/api/v1",
      R"({"type":"DESTROY_VOLUMES","destroy_volumes":{"agent_id":{"value":"nope"},"volumes":[]}})");
  EXPECT_EQ(400, answer.result_int());
  EXPECT_EQ("No agent found with specified ID", answer.body());
  answer = post("/master/create-volumes", "slaveId=x&volumes=[{", "text/plain");
  EXPECT_EQ(400, answer.result_int());
  EXPECT_EQ(0u, answer.body().rfind("Error in parsing 'volumes' query parameter", 0));
  expectServing();
}

TEST_F(Robustness, BadLibprocessMessagesAreDropped) {
  ScriptedAgent agent{AgentOptions{.resources = "cpus:4;mem:4096"}};
  agent.registerWith(master.upid());
  auto frame = [&](const std::string& name, const std::string& body, const std::string& from = "") {
    return http::encodeMessage(from.empty() ? agent.self() : *wire::Upid::parse(from),
                               master.upid(), name, body);
  };
  // A truncated protobuf, garbage, an unknown message name, a message for
  // another process, a sender that does not parse.
  internal::RegisterSlaveMessage registration;
  registration.mutable_slave()->set_hostname("h");
  std::string bytes = registration.SerializeAsString();
  auto answer =
      raw(frame("mesos.internal.RegisterSlaveMessage", bytes.substr(0, bytes.size() - 1)));
  EXPECT_NE(std::string::npos, answer.find("202 Accepted"));
  answer = raw(frame("mesos.internal.StatusUpdateMessage", "garbage"));
  EXPECT_NE(std::string::npos, answer.find("202 Accepted"));
  answer = raw(frame("mesos.internal.NoSuchMessage", "x"));
  EXPECT_NE(std::string::npos, answer.find("202"));
  answer = raw("POST /nobody/mesos.internal.PongSlaveMessage HTTP/1.1\r\nLibprocess-From: " +
               agent.self().str() + "\r\nContent-Length: 0\r\n\r\n");
  EXPECT_NE(std::string::npos, answer.find("404"));
  answer =
      raw("POST /master/mesos.internal.PongSlaveMessage HTTP/1.1\r\nLibprocess-From: not a upid\r\n"
          "Content-Length: 0\r\n\r\n");
  EXPECT_NE(std::string::npos, answer.find("500"));
  answer = raw("this is not HTTP at all\r\n\r\n");
  expectServing();

  // Messages a real master would CHECK-fail on: an update without pid or
  // status uuid, checkpointed resources not backed by the agent's.
  internal::StatusUpdateMessage update;
  auto* inner = update.mutable_update();
  inner->mutable_framework_id()->set_value("f");
  inner->mutable_status()->mutable_task_id()->set_value("t");
  inner->mutable_status()->set_state(mesos::TASK_RUNNING);
  inner->set_timestamp(1);
  agent.send(master.upid(), update);
  // Messages on one link arrive in order: the answer to a re-registration
  // sent afterwards proves the master handled (and dropped) the update.
  agent.reregisterWith(master.upid(), {}, {});
  ScriptedAgent liar{AgentOptions{.resources = "cpus:1;mem:64"}};
  internal::RegisterSlaveMessage lie;
  lie.mutable_slave()->set_hostname("liar");
  lie.mutable_slave()->set_checkpoint(true);
  lie.set_version("1.12.0");
  *lie.add_checkpointed_resources() =
      wire::evolve<mesos::Resource>(volume(512, "eng", "v", true, "ops"));
  liar.send(master.upid(), lie);
  liar.registerWith(master.upid());
  harness::OperatorClient op(master.url());
  EXPECT_EQ(2u, op.state()["slaves"].size());
  expectServing();
}

}  // namespace
}  // namespace svh::master::test
