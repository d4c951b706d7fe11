// The trace: one JSON line per mutating request through a view, allowed or
// refused, written before the request is answered.
#include "fakes/agent/disk/trace.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "disk_test_support.hpp"

namespace svh::agent::disk::test {
namespace {

using nlohmann::json;

class Trace : public DiskTest {
 protected:
  void SetUp() override {
    DiskTest::SetUp();
    if (HasFatalFailure()) return;
    vol_ = makeVolume("vol-7");
    writeFile(vol_ / "f", "x");
    mountDisk();
    rw_ = disk_->addView({.view_id = "view-rw",
                          .volume_dir = vol_,
                          .mode = Mode::RW,
                          .task_id = "task-1",
                          .volume_id = "pid-7"});
    ro_ = disk_->addView({.view_id = "view-ro",
                          .volume_dir = vol_,
                          .mode = Mode::RO,
                          .task_id = "task-2",
                          .volume_id = "pid-7"});
  }
  std::vector<json> lines() {
    std::vector<json> out;
    for (const auto& l : traceLines(trace_)) out.push_back(json::parse(l));
    return out;
  }
  fs::path vol_, rw_, ro_;
};

TEST_F(Trace, AllowedAndRefusedOperationsAreRecorded) {
  ASSERT_EQ(::mkdir((rw_ / "made").c_str(), 0755), 0);
  // Written before the reply: the line is there as soon as mkdir returns.
  auto now = lines();
  ASSERT_EQ(now.size(), 1u);
  EXPECT_EQ(now[0]["op"], "mkdir");
  EXPECT_EQ(now[0]["path"], "made");
  EXPECT_EQ(now[0]["task"], "task-1");
  EXPECT_EQ(now[0]["volume"], "pid-7");
  EXPECT_EQ(now[0]["view"], "view-rw");
  EXPECT_EQ(now[0]["errno"], 0);
  EXPECT_TRUE(now[0]["error"].is_null());
  EXPECT_TRUE(now[0]["t"].is_number_float());

  ASSERT_EQ(::mkdir((ro_ / "made" / "no").c_str(), 0755), -1);
  now = lines();
  ASSERT_EQ(now.size(), 2u);
  EXPECT_EQ(now[1]["op"], "mkdir");
  EXPECT_EQ(now[1]["path"], "made/no");
  EXPECT_EQ(now[1]["task"], "task-2");
  EXPECT_EQ(now[1]["view"], "view-ro");
  EXPECT_EQ(now[1]["errno"], EROFS);
  EXPECT_EQ(now[1]["error"], "EROFS");
  EXPECT_GE(now[1]["t"].get<double>(), now[0]["t"].get<double>());

  ASSERT_EQ(::rename((rw_ / "f").c_str(), (rw_ / "made" / "g").c_str()), 0);
  ASSERT_EQ(::chmod((rw_ / "made").c_str(), 0700), 0);
  ASSERT_EQ(::open((ro_ / "made" / "g").c_str(), O_WRONLY), -1);
  ASSERT_EQ(::unlink((ro_ / "made" / "g").c_str()), -1);
  now = lines();
  ASSERT_EQ(now.size(), 6u);
  EXPECT_EQ(now[2]["op"], "rename");
  EXPECT_EQ(now[2]["path"], "f");
  EXPECT_EQ(now[2]["to"], "made/g");
  EXPECT_EQ(now[3]["op"], "chmod");
  EXPECT_EQ(now[3]["path"], "made");
  EXPECT_EQ(now[4]["op"], "open");
  EXPECT_EQ(now[4]["error"], "EROFS");
  EXPECT_EQ(now[5]["op"], "unlink");
  EXPECT_EQ(now[5]["path"], "made/g");
  EXPECT_EQ(now[5]["error"], "EROFS");
}

TEST_F(Trace, ReadsAreNotTraced) {
  EXPECT_EQ(readFile(ro_ / "f"), "x");
  EXPECT_EQ(readFile(rw_ / "f"), "x");
  struct stat st {};
  ::stat((ro_ / "f").c_str(), &st);
  for (const auto& e : fs::directory_iterator(ro_)) (void)e;
  EXPECT_TRUE(lines().empty());
}

TEST_F(Trace, KeysComeInTheDocumentedOrder) {
  ASSERT_EQ(::mkdir((rw_ / "k").c_str(), 0755), 0);
  const auto raw = traceLines(trace_);
  ASSERT_EQ(raw.size(), 1u);
  const auto& l = raw[0];
  size_t last = 0;
  for (const char* key : {"\"t\"", "\"task\"", "\"volume\"", "\"view\"", "\"op\"", "\"path\"",
                          "\"errno\"", "\"error\""}) {
    const size_t at = l.find(key);
    ASSERT_NE(at, std::string::npos) << key;
    EXPECT_GT(at + 1, last) << key << " out of order in " << l;
    last = at;
  }
}

TEST(TraceLine, InvalidUtf8InNamesIsReplacedNotRejected) {
  const std::string bad = "bad\xff\xfename";
  const auto line = traceLine(1.5, {"t", "v", "view", "create", bad, "", EROFS});
  ASSERT_TRUE(json::accept(line)) << line;
  EXPECT_EQ(json::parse(line)["error"], "EROFS");
}

}  // namespace
}  // namespace svh::agent::disk::test
