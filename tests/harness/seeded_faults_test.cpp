// The seeded fault catalogue (fakes/common/seeded_faults.hpp): complete,
// in enum order, every entry saying what it breaks; the --fault parser.

#include <gtest/gtest.h>

#include <set>

#include "fakes/common/seeded_faults.hpp"

namespace svh::fakes {
namespace {

TEST(SeededFaults, EveryFaultIsCataloguedOnceWithItsClauseAndSymptom) {
  const auto& faults = seededFaults();
  ASSERT_EQ(faults.size(), static_cast<std::size_t>(Fault::kCount));
  std::set<std::string_view> names;
  for (std::size_t i = 0; i < faults.size(); ++i) {
    const auto& f = faults[i];
    EXPECT_EQ(static_cast<std::size_t>(f.fault), i) << f.name;
    EXPECT_TRUE(names.insert(f.name).second) << "duplicate name " << f.name;
    EXPECT_FALSE(f.clause.empty()) << f.name;
    EXPECT_GT(f.symptom.size(), 20u) << f.name << ": say what a user would see";
    EXPECT_EQ(f.name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-"),
              std::string_view::npos)
        << f.name;
    EXPECT_EQ(&describe(f.fault), &f);
    EXPECT_EQ(findSeededFault(f.name), &f);
  }
  EXPECT_GE(faults.size(), 30u) << "issue 15 asks for at least 30 faults";
}

TEST(SeededFaults, ParsesAListForOneProcess) {
  auto master = Faults::parse("destroy-no-rescind,,offer-shared-to-incapable", FaultSite::kMaster);
  ASSERT_TRUE(master.ok()) << master.error();
  EXPECT_TRUE(master->has(Fault::kDestroyNoRescind));
  EXPECT_TRUE(master->has(Fault::kOfferSharedToIncapable));
  EXPECT_FALSE(master->has(Fault::kWithholdSharedInUse));
  EXPECT_EQ(master->str(), "offer-shared-to-incapable,destroy-no-rescind");
  EXPECT_TRUE(Faults::parse("", FaultSite::kMaster)->empty());

  auto unknown = Faults::parse("destroy-no-rescind,nope", FaultSite::kMaster);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error(), "unknown fault 'nope'");
  auto elsewhere = Faults::parse("destroy-no-rescind", FaultSite::kAgent);
  ASSERT_FALSE(elsewhere.ok());
  EXPECT_EQ(elsewhere.error(), "fault 'destroy-no-rescind' is planted in svh-master, not here");

  auto agent = Faults::parse("ro-allows-setattr,restart-wipes-volumes", FaultSite::kAgent);
  ASSERT_TRUE(agent.ok()) << agent.error();
  EXPECT_TRUE(agent->has(Fault::kRoAllowsSetattr));
  EXPECT_TRUE(agent->has(Fault::kRestartWipesVolumes));
  auto not_master = Faults::parse("task-group-ignores-ro", FaultSite::kMaster);
  ASSERT_FALSE(not_master.ok());
  EXPECT_EQ(not_master.error(), "fault 'task-group-ignores-ro' is planted in svh-agent, not here");
}

TEST(SeededFaults, BothProcessesHaveFaults) {
  int master = 0, agent = 0;
  for (const auto& f : seededFaults()) ++(f.site == FaultSite::kMaster ? master : agent);
  EXPECT_GT(master, 0);
  EXPECT_GT(agent, 0);
}

}  // namespace
}  // namespace svh::fakes
