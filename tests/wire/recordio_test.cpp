#include "harness/wire/recordio.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace svh::wire {
namespace {

std::vector<std::string> drain(RecordIODecoder& decoder) {
  std::vector<std::string> out;
  while (auto record = decoder.next()) out.push_back(*record);
  return out;
}

TEST(RecordIO, EncodesLengthNewlineData) {
  EXPECT_EQ(encodeRecord(R"({"type":"HEARTBEAT"})"), "20\n{\"type\":\"HEARTBEAT\"}");
  EXPECT_EQ(encodeRecord(std::string("\0\n", 2)), std::string("2\n\0\n", 4));
}

TEST(RecordIO, DecodesWholeStream) {
  RecordIODecoder decoder;
  decoder.feed(encodeRecord("a") + encodeRecord("bc") + encodeRecord(std::string(1000, 'x')));
  EXPECT_EQ(drain(decoder), (std::vector<std::string>{"a", "bc", std::string(1000, 'x')}));
  EXPECT_FALSE(decoder.failed());
  EXPECT_EQ(decoder.buffered(), 0u);
}

TEST(RecordIO, ArbitraryChunking) {
  std::mt19937 rng(42);
  std::vector<std::string> records;
  std::string stream;
  for (int i = 0; i < 200; ++i) {
    std::string data(1 + rng() % 300, '\0');
    for (char& c : data) c = static_cast<char>(rng() & 0xff);  // newlines and digits included
    stream += encodeRecord(data);
    records.push_back(std::move(data));
  }
  for (int trial = 0; trial < 50; ++trial) {
    RecordIODecoder decoder;
    std::vector<std::string> got;
    for (size_t pos = 0; pos < stream.size();) {
      // Mostly tiny pieces (splitting headers), sometimes large ones.
      const size_t n = std::min(stream.size() - pos, (rng() % 4 == 0) ? rng() % 2000 : rng() % 4);
      decoder.feed(std::string_view(stream).substr(pos, n));
      pos += n;
      for (auto& r : drain(decoder)) got.push_back(std::move(r));
    }
    ASSERT_FALSE(decoder.failed()) << decoder.error();
    EXPECT_EQ(got, records);
  }
}

TEST(RecordIO, WaitsForIncompleteRecord) {
  RecordIODecoder decoder;
  decoder.feed("5\nabc");
  EXPECT_EQ(decoder.next(), std::nullopt);
  EXPECT_FALSE(decoder.failed());
  decoder.feed("de3");
  EXPECT_EQ(decoder.next(), "abcde");
  EXPECT_EQ(decoder.next(), std::nullopt);
  decoder.feed("\nxyz");
  EXPECT_EQ(decoder.next(), "xyz");
}

TEST(RecordIO, RejectsMalformedStreams) {
  for (const std::string& bad :
       std::vector<std::string>{"x\n", "-1\nab", " 5\nabcde", "5 \nabcde", "\nabc", "0\n",
                                "3\nabc0\n", "1a\nx", "67108865\n", "999999999999999999999999\n",
                                "00000000000000000000001\nx", "5\r\nabcde"}) {
    RecordIODecoder decoder;
    decoder.feed(bad);
    drain(decoder);
    EXPECT_TRUE(decoder.failed()) << bad;
    EXPECT_FALSE(decoder.error().empty());
    // Stays failed; more input is ignored.
    decoder.feed("1\na");
    EXPECT_EQ(decoder.next(), std::nullopt);
  }
}

TEST(RecordIO, LimitIsConfigurable) {
  RecordIODecoder decoder(/*maxRecordSize=*/4);
  decoder.feed("4\nabcd5\nabcde");
  EXPECT_EQ(decoder.next(), "abcd");
  EXPECT_EQ(decoder.next(), std::nullopt);
  EXPECT_TRUE(decoder.failed());
}

TEST(RecordIO, GarbageNeverCrashes) {
  std::mt19937 rng(99);
  for (int trial = 0; trial < 2000; ++trial) {
    RecordIODecoder decoder(1 << 12);
    for (int chunk = 0; chunk < 8; ++chunk) {
      std::string bytes(rng() % 64, '\0');
      for (char& c : bytes) c = (rng() % 3 == 0) ? "0123456789\n"[rng() % 11] : char(rng() & 0xff);
      decoder.feed(bytes);
      drain(decoder);
    }
  }
}

}  // namespace
}  // namespace svh::wire
