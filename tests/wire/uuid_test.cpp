#include "harness/wire/uuid.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace svh::wire {
namespace {

TEST(Uuid, RandomIsVersion4Rfc4122) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string bytes = randomUuidBytes();
    ASSERT_EQ(bytes.size(), 16u);
    EXPECT_TRUE(isValidUuid(bytes));
    EXPECT_TRUE(isMesosAcceptedUuid(bytes));
    EXPECT_EQ(static_cast<unsigned char>(bytes[6]) >> 4, 4);
    seen.insert(bytes);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(Uuid, CanonicalText) {
  const std::string text = "130ae4e3-6b13-4ef4-baa9-9f2e85c3e9af";
  const auto bytes = uuidFromString(text);
  ASSERT_TRUE(bytes.has_value());
  EXPECT_EQ(bytes->size(), 16u);
  EXPECT_EQ(static_cast<unsigned char>((*bytes)[0]), 0x13);
  EXPECT_EQ(uuidToString(*bytes), text);
  EXPECT_EQ(uuidFromString("130AE4E3-6B13-4EF4-BAA9-9F2E85C3E9AF"), bytes);

  const std::string random = randomUuidString();
  EXPECT_EQ(random.size(), 36u);
  EXPECT_EQ(uuidToString(*uuidFromString(random)), random);
}

TEST(Uuid, RejectsMalformedText) {
  for (const char* bad :
       {"", "130ae4e3-6b13-4ef4-baa9-9f2e85c3e9a", "130ae4e3-6b13-4ef4-baa9-9f2e85c3e9afa",
        "130ae4e36b134ef4baa99f2e85c3e9af", "130ae4e3-6b13-4ef4-baa9_9f2e85c3e9af",
        "g30ae4e3-6b13-4ef4-baa9-9f2e85c3e9af", "{30ae4e3-6b13-4ef4-baa9-9f2e85c3e9a}"}) {
    EXPECT_EQ(uuidFromString(bad), std::nullopt) << bad;
  }
  EXPECT_EQ(uuidToString("short"), std::nullopt);
}

TEST(Uuid, Validation) {
  std::string bytes = *uuidFromString("130ae4e3-6b13-4ef4-baa9-9f2e85c3e9af");
  EXPECT_TRUE(isValidUuid(bytes));
  EXPECT_FALSE(isValidUuid(bytes.substr(0, 15)));
  EXPECT_FALSE(isValidUuid(bytes + "x"));

  for (int version = 0; version < 16; ++version) {
    std::string v = bytes;
    v[6] = static_cast<char>((version << 4) | 0x0f);
    const bool ok = version >= 1 && version <= 5;
    EXPECT_EQ(isValidUuid(v), ok) << version;
    EXPECT_EQ(isMesosAcceptedUuid(v), ok) << version;
  }

  // Non-RFC-4122 variant (NCS, 0xxx): ours refuses, Mesos accepts.
  std::string ncs = bytes;
  ncs[8] = 0x3a;
  EXPECT_FALSE(isValidUuid(ncs));
  EXPECT_TRUE(isMesosAcceptedUuid(ncs));
  EXPECT_FALSE(isValidUuid(std::string(16, '\0')));
}

}  // namespace
}  // namespace svh::wire
