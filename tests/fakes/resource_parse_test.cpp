// The agent's --resources flag in Mesos syntax (Mesos ResourcesTest.Parsing*,
// ParseError, ParsingFromJSON*), good and bad inputs.

#include "fakes/common/resource_parse.hpp"

#include <gtest/gtest.h>

#include "test_resources.hpp"

namespace svh::fakes {
namespace {

using namespace svh::fakes::testing;

std::string errorOf(std::string_view text, const std::string& role = "*") {
  auto parsed = parseResourcesFlag(text, role);
  return parsed.ok() ? "" : parsed.error();
}

TEST(ResourceParseTest, TextSyntax) {
  auto parsed = parseResourcesFlag("cpus:4;mem:4096;disk(eng):2048;ports:[31000-32000];foo:{a,b}");
  ASSERT_TRUE(parsed.ok()) << parsed.error();
  EXPECT_EQ(
      "cpus:4; mem:4096; disk(reservations: [(STATIC,eng)]):2048; ports:[31000-32000]; "
      "foo:{a, b}",
      parsed->str());
  EXPECT_EQ(4, parsed->scalar("cpus"));

  Resource cpus = resource("cpus", "45.55");
  EXPECT_DOUBLE_EQ(45.55, cpus.scalar().value());
  Resource ports = resource("ports", "[10000-20000, 30000-50000]");
  EXPECT_EQ(2, ports.ranges().range_size());
  Resource disks = resource("disks", "{sda1}");
  ASSERT_EQ(1, disks.set().item_size());
  EXPECT_EQ("sda1", disks.set().item(0));

  Resources expected;
  expected += cpus;
  expected += ports;
  expected += disks;
  EXPECT_EQ(expected, resources("cpus:45.55;ports:[10000-20000, 30000-50000];disks:{sda1}"));
}

TEST(ResourceParseTest, RolesAndDefaultRole) {
  Resources explicit_roles = resources("cpus(role1):2.5;ports(role2):[0-100]");
  auto with_default = parseResourcesFlag("cpus:2.5;ports(role2):[0-100]", "role1");
  ASSERT_TRUE(with_default.ok());
  EXPECT_EQ(explicit_roles, *with_default);
  EXPECT_EQ(
      "cpus(reservations: [(STATIC,role1)]):2.5; ports(reservations: [(STATIC,role2)]):[0-100]",
      with_default->str());
  EXPECT_EQ(resources("cpus:1"), resources("cpus(*):1"));
}

TEST(ResourceParseTest, SpacesRangesAndZeros) {
  EXPECT_EQ(resources("ports:[1-5,6-10]"), resources("ports: [1-10]"));
  EXPECT_EQ("ports:[1-10]", resources(" ports : [ 1-5, 3-10 ] ").str());
  EXPECT_TRUE(resources("").empty());
  EXPECT_TRUE(resources("cpus:0").empty());
  EXPECT_EQ(resources("cpus:3"), resources("cpus:1;cpus:2"));
}

TEST(ResourceParseTest, BadTokensAreNamed) {
  EXPECT_EQ("Bad value for resources, missing or extra ':' in cpus(role1)", errorOf("cpus(role1)"));
  EXPECT_EQ("Bad value for resources, missing or extra ':' in disk(a:b):1", errorOf("disk(a:b):1"));
  EXPECT_EQ("Bad value for resources, mismatched parentheses in cpus)(role1:1",
            errorOf("cpus)(role1:1"));
  EXPECT_EQ("Bad value for resources, mismatched parentheses in cpus(role1:1",
            errorOf("cpus(role1:1"));
  EXPECT_EQ("Failed to parse resource foo value {a error Mismatched brackets", errorOf("foo:{a"));
  EXPECT_EQ("Bad type for resource cpus value four type TEXT", errorOf("cpus:four"));
  EXPECT_EQ("Bad type for resource cpus value -1 type TEXT", errorOf("cpus:-1"));
  EXPECT_EQ(
      "Failed to parse resource ports value [1-x] error Expecting non-negative integers "
      "in '1'",
      errorOf("ports:[1-x]"));
  EXPECT_EQ("Failed to parse resource ports value [1-2-3] error Expecting one or more \"ranges\"",
            errorOf("ports:[1-2-3]"));
  EXPECT_EQ("Failed to parse resource foo value a{b} error Unexpected '{' found",
            errorOf("foo:a{b}"));
  EXPECT_EQ("Resources with the same name ('foo') but different types are not allowed",
            errorOf("foo(role1):1;foo(role2):[0-1]"));
  EXPECT_EQ("Invalid scalar resource: value <= 0 in 'cpus:0.0001'", errorOf("cpus:0.0001"));
  EXPECT_EQ("Role component '-eng' is invalid because it starts with a dash in 'disk(-eng):1'",
            errorOf("disk(-eng):1"));
  EXPECT_EQ("Empty resource name in '(eng):1'", errorOf("(eng):1"));
  EXPECT_EQ("Invalid set resource: duplicated elements in 'foo:{a,a}'", errorOf("foo:{a,a}"));
}

TEST(ResourceParseTest, JsonArray) {
  auto parsed = parseResourcesFlag(
      R"([{"name":"cpus","type":"SCALAR","scalar":{"value":2}},
          {"name":"disk","type":"SCALAR","scalar":{"value":2048},"role":"eng"},
          {"name":"ports","type":"RANGES","ranges":{"range":[{"begin":1,"end":9}]}},
          {"name":"disk","type":"SCALAR","scalar":{"value":100},
           "reservations":[{"type":"STATIC","role":"ops"}],
           "disk":{"source":{"type":"MOUNT","mount":{"root":"/mnt/a"}}}}])");
  ASSERT_TRUE(parsed.ok()) << parsed.error();
  EXPECT_EQ(
      "cpus:2; disk(reservations: [(STATIC,eng)]):2048; ports:[1-9]; "
      "disk(reservations: [(STATIC,ops)])[MOUNT:/mnt/a]:100",
      parsed->str());

