// Quota arithmetic and the validation of UPDATE_QUOTA with Mesos's texts
// (src/master/quota.cpp, quota_handler.cpp), and a role's consumed quota
// with shared volumes (SPEC.md SV-ALLOC-3, section 3.6).

#include "fakes/master/quota.hpp"

#include <gtest/gtest.h>

#include "tests/fakes/test_resources.hpp"

namespace svh::master {
namespace {

using fakes::testing::allocated;
using fakes::testing::clauses;
using fakes::testing::diskResource;
using fakes::testing::resources;

TEST(QuantitiesTest, ArithmeticClampsAtZeroAndCountsSharedOnce) {
  Quantities a{{"cpus", 2}, {"mem", 10}};
  Quantities b{{"cpus", 3}};
  EXPECT_EQ((Quantities{{"mem", 10}}), a - b);
  EXPECT_EQ((Quantities{{"cpus", 5}, {"mem", 10}}), a + b);
  EXPECT_TRUE((a + b).contains(a));
  EXPECT_FALSE(a.contains(b));
  EXPECT_EQ("cpus:2; mem:10", a.str());
  EXPECT_EQ("{}", Quantities{}.str());

  auto volume = diskResource("64", "role1", "v1", "path", std::nullopt, true);
  Resources copies;
  copies.add(volume, 3);
  EXPECT_EQ((Quantities{{"disk", 64}}), Quantities::of(copies));  // SV-ARITH-6
}

TEST(QuantitiesTest, ShrinkToQuantitiesAndLimits) {
  Resources offer = resources("cpus:4;mem:1024;disk:100");
  Resources shrunk = shrinkToQuantities(offer, Quantities{{"cpus", 1.5}, {"mem", 2048}});
  EXPECT_EQ(resources("cpus:1.5;mem:1024"), shrunk);  // no target for disk: dropped
  Resources limited = shrinkToLimits(offer, {{"cpus", 1}});
  EXPECT_EQ(resources("cpus:1;mem:1024;disk:100"), limited);  // no limit: kept
  EXPECT_TRUE(shrinkToLimits(offer, {{"cpus", 0}}).scalar("cpus") == 0);
}

TEST(QuotaConfigValidation, MesosTexts) {
  QuotaConfig config;
  config.has_role = false;
  EXPECT_EQ("'QuotaConfig.role' must be set", validateQuotaConfig(config));
  config.has_role = true;
  config.role = "-bad";
  EXPECT_TRUE(validateQuotaConfig(config)->rfind("Invalid 'QuotaConfig.role': ", 0) == 0);
  config.role = "eng";
  config.guarantees = {{"cpus", -1}};
  EXPECT_EQ("Invalid guarantee configuration {'cpus': -1}: Negative values not supported",
            validateQuotaConfig(config));
  config.guarantees = {{"mem", 2e12}};
  EXPECT_EQ(
      "Invalid 'QuotaConfig.guarantees': {'mem': 2000000000000} is invalid: values greater than "
      "1 exabyte (1099511627776) are not supported",
      validateQuotaConfig(config));
  config.guarantees = {{"cpus", 2}};
  config.limits = {{"cpus", 1}};
  EXPECT_EQ(
      "'QuotaConfig.guarantees' { cpus: 2 } is not contained within the 'QuotaConfig.limits' "
      "{ cpus: 1 }",
      validateQuotaConfig(config));
  config.limits = {{"cpus", 2}};
  EXPECT_EQ(std::nullopt, validateQuotaConfig(config));
}

TEST(QuotaUpdateValidation, ClusterChecksInMesosOrder) {
  QuotaUpdateContext context;
  context.whitelisted = [](const std::string& role) { return role != "hidden"; };
  context.consumed = [](const std::string&) { return Quantities{{"cpus", 2}}; };
  context.capacity = Quantities{{"cpus", 4}, {"mem", 1024}};

  QuotaConfig config;
  config.role = "hidden";
  EXPECT_EQ("Invalid QuotaConfig: 'hidden' is not on the roles whitelist",
            validateQuotaUpdate({config}, false, context));
  config.role = "eng/backend";
  EXPECT_EQ("Updating quota on nested role 'eng/backend' is not supported yet",
            validateQuotaUpdate({config}, false, context));
  config.role = "eng";
  config.limits = {{"cpus", 1}};
  EXPECT_EQ(
      "Invalid QuotaConfig: Role 'eng' is already consuming 'cpus:2'; this is more than the "
      "requested limits 'cpus:1' (use 'force' flag to bypass this check)",
      validateQuotaUpdate({config}, false, context));
  EXPECT_EQ(std::nullopt, validateQuotaUpdate({config}, true, context));
  config.limits = {};
  config.guarantees = {{"cpus", 8}};
  EXPECT_EQ(
      "Invalid QuotaConfig: total quota guarantees 'cpus:8' exceed cluster capacity "
      "'cpus:4; mem:1024' (use 'force' flag to bypass this check)",
      validateQuotaUpdate({config}, false, context));
  config.guarantees = {{"cpus", 4}};
  EXPECT_EQ(std::nullopt, validateQuotaUpdate({config}, false, context));
}

TEST(ConsumedQuota, ReservationsOnceAndUnreservedAllocations) {
  clauses("SV-ALLOC-3");
  // eng has 50 reserved disk turned into a shared volume, allocated twice
  // (two frameworks' tasks), plus unreserved cpus in an offer; a sub-role
  // holds unreserved mem.
  auto volume = diskResource("50", "eng", "v1", "path", std::nullopt, true);
  std::map<std::string, Resources> totals = {
      {"a1", resources("cpus:4;mem:1024;disk(eng):10") + volume}};
  Resources held;
  held.add(allocated(volume, "eng"), 2);
  held += resources("cpus:1").allocate("eng");
  held += resources("mem:64").allocate("eng/sub");
  held += resources("mem:32").allocate("other");
  std::map<std::string, Resources> by_agent = {{"a1", held}};
  EXPECT_EQ((Quantities{{"cpus", 1}, {"mem", 64}, {"disk", 60}}),
            consumedQuota("eng", totals, by_agent));
  EXPECT_EQ((Quantities{{"mem", 32}}), consumedQuota("other", totals, by_agent));
}

}  // namespace
}  // namespace svh::master
