#pragma once
// What a check made on the cluster that outlives the check's own objects,
// given back when the check ends, pass or fail, so that checks stay
// independent when the suite is repeated on one cluster or run against a
// long-lived master (csi-test's Resources/Cleanup). Whatever makes such a
// thing registers its undo with the running check's ledger: a Framework
// registers the release of its role (the role's volumes destroyed, its
// reservations unreserved: cleanup.hpp). The undos run newest first; a
// failed one is reported by what it undid, and the rest still run.

#include <cstddef>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace svh::harness {

class Ledger {
 public:
  using Undo = std::function<void()>;
  using RoleRelease = std::function<void(const std::string& role)>;

  // How this ledger gives a role back (the check knows the cluster); a
  // ledger without one records roles and cannot release them (addRole
  // then throws, so nothing is silently left behind).
  explicit Ledger(RoleRelease release_role = {}) : release_role_(std::move(release_role)) {}
  Ledger(const Ledger&) = delete;
  Ledger& operator=(const Ledger&) = delete;

  // Registers `undo`, described by `what` ("release role eng"). An entry
  // whose `key` is already registered is not added again.
  void add(const std::string& key, std::string what, Undo undo);
  // The release of `role`: destroy its volumes and unreserve its disk.
  void addRole(const std::string& role);

  // Runs every undo, newest first, and empties the ledger. While they run
  // no ledger is current, so what an undo itself makes (the framework that
  // releases a role) is not recorded. Returns "what: why" per failed undo.
  std::vector<std::string> undoAll();

  std::size_t size() const { return entries_.size(); }
  // The descriptions, oldest first (for tests and failure messages).
  std::vector<std::string> entries() const;

 private:
  struct Entry {
    std::string key;
    std::string what;
    Undo undo;
  };
  RoleRelease release_role_;
  std::vector<Entry> entries_;
};

// The running check's ledger; nullptr outside a check (nothing is recorded).
Ledger* currentLedger();

// Makes `ledger` the current one for its scope (a check's SetUp to TearDown).
class LedgerScope {
 public:
  explicit LedgerScope(Ledger* ledger);
  ~LedgerScope();
  LedgerScope(const LedgerScope&) = delete;
  LedgerScope& operator=(const LedgerScope&) = delete;

 private:
  Ledger* previous_;
};

}  // namespace svh::harness