  // The default role applies to JSON resources that name none.
  auto defaulted =
      parseResourcesFlag(R"([{"name":"cpus","type":"SCALAR","scalar":{"value":1}}])", "eng");
  ASSERT_TRUE(defaulted.ok());
  EXPECT_EQ("cpus(reservations: [(STATIC,eng)]):1", defaulted->str());
}

TEST(ResourceParseTest, JsonErrors) {
  EXPECT_NE(std::string::npos,
            errorOf(R"([{"name":"a","type":"SET","set":{"item":["x"]}} {"name":"b"}])")
                .find("not a valid JSON array"));
  EXPECT_NE(std::string::npos,
            errorOf(R"([{"name":"cpus","type":"SCALAR","scalar":{"value":"x"}}])")
                .find("Some JSON resources were not formatted properly: "));
  EXPECT_EQ(
      "Dynamic reservations cannot be specified at the command line; do not include a "
      "reservation with DYNAMIC type in the resources JSON",
      errorOf(R"([{"name":"cpus","type":"SCALAR","scalar":{"value":1},"role":"eng",
                   "reservation":{"principal":"ops"}}])"));
  EXPECT_EQ(
      "Revocable resources cannot be specified at the command line; do not include a "
      "'revocable' key in the resources JSON",
      errorOf(R"([{"name":"cpus","type":"SCALAR","scalar":{"value":1},"revocable":{}}])"));
  EXPECT_EQ("Persistent volumes cannot be specified at the command line",
            errorOf(R"([{"name":"disk","type":"SCALAR","scalar":{"value":1},"role":"eng",
                         "disk":{"persistence":{"id":"v"},
                                 "volume":{"mode":"RW","container_path":"p"}}}])"));
  EXPECT_EQ(
      "Invalid reservation: role \"*\" cannot be dynamically reserved in resource 0 of the JSON "
      "array",
      errorOf(R"([{"name":"cpus","type":"SCALAR","scalar":{"value":1},"reservation":{}}])"));
}

}  // namespace
}  // namespace svh::fakes
