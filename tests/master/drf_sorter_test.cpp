// Mesos's DRFSorterTest shared-resource scenarios (src/tests/sorter_tests.cpp),
// on our DrfSorter: a client is charged a shared volume once per agent
// however many copies it holds, and keeps the charge until its last copy
// goes (SPEC.md SV-ALLOC-1, SV-ALLOC-2, section 3.5).

#include "fakes/master/drf_sorter.hpp"

#include <gtest/gtest.h>

#include "tests/fakes/test_resources.hpp"

namespace svh::master {
namespace {

using fakes::testing::clauses;
using fakes::testing::diskResource;
using fakes::testing::resources;
using Strings = std::vector<std::string>;

TEST(DRFSorterTest, SharedResources) {
  clauses("SV-ALLOC-1");
  DrfSorter sorter;
  const auto shared_disk = diskResource("100", "role1", "id1", "path1", std::nullopt, true);
  sorter.addSlave("agentId", resources("cpus:100;mem:100;disk(role1):900") + shared_disk);

  sorter.add("a");
  sorter.activate("a");
  sorter.allocated("a", "agentId", resources("cpus:5;mem:5") + shared_disk);

  sorter.add("b");
  sorter.activate("b");
  sorter.allocated("b", "agentId", resources("cpus:6;mem:6"));

  // Shares: a = .1 (dominant: disk), b = .06 (dominant: cpus).
  EXPECT_EQ(Strings({"b", "a"}), sorter.sort());
  EXPECT_DOUBLE_EQ(0.1, sorter.share("a"));

  sorter.add("c");
  sorter.activate("c");
  sorter.allocated("c", "agentId", resources("cpus:1;mem:1") + shared_disk);

  // a and c share the volume and are each charged all of it: .1 each.
  EXPECT_EQ(Strings({"b", "a", "c"}), sorter.sort());
  EXPECT_DOUBLE_EQ(0.1, sorter.share("c"));

  sorter.remove("a");
  sorter.unallocated("b", "agentId", resources("cpus:4;mem:4"));

  // Shares: b = .02 (dominant: cpus), c = .1 (dominant: disk).
  EXPECT_EQ(Strings({"b", "c"}), sorter.sort());

  sorter.add("d");
  sorter.activate("d");
  sorter.allocated("d", "agentId", resources("cpus:1;mem:5") + shared_disk);

  EXPECT_EQ(Strings({"b", "c", "d"}), sorter.sort());
  EXPECT_TRUE(sorter.contains("b"));
  EXPECT_FALSE(sorter.contains("a"));
  EXPECT_EQ(3u, sorter.count());
}

TEST(DRFSorterTest, SameDominantSharedResourcesAcrossClients) {
  clauses("SV-ALLOC-1");
  DrfSorter sorter;
  const auto shared_disk = diskResource("900", "role1", "id1", "path1", std::nullopt, true);
  sorter.addSlave("agentId", resources("cpus:100;mem:100;disk(role1):100") + shared_disk);

  sorter.add("b");
  sorter.activate("b");
  sorter.allocated("b", "agentId", resources("cpus:5;mem:20") + shared_disk);

  sorter.add("c");
  sorter.activate("c");
  sorter.allocated("c", "agentId", resources("cpus:10;mem:6") + shared_disk);

  // Both .9 (dominant: disk); the total counted the volume once.
  EXPECT_EQ(Strings({"b", "c"}), sorter.sort());
  EXPECT_DOUBLE_EQ(0.9, sorter.share("b"));
  EXPECT_DOUBLE_EQ(0.9, sorter.share("c"));

  sorter.add("a");
  sorter.activate("a");
  sorter.allocated("a", "agentId", resources("cpus:50;mem:40") + shared_disk);

  // A three-way tie at .9, broken by name.
  EXPECT_EQ(Strings({"a", "b", "c"}), sorter.sort());
}

TEST(DRFSorterTest, SameSharedResourcesSameClient) {
  clauses("SV-ALLOC-1");
  DrfSorter sorter;
  const auto shared_disk = diskResource("50", "role1", "id1", "path1", std::nullopt, true);
  sorter.addSlave("agentId", resources("cpus:100;mem:100;disk(role1):950") + shared_disk);

  sorter.add("a");
  sorter.activate("a");
  sorter.allocated("a", "agentId", resources("cpus:2;mem:2") + shared_disk);

  sorter.add("b");
  sorter.activate("b");
  sorter.allocated("b", "agentId", resources("cpus:6;mem:6"));

  // Shares: a = .05 (dominant: disk), b = .06 (dominant: cpus).
  EXPECT_EQ(Strings({"a", "b"}), sorter.sort());

  // Three more copies of the volume leave a's share alone.
  fakes::Resources copies;
  copies.add(shared_disk, 3);
  sorter.allocated("a", "agentId", copies);
  EXPECT_EQ(4, sorter.allocation("a", "agentId").count(shared_disk));
  EXPECT_DOUBLE_EQ(0.05, sorter.share("a"));
  EXPECT_EQ(Strings({"a", "b"}), sorter.sort());
}

TEST(DRFSorterTest, SharedResourcesUnallocated) {
  clauses("SV-ALLOC-2");
  DrfSorter sorter;
  const auto shared_disk = diskResource("100", "role1", "id1", "path1", std::nullopt, true);
  sorter.addSlave("agentId", resources("cpus:100;mem:100;disk(role1):900") + shared_disk);

  fakes::Resources a_resources = resources("cpus:2;mem:2");
  a_resources.add(shared_disk, 3);
  sorter.add("a");
  sorter.activate("a");
  sorter.allocated("a", "agentId", a_resources);

  sorter.add("b");
  sorter.activate("b");
  sorter.allocated("b", "agentId", resources("cpus:6;mem:6"));

  // Shares: a = .1 (dominant: disk), b = .06 (dominant: cpus).
  EXPECT_EQ(Strings({"b", "a"}), sorter.sort());

  // One copy fewer: no change.
  sorter.unallocated("a", "agentId", shared_disk);
  EXPECT_EQ(Strings({"b", "a"}), sorter.sort());
  EXPECT_DOUBLE_EQ(0.1, sorter.share("a"));

  // The remaining two copies: a's share drops to .02 (cpus).
  fakes::Resources rest;
  rest.add(shared_disk, 2);
  sorter.unallocated("a", "agentId", rest);
  EXPECT_EQ(Strings({"a", "b"}), sorter.sort());
  EXPECT_DOUBLE_EQ(0.02, sorter.share("a"));
}

// The role sorter is hierarchical: siblings are compared with their whole
// subtree, and a role that also has sub-roles sorts among them as itself.
TEST(DRFSorterTest, HierarchicalRolesSortLevelByLevel) {
  DrfSorter sorter;
  sorter.addSlave("agent", resources("cpus:100;mem:100"));
  for (const char* role : {"a", "a/x", "a/y", "b"}) {
    sorter.add(role);
    sorter.activate(role);
  }
  sorter.allocated("a/x", "agent", resources("cpus:30;mem:1"));
  sorter.allocated("a/y", "agent", resources("cpus:5;mem:1"));
  sorter.allocated("a", "agent", resources("cpus:1;mem:1"));
  sorter.allocated("b", "agent", resources("cpus:20;mem:1"));
  // "a" holds 36 in its subtree, more than "b" (20): b first; inside "a":
  // a itself (1), a/y (5), a/x (30).
  EXPECT_EQ(Strings({"b", "a", "a/y", "a/x"}), sorter.sort());

  sorter.deactivate("a/y");
  EXPECT_EQ(Strings({"b", "a", "a/x"}), sorter.sort());
}

// Per-agent charging: the same volume name on two agents is two volumes.
TEST(DRFSorterTest, SharedVolumeChargedOncePerAgent) {
  clauses("SV-ALLOC-1");
  DrfSorter sorter;
  const auto shared_disk = diskResource("100", "role1", "id1", "path1", std::nullopt, true);
  sorter.addSlave("agent1", resources("cpus:10;mem:10;disk(role1):100") + shared_disk);
  sorter.addSlave("agent2", resources("cpus:10;mem:10;disk(role1):100") + shared_disk);
  sorter.add("a");
  sorter.activate("a");
  fakes::Resources copies;
  copies.add(shared_disk, 2);
  sorter.allocated("a", "agent1", copies);
  sorter.allocated("a", "agent2", shared_disk);
  EXPECT_DOUBLE_EQ(200, sorter.allocationQuantities("a").get("disk"));
  EXPECT_DOUBLE_EQ(400, sorter.totalQuantities().get("disk"));
  EXPECT_DOUBLE_EQ(0.5, sorter.share("a"));
}

}  // namespace
}  // namespace svh::master
