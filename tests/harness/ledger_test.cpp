// A check's ledger (harness/scenario/ledger.hpp): undone newest first, each
// thing once, every undo tried even after one fails, and nothing recorded
// while undoing.

#include "harness/scenario/ledger.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace svh::harness {
namespace {

TEST(Ledger, UndoesNewestFirstAndEmptiesItself) {
  std::vector<std::string> undone;
  Ledger ledger;
  for (const std::string name : {"reservation", "volume", "task"}) {
    ledger.add(name, "undo " + name, [&undone, name] { undone.push_back(name); });
  }
  EXPECT_EQ(ledger.entries(),
            (std::vector<std::string>{"undo reservation", "undo volume", "undo task"}));
  EXPECT_TRUE(ledger.undoAll().empty());
  EXPECT_EQ(undone, (std::vector<std::string>{"task", "volume", "reservation"}));
  EXPECT_EQ(ledger.size(), 0u);
  EXPECT_TRUE(ledger.undoAll().empty());
  EXPECT_EQ(undone.size(), 3u) << "an undo ran twice";
}

TEST(Ledger, ReleasesARoleOnceHoweverManyFrameworksUsedIt) {
  std::vector<std::string> released;
  Ledger ledger([&](const std::string& role) { released.push_back(role); });
  ledger.addRole("eng");
  ledger.addRole("eng/sub");
  ledger.addRole("eng");
  EXPECT_EQ(ledger.entries(), (std::vector<std::string>{"release role eng", "release role eng/sub"}));
  ledger.undoAll();
  // The sub-role first: its refined reservations go back to eng, which then
  // gives them up.
  EXPECT_EQ(released, (std::vector<std::string>{"eng/sub", "eng"}));
}

TEST(Ledger, AFailedUndoIsNamedAndTheRestStillRun) {
  std::vector<std::string> undone;
  Ledger ledger;
  ledger.add("a", "undo a", [&] { undone.push_back("a"); });
  ledger.add("b", "undo b", [] { throw std::runtime_error("the master said 409"); });
  ledger.add("c", "undo c", [&] { undone.push_back("c"); });
  EXPECT_EQ(ledger.undoAll(), (std::vector<std::string>{"undo b: the master said 409"}));
  EXPECT_EQ(undone, (std::vector<std::string>{"c", "a"}));
}

TEST(Ledger, IsCurrentInItsScopeAndNotWhileUndoing) {
  EXPECT_EQ(currentLedger(), nullptr);
  Ledger ledger;
  Ledger* seen_while_undoing = &ledger;
  {
    LedgerScope scope(&ledger);
    EXPECT_EQ(currentLedger(), &ledger);
    ledger.add("x", "undo x", [&] { seen_while_undoing = currentLedger(); });
    ledger.undoAll();
    EXPECT_EQ(currentLedger(), &ledger);
  }
  EXPECT_EQ(seen_while_undoing, nullptr) << "what an undo makes would be recorded again";
  EXPECT_EQ(currentLedger(), nullptr);
}

TEST(Ledger, WithoutAWayToReleaseRolesItRefusesOne) {
  Ledger ledger;
  EXPECT_THROW(ledger.addRole("eng"), std::logic_error);
}

}  // namespace
}  // namespace svh::harness
