#include "harness/wire/recordio.hpp"

#include <string>

namespace svh::wire {
namespace {

// Longest header we wait for before calling the stream corrupt; any
// acceptable length fits in far fewer digits, even zero padded.
constexpr size_t kMaxHeaderDigits = 20;

}  // namespace

std::string encodeRecord(std::string_view data) {
  std::string out = std::to_string(data.size());
  out += '\n';
  out.append(data);
  return out;
}

void RecordIODecoder::feed(std::string_view bytes) {
  if (failed()) return;
  // Drop consumed bytes before growing, so the buffer stays about as large
  // as one record.
  if (offset_ > 0 && offset_ >= buffer_.size() / 2) {
    buffer_.erase(0, offset_);
    offset_ = 0;
  }
  buffer_.append(bytes);
}

void RecordIODecoder::fail(std::string why) {
  error_ = "RecordIO: " + std::move(why);
  buffer_.clear();
  offset_ = 0;
  recordSize_.reset();
}

bool RecordIODecoder::readHeader() {
  size_t value = 0;
  for (size_t i = offset_; i < buffer_.size(); ++i) {
    const char c = buffer_[i];
    const size_t digits = i - offset_;
    if (c == '\n') {
      if (digits == 0) {
        fail("empty length header");
        return false;
      }
      if (value == 0) {
        fail("zero-length record");
        return false;
      }
      recordSize_ = value;
      offset_ = i + 1;
      return true;
    }
    if (c < '0' || c > '9') {
      fail("unexpected byte " + std::to_string(static_cast<unsigned char>(c)) +
           " in length header");
      return false;
    }
    if (digits >= kMaxHeaderDigits) {
      fail("length header longer than " + std::to_string(kMaxHeaderDigits) + " digits");
      return false;
    }
    value = value * 10 + static_cast<size_t>(c - '0');
    if (value > maxRecordSize_) {
      fail("record length exceeds " + std::to_string(maxRecordSize_) + " bytes");
      return false;
    }
  }
  return false;  // header not complete yet
}

std::optional<std::string> RecordIODecoder::next() {
  if (failed()) return std::nullopt;
  if (!recordSize_ && !readHeader()) return std::nullopt;
  if (buffer_.size() - offset_ < *recordSize_) return std::nullopt;
  std::string record = buffer_.substr(offset_, *recordSize_);
  offset_ += *recordSize_;
  recordSize_.reset();
  if (offset_ == buffer_.size()) {
    buffer_.clear();
    offset_ = 0;
  }
  return record;
}

}  // namespace svh::wire
