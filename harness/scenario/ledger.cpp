#include "harness/scenario/ledger.hpp"

#include <algorithm>
#include <exception>
#include <stdexcept>

namespace svh::harness {

namespace {
// Checks run one at a time on the main thread; the ledger is theirs.
Ledger* g_current = nullptr;
}  // namespace

void Ledger::add(const std::string& key, std::string what, Undo undo) {
  auto same = [&](const Entry& entry) { return entry.key == key; };
  if (std::any_of(entries_.begin(), entries_.end(), same)) return;
  entries_.push_back({key, std::move(what), std::move(undo)});
}

void Ledger::addRole(const std::string& role) {
  if (!release_role_) {
    throw std::logic_error("this ledger cannot release role " + role + ": it was given no way to");
  }
  add("role " + role, "release role " + role, [this, role] { release_role_(role); });
}

std::vector<std::string> Ledger::undoAll() {
  std::vector<std::string> failures;
  LedgerScope none(nullptr);
  auto entries = std::exchange(entries_, {});
  for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
    try {
      it->undo();
    } catch (const std::exception& e) {
      failures.push_back(it->what + ": " + e.what());
    }
  }
  return failures;
}

std::vector<std::string> Ledger::entries() const {
  std::vector<std::string> out;
  for (const auto& entry : entries_) out.push_back(entry.what);
  return out;
}

Ledger* currentLedger() { return g_current; }

LedgerScope::LedgerScope(Ledger* ledger) : previous_(g_current) { g_current = ledger; }

LedgerScope::~LedgerScope() { g_current = previous_; }

}  // namespace svh::harness
