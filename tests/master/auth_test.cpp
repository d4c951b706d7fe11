// Credentials files and HTTP basic authentication as Mesos reads and checks
// them (credentials::read, libprocess BasicAuthenticator).

#include "fakes/master/auth.hpp"

#include <gtest/gtest.h>

#include "harness/wire/base64.hpp"

namespace svh::master {
namespace {

std::optional<std::string> basic(const std::string& userpass) {
  return "Basic " + wire::base64Encode(userpass);
}

TEST(Credentials, JsonAndTextForms) {
  auto json = parseCredentials(R"({"credentials":[{"principal":"ops","secret":"s3"},
                                                   {"principal":"fw","secret":"x"}]})");
  ASSERT_TRUE(json.ok());
  EXPECT_EQ((Credentials{{"ops", "s3"}, {"fw", "x"}}), *json);
  auto text = parseCredentials("ops s3\n\nfw   x\n");
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*json, *text);
  EXPECT_FALSE(parseCredentials("ops\n").ok());
  EXPECT_FALSE(parseCredentials(R"({"nope":[]})").ok());
  EXPECT_FALSE(readCredentials("/nonexistent/credentials").ok());
}

TEST(BasicAuthentication, OnlyAKnownPrincipalWithItsSecret) {
  Credentials credentials = {{"ops", "s3"}};
  EXPECT_EQ("ops", basicPrincipal(basic("ops:s3"), credentials));
  EXPECT_EQ(std::nullopt, basicPrincipal(std::nullopt, credentials));
  EXPECT_EQ(std::nullopt, basicPrincipal(basic("ops:wrong"), credentials));
  EXPECT_EQ(std::nullopt, basicPrincipal(basic("who:s3"), credentials));
  EXPECT_EQ(std::nullopt, basicPrincipal(basic("ops:s3:x"), credentials));
  EXPECT_EQ(std::nullopt, basicPrincipal(std::string("Bearer abc"), credentials));
  EXPECT_EQ(std::nullopt, basicPrincipal(std::string("Basic !!!"), credentials));
}

}  // namespace
}  // namespace svh::master
