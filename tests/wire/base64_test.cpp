#include "harness/wire/base64.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace svh::wire {
namespace {

TEST(Base64, Rfc4648Vectors) {
  EXPECT_EQ(base64Encode(""), "");
  EXPECT_EQ(base64Encode("f"), "Zg==");
  EXPECT_EQ(base64Encode("fo"), "Zm8=");
  EXPECT_EQ(base64Encode("foo"), "Zm9v");
  EXPECT_EQ(base64Encode("foob"), "Zm9vYg==");
  EXPECT_EQ(base64Encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(base64Encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64Encode(std::string("\xff\xfe\x00", 3)), "//4A");
  EXPECT_EQ(base64Decode("Zm9vYmE="), "fooba");
  EXPECT_EQ(base64Decode("//4A"), std::string("\xff\xfe\x00", 3));
}

TEST(Base64, LenientLikeMesos) {
  EXPECT_EQ(base64Decode("Zm9vYmE"), "fooba");  // no padding
  EXPECT_EQ(base64Decode("Zm9v\r\nYm E=\t"), "fooba");
  EXPECT_EQ(base64Decode("Zg"), "f");
  EXPECT_EQ(base64Decode(""), "");
}

TEST(Base64, RejectsGarbage) {
  std::string error;
  EXPECT_EQ(base64Decode("Zm9v!", &error), std::nullopt);
  EXPECT_NE(error.find("'!'"), std::string::npos) << error;
  EXPECT_EQ(base64Decode("Zm9v-_", &error), std::nullopt);  // URL-safe alphabet
  EXPECT_EQ(base64Decode("Zm9vY", &error), std::nullopt);   // 6 dangling bits
  EXPECT_EQ(base64Decode("Zg==Zg==", &error), std::nullopt);
  EXPECT_EQ(base64Decode(std::string("Zg\0=", 4), &error), std::nullopt);
}

TEST(Base64, RandomRoundTrip) {
  std::mt19937 rng(7);
  for (int n = 0; n < 200; ++n) {
    std::string bytes(static_cast<size_t>(n), '\0');
    for (char& c : bytes) c = static_cast<char>(rng() & 0xff);
    EXPECT_EQ(base64Decode(base64Encode(bytes)), bytes);
  }
}

}  // namespace
}  // namespace svh::wire
