#include "harness/wire/upid.hpp"

#include <gtest/gtest.h>

namespace svh::wire {
namespace {

TEST(Upid, ParsesAndPrints) {
  for (const char* text :
       {"master@10.0.0.1:5050", "slave(1)@10.0.0.2:5051", "slave-observer(3)@10.0.0.1:5050",
        "scheduler-130ae4e3-6b13-4ef4-baa9-9f2e85c3e9af@h1.example.com:1"}) {
    const auto upid = Upid::parse(text);
    ASSERT_TRUE(upid.has_value()) << text;
    EXPECT_EQ(upid->str(), text);
    EXPECT_FALSE(upid->empty());
  }
  const auto upid = Upid::parse("slave(1)@10.0.0.2:5051");
  EXPECT_EQ(upid->id, "slave(1)");
  EXPECT_EQ(upid->host, "10.0.0.2");
  EXPECT_EQ(upid->port, 5051);
}

TEST(Upid, SplitsAtFirstAtThenFirstColon) {
  const auto upid = Upid::parse("a@b@c:1");
  ASSERT_TRUE(upid.has_value());
  EXPECT_EQ(upid->id, "a");
  EXPECT_EQ(upid->host, "b@c");
  EXPECT_EQ(Upid::parse("a@h:1:2"), std::nullopt);  // port "1:2"
}

TEST(Upid, EmptyUpid) {
  EXPECT_EQ(Upid().str(), "@0.0.0.0:0");
  EXPECT_TRUE(Upid().empty());
  const auto parsed = Upid::parse("@0.0.0.0:0");
  ASSERT_TRUE(parsed.has_value());
  EXPECT_TRUE(parsed->empty());
  EXPECT_EQ(parsed->str(), "@0.0.0.0:0");
}

TEST(Upid, TrimsSurroundingWhitespace) {
  const auto upid = Upid::parse("  master@10.0.0.1:5050\r\n");
  ASSERT_TRUE(upid.has_value());
  EXPECT_EQ(upid->str(), "master@10.0.0.1:5050");
}

TEST(Upid, RejectsMalformed) {
  for (const char* bad :
       {"", "master", "master@", "master@10.0.0.1", "master@:5050",
        "master@10.0.0.1:", "master@10.0.0.1:65536", "master@10.0.0.1:-1", "master@10.0.0.1:50x",
        "master@10.0.0.1:123456", "mas ter@h:1", "master@h :1"}) {
    EXPECT_EQ(Upid::parse(bad), std::nullopt) << bad;
  }
  EXPECT_TRUE(Upid::parse("m@h:65535").has_value());
}

}  // namespace
}  // namespace svh::wire
